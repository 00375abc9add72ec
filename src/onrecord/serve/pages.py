"""The web pages: home, articles, one article, quotes, speakers, one speaker, paste an article.

Server-rendered from ``templates/`` (Jinja2, every value escaped); the
article page's highlighting is computed here (``view.segments``) and its
detail panels are rendered for every attribution, so the page's JavaScript
only shows and hides them. Query values come from HTML forms, where an
empty field is an empty string: they are read leniently (empty = not given)
and a bad one is shown on the page with status 400.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from onrecord.corpus.speakers import is_speaker_id
from onrecord.record import KINDS
from onrecord.serve import view
from onrecord.serve.context import MAX_QUERY, MAX_STATEMENTS, PAGE_SIZE
from onrecord.store import corpus_query
from onrecord.store.query import (
    DEFAULT_MIN_CONFIDENCE,
    ArticleFilter,
    QueryFilter,
    articles,
    figures,
    quotes_page,
    speakers,
)

if TYPE_CHECKING:
    from onrecord.serve.context import Context


class PageError(Exception):
    """A page cannot be shown: its status and a message for the reader."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _text(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "")
    value = " ".join(value.split())
    if len(value) > MAX_QUERY:
        raise PageError(400, f"{name}: at most {MAX_QUERY} characters")
    return value or None


def _date(request: Request, name: str) -> date | None:
    value = _text(request, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PageError(400, f"{name}: not a date (YYYY-MM-DD): {value!r}") from None


def _confidence(request: Request) -> float:
    value = _text(request, "min_confidence")
    if value is None:
        return DEFAULT_MIN_CONFIDENCE
    try:
        floor = float(value)
    except ValueError:
        floor = -1.0
    if not 0.0 <= floor <= 1.0:
        raise PageError(400, f"min_confidence: a number from 0 to 1, not {value!r}")
    return floor


def _page(request: Request) -> int:
    value = _text(request, "page") or "1"
    if not value.isdigit() or not 1 <= int(value) <= 100_000:
        raise PageError(400, f"page: not a page number: {value!r}")
    return int(value)


def _pager(request: Request, page: int, total: int) -> dict[str, Any]:
    """Links to the previous and next pages, keeping the other query values."""
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}

    def link(n: int) -> str:
        return "?" + urlencode({**params, "page": n})

    last = max(1, -(-total // PAGE_SIZE))
    return {
        "page": page,
        "last": last,
        "total": total,
        "prev": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < last else None,
    }


def build(ctx: Context) -> APIRouter:
    pages = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)

    def render(template: str, status: int = 200, **values: Any) -> HTMLResponse:
        return HTMLResponse(ctx.render(template, **values), status_code=status)

    @pages.get("/")
    def home() -> HTMLResponse:
        top, totals = speakers(ctx.store, QueryFilter(limit=10))
        return render("home.html", figures=figures(ctx.store), speakers=top, totals=totals)

    @pages.get("/articles")
    def article_list(request: Request) -> HTMLResponse:
        page = _page(request)
        f = ArticleFilter(
            q=_text(request, "q"),
            since=_date(request, "since"),
            until=_date(request, "until"),
            publisher=_text(request, "publisher"),
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        items, total = articles(ctx.store, f)
        return render("articles.html", f=f, items=items, paging=_pager(request, page, total))

    @pages.get("/articles/{article_id}")
    def article(article_id: str) -> HTMLResponse:
        found = ctx.store.record(article_id[:MAX_QUERY])
        if found is None:
            raise PageError(404, "No article with this id in the database.")
        meta, record = found
        details = [
            {
                "a": a,
                "speaker": view.speaker_name(a),
                "label": view.source_label(a),
                "titles": view.entity_titles(record, a),
                "chain": [view.source_label(c) for c in view.via_chain(record, a.id)],
            }
            for a in record.attributions
        ]
        return render(
            "article.html",
            meta=meta,
            record=record,
            segments=view.segments(record),
            details=details,
            layer=corpus_query.article_layer(ctx.store, meta["id"]),
        )

    @pages.get("/quotes")
    def quote_search(request: Request) -> HTMLResponse:
        page = _page(request)
        kind = _text(request, "kind")
        if kind is not None and kind not in KINDS:
            raise PageError(400, f"kind: one of {', '.join(KINDS)}")
        f = QueryFilter(
            speaker=_text(request, "speaker"),
            about=_text(request, "about"),
            since=_date(request, "since"),
            until=_date(request, "until"),
            anonymous=request.query_params.get("anonymous", "") not in ("", "0", "false"),
            kind=kind,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
            min_confidence=_confidence(request),
        )
        rows, total = quotes_page(ctx.store, f)
        return render(
            "quotes.html",
            f=f,
            kinds=KINDS,
            rows=rows,
            paging=_pager(request, page, total),
        )

    @pages.get("/speakers")
    def speaker_list(request: Request) -> HTMLResponse:
        page = _page(request)
        f = QueryFilter(
            limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, min_confidence=_confidence(request)
        )
        rows, totals = speakers(ctx.store, f)
        return render(
            "speakers.html",
            rows=rows,
            totals=totals,
            paging=_pager(request, page, totals["speakers"]),
            offset=f.offset,
        )

    @pages.get("/speakers/{name:path}", response_model=None)
    def speaker(request: Request, name: str) -> HTMLResponse | RedirectResponse:
        if len(name) > MAX_QUERY:
            raise PageError(400, f"name: at most {MAX_QUERY} characters")
        if is_speaker_id(name):
            return canonical_speaker(name)
        ids = corpus_query.speakers_named(ctx.store, name)
        if len(ids) == 1:  # a name that means one speaker: the speaker's own page
            return RedirectResponse(f"/speakers/{ids[0]}", 307)
        names, totals = speakers(ctx.store, QueryFilter(speaker=name, limit=20))
        if not names:
            raise PageError(404, "No speaker by this name in the database.")
        f = QueryFilter(speaker=name, limit=MAX_STATEMENTS)
        rows, total = quotes_page(ctx.store, f)
        return render(
            "speaker.html",
            name=name,
            names=names,
            totals=totals,
            titles=list(dict.fromkeys(t for n in names for t in n["titles"])),
            statements=view.newest_first(rows),
            total=total,
            timeline=view.timeline(rows),
            statement_date=view.statement_date,
        )

    def canonical_speaker(sid: str) -> HTMLResponse:
        row = corpus_query.speaker(ctx.store, sid)
        if row is None:
            raise PageError(404, "No speaker with this id in the database.")
        names, totals = speakers(ctx.store, QueryFilter(speaker_id=sid, limit=20))
        rows, total = quotes_page(ctx.store, QueryFilter(speaker_id=sid, limit=MAX_STATEMENTS))
        reported, reported_total = corpus_query.statements(
            ctx.store, corpus_query.StatementFilter(speaker_id=sid, min_outlets=2, limit=20)
        )
        return render(
            "speaker.html",
            name=row["name"],
            speaker=row,
            names=names or [{"speaker": row["name"], "articles": row["articles"]}],
            totals=totals,
            titles=[t["title"] for t in row["titles"]],
            statements=view.newest_first(rows),
            total=total,
            timeline=view.timeline(rows),
            statement_date=view.statement_date,
            reported=reported,
            reported_total=reported_total,
        )

    @pages.get("/statements")
    def statement_list(request: Request) -> HTMLResponse:
        page = _page(request)
        outlets = _text(request, "min_outlets")
        try:
            min_outlets = int(outlets) if outlets else 2
        except ValueError:
            raise PageError(400, "min_outlets: a whole number") from None
        f = corpus_query.StatementFilter(
            speaker=_text(request, "speaker"),
            about=_text(request, "about"),
            since=_date(request, "since"),
            until=_date(request, "until"),
            min_outlets=min_outlets,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        rows, total = corpus_query.statements(ctx.store, f)
        return render(
            "statements.html",
            f=f,
            rows=rows,
            total=total,
            offset=f.offset,
            paging=_pager(request, page, total),
        )

    @pages.get("/statements/{statement_id}")
    def statement(statement_id: str) -> HTMLResponse:
        found = corpus_query.statement(ctx.store, statement_id[:MAX_QUERY])
        if found is None:
            raise PageError(404, "No statement with this id in the database.")
        return render("statement.html", st=found)

    @pages.get("/api")
    async def api_reference(request: Request) -> HTMLResponse:
        """The API, from the app's own OpenAPI description (FastAPI's /docs needs a CDN)."""
        spec = request.app.openapi()
        endpoints = [
            {"method": method.upper(), "path": path, **op}
            for path, ops in spec["paths"].items()
            for method, op in ops.items()
            if path.startswith("/api/")
        ]
        return render("api.html", endpoints=endpoints, max_body=ctx.max_body)

    @pages.get("/favicon.ico")
    async def favicon() -> Response:
        return Response(status_code=204)

    @pages.get("/paste")
    async def paste() -> HTMLResponse:
        return render("paste.html", max_body=ctx.max_body)

    return pages


def error_page(ctx: Context, status: int, message: str) -> HTMLResponse:
    return HTMLResponse(
        ctx.render("error.html", status=status, message=message), status_code=status
    )


__all__ = ["PageError", "build", "error_page"]

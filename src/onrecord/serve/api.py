"""The JSON API under ``/api``: articles, quotes, speakers, statements, and extraction
without storing.

Every query goes through ``onrecord.store.query`` and ``onrecord.store.corpus_query`` (the
same functions as the CLI's ``quotes``, ``speakers`` and ``statements``) with its values
bound as parameters; no
endpoint runs SQL a client wrote. Errors are JSON ``{"detail": "..."}``: 422
for values that do not validate, 404 for unknown ids and names, 413 for a
body over the cap, 415 for a body that is neither JSON, text nor HTML.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.concurrency import run_in_threadpool

from onrecord.corpus.speakers import is_speaker_id
from onrecord.errors import InputError
from onrecord.record import KINDS
from onrecord.serve.context import MAX_LIMIT, MAX_QUERY, MAX_STATEMENTS
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
    from onrecord.read.document import RawDocument
    from onrecord.serve.context import Context

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page, 1 to {MAX_LIMIT}")]
Offset = Annotated[int, Query(ge=0, description="rows to skip")]
Since = Annotated[date | None, Query(description="published on or after (YYYY-MM-DD)")]
Until = Annotated[date | None, Query(description="published on or before (YYYY-MM-DD)")]
Text = Annotated[str | None, Query(max_length=MAX_QUERY)]


class ExtractRequest(BaseModel):
    """The article to extract: ``text`` (plain, cleaned of boilerplate) or ``html`` (a page)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="the article as plain text")
    html: str | None = Field(None, description="the article as an HTML page")
    published: date | None = Field(None, description="publication date, anchors relative dates")
    clean: bool = Field(True, description="remove boilerplate lines from text (not from html)")

    @model_validator(mode="after")
    def _one_body(self) -> ExtractRequest:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of 'text' and 'html'")
        return self


def _filter(**values: Any) -> QueryFilter:
    try:
        return QueryFilter(**values)
    except InputError as exc:
        raise HTTPException(422, str(exc).replace("--", "")) from exc


async def _common(
    about: Annotated[
        str | None,
        Query(max_length=MAX_QUERY, description="full text of the content, stemmed"),
    ] = None,
    anonymous: Annotated[bool, Query(description="only anonymous sources")] = False,
    kind: Annotated[str | None, Query(description=f"one of {', '.join(KINDS)}")] = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 20,
    offset: Offset = 0,
    min_confidence: Annotated[
        float,
        Query(ge=0.0, le=1.0, description="leave out attributions below this confidence"),
    ] = DEFAULT_MIN_CONFIDENCE,
) -> dict[str, Any]:
    """The filters ``/api/quotes`` and ``/api/speakers`` share (``QueryFilter``'s fields)."""
    return {
        "min_confidence": min_confidence,
        "about": about,
        "anonymous": anonymous,
        "kind": kind,
        "since": since,
        "until": until,
        "limit": limit,
        "offset": offset,
    }


Common = Annotated[dict[str, Any], Depends(_common)]


def _speaker_rows(ctx: Context, name: str, *, limit: int, offset: int) -> dict[str, Any]:
    """A speaker's names (the name or surname can match several), statements and their total."""
    f = _filter(speaker=name, limit=limit, offset=offset)
    names, totals = speakers(ctx.store, _filter(speaker=name, limit=20))
    if not names:
        raise HTTPException(404, f"no speaker {name!r} in the database")
    return {
        "speaker": name,
        "names": names,
        "totals": totals,
        "statements": dict(zip(("items", "total"), quotes_page(ctx.store, f), strict=True)),
    }


def _canonical_speaker(ctx: Context, sid: str, *, limit: int, offset: int) -> dict[str, Any]:
    """One canonical speaker: its row (aliases, titles over time), its attributions (as the
    name route gives them) and its most widely reported statements."""
    row = corpus_query.speaker(ctx.store, sid)
    if row is None:
        raise HTTPException(404, f"no speaker {sid!r} in the database")
    f = _filter(speaker_id=sid, limit=limit, offset=offset)
    names, totals = speakers(ctx.store, _filter(speaker_id=sid, limit=20))
    reported, total = corpus_query.statements(
        ctx.store, corpus_query.StatementFilter(speaker_id=sid, limit=20)
    )
    return {
        **row,
        "speaker": row["name"],
        "names": names,
        "totals": totals,
        "statements": dict(zip(("items", "total"), quotes_page(ctx.store, f), strict=True)),
        "reported": {"items": reported, "total": total},
    }


def _query(query: str) -> str:
    return f"?{query}" if query else ""


def build(ctx: Context) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["api"])

    @api.get("/corpus", summary="The corpus in figures")
    def corpus() -> dict[str, Any]:
        return figures(ctx.store)

    @api.get("/articles", summary="Stored articles, newest first")
    def list_articles(
        q: Annotated[
            str | None,
            Query(max_length=MAX_QUERY, description="every word in the title or text"),
        ] = None,
        since: Since = None,
        until: Until = None,
        publisher: Text = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        try:
            f = ArticleFilter(
                q=q, since=since, until=until, publisher=publisher, limit=limit, offset=offset
            )
        except InputError as exc:
            raise HTTPException(422, str(exc).replace("--", "")) from exc
        items, total = articles(ctx.store, f)
        return {"items": items, "total": total}

    @api.get("/articles/{article_id}", summary="One article's whole record")
    def article(article_id: str) -> dict[str, Any]:
        found = ctx.store.record(article_id[:MAX_QUERY])
        if found is None:
            raise HTTPException(404, f"no article {article_id!r} in the database")
        meta, record = found
        extra = {
            k: meta[k]
            for k in ("id", "url", "publisher", "author", "language", "source", "fetched_at")
        }
        return {**extra, **record.to_dict(), "doc": meta["doc"]}

    @api.get("/quotes", summary="Attributions, as `onrecord quotes` filters them")
    def list_quotes(
        common: Common,
        speaker: Annotated[
            str | None, Query(max_length=MAX_QUERY, description="resolved name or surname")
        ] = None,
        to: Annotated[
            str | None,
            Query(
                max_length=MAX_QUERY,
                description="to whom: the addressee's name or surname, or an audience",
            ),
        ] = None,
    ) -> dict[str, Any]:
        f = _filter(speaker=speaker, to=to, **common)
        items, total = quotes_page(ctx.store, f)
        return {"items": items, "total": total}

    @api.get("/speakers", summary="The most-quoted sources: counts, titles, share anonymous")
    def list_speakers(common: Common) -> dict[str, Any]:
        items, totals = speakers(ctx.store, _filter(**common))
        return {"items": items, "totals": totals}

    @api.get(
        "/speakers/{name:path}",
        summary="One speaker by id (aliases, titles over time, attributions, statements); "
        "a name that means one speaker redirects to its id",
        response_model=None,
        name="api_speaker",
    )
    def speaker(
        request: Request,
        name: str,
        limit: Annotated[int, Query(ge=1, le=MAX_STATEMENTS)] = 50,
        offset: Offset = 0,
    ) -> dict[str, Any] | RedirectResponse:
        if len(name) > MAX_QUERY:
            raise HTTPException(422, f"name: at most {MAX_QUERY} characters")
        if is_speaker_id(name):
            return _canonical_speaker(ctx, name, limit=limit, offset=offset)
        ids = corpus_query.speakers_named(ctx.store, name)
        if len(ids) == 1:
            target = request.url_for("api_speaker", name=ids[0]).path
            return RedirectResponse(target + _query(request.url.query), 307)
        return {**_speaker_rows(ctx, name, limit=limit, offset=offset), "ids": ids}

    @api.get("/statements", summary="Statements across articles, most widely reported first")
    def list_statements(
        speaker: Annotated[
            str | None, Query(max_length=MAX_QUERY, description="canonical name, alias, surname")
        ] = None,
        about: Annotated[
            str | None, Query(max_length=MAX_QUERY, description="words of the statement")
        ] = None,
        since: Since = None,
        until: Until = None,
        min_outlets: Annotated[int, Query(ge=0, description="reported by at least N outlets")] = 1,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        f = corpus_query.StatementFilter(
            speaker=speaker,
            about=about,
            since=since,
            until=until,
            min_outlets=min_outlets,
            limit=limit,
            offset=offset,
        )
        items, total = corpus_query.statements(ctx.store, f)
        return {"items": items, "total": total}

    @api.get(
        "/statements/{statement_id}",
        summary="One statement: every occurrence by date and outlet, its wordings and their "
        "word-level differences from the earliest",
    )
    def one_statement(statement_id: str) -> dict[str, Any]:
        found = corpus_query.statement(ctx.store, statement_id[:MAX_QUERY])
        if found is None:
            raise HTTPException(404, f"no statement {statement_id!r} in the database")
        return found

    @api.post(
        "/extract",
        summary="The record of one article, not stored",
        description="The body is JSON (`text` or `html`, optional `published` and `clean`), "
        "or the article itself as `text/plain` or `text/html` (then `published` may be a "
        f"query parameter). Bodies over {ctx.max_body:,} bytes are refused with 413.",
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": ExtractRequest.model_json_schema()},
                    "text/plain": {"schema": {"type": "string"}},
                    "text/html": {"schema": {"type": "string"}},
                },
            }
        },
    )
    async def extract(request: Request, published: date | None = None) -> dict[str, Any]:
        body = await _read_body(request, ctx.max_body)
        item, when, clean = _extract_input(request.headers.get("content-type", ""), body)
        when = when or published
        record = await run_in_threadpool(_run_extract, ctx, item, when, clean)
        return record.to_dict()

    return api


async def _read_body(request: Request, cap: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``cap`` bytes."""
    declared = request.headers.get("content-length", "")
    too_big = HTTPException(413, f"the body is over the {cap:,}-byte limit for one article")
    if declared.isdigit() and int(declared) > cap:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def _extract_input(content_type: str, body: bytes) -> tuple[str | RawDocument, date | None, bool]:
    """(text or page document, published, clean) from the body; raises 415 or 422."""

    kind = content_type.split(";")[0].strip().lower()
    try:
        raw = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(422, "the body is not UTF-8") from exc
    if kind == "application/json":
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise HTTPException(422, f"the body is not JSON ({exc})") from exc
        except RecursionError as exc:  # json's decoder recurses once per [ or {
            raise HTTPException(422, "the body is JSON nested too deeply to read") from exc
        try:
            req = ExtractRequest.model_validate(data)
        except ValidationError as exc:
            raise HTTPException(422, readable(exc.errors(), prefix="body")) from exc
        if req.html is not None:
            return _page(req.html), req.published, False
        return req.text or "", req.published, req.clean
    if kind == "text/plain":
        return raw, None, True
    if kind == "text/html":
        return _page(raw), None, False
    raise HTTPException(415, "send the article as application/json, text/plain or text/html")


def _page(html: str) -> RawDocument:
    from onrecord.read.document import RawDocument

    return RawDocument(doc="pasted", text="", encoding="utf-8", path=None, html=html)


def _run_extract(ctx: Context, item: str | RawDocument, published: date | None, clean: bool) -> Any:
    from onrecord.errors import OnrecordError
    from onrecord.read.html import extract_html

    try:
        if not isinstance(item, str):
            item = extract_html(item)
        elif not item.strip():
            raise InputError("the text is empty", reason="empty")
        return ctx.extract(item, published=published, clean=clean)
    except OnrecordError as exc:
        status = 413 if getattr(exc, "reason", "") == "too_large" else 422
        raise HTTPException(status, str(exc)) from exc


def readable(errors: Any, *, prefix: str | None = None) -> str:
    """Pydantic's errors as one line: ``limit: Input should be less than or equal to 200``."""
    parts = []
    for err in errors:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body", prefix)]
        where = ".".join(loc)
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts) or "invalid request"


__all__ = ["ExtractRequest", "build", "readable"]

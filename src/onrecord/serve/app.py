"""The app: the API and the pages over one read-only store, with errors that never leak internals.

``create_app(db)`` opens the store (raising ``OnrecordError`` with a
one-line message when it cannot) and returns the FastAPI app. Errors:

- under ``/api``: JSON ``{"detail": "one readable line"}`` with 404, 413,
  415, 422 (bad values, and bad input to extract) or 500;
- on pages: an HTML page with the same message (400 for a bad form value);
- a failure of onrecord itself is logged with its traceback on the server
  and answered with 500 and a message that says nothing of the internals.

Every response carries a strict Content-Security-Policy (scripts, styles,
images and requests only from this server: an injected inline script or
event handler would not run even if escaping failed; escaping is the first
defence, tested on its own), ``X-Content-Type-Options: nosniff`` and
``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from onrecord import __version__
from onrecord.errors import OnrecordError
from onrecord.serve import api, handoff, pages
from onrecord.serve.cache import DEFAULT_MB, CachedAnswers
from onrecord.serve.context import MAX_BODY, Context

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from onrecord.pipeline import Pipeline

log = logging.getLogger(__name__)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
#: FastAPI's interactive docs load their script from a CDN: the only pages without the CSP
_DOCS = ("/docs", "/redoc")


class SecurityHeaders:
    """A plain ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = str(scope.get("path", "")).startswith(_DOCS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                if not docs:
                    headers.append((b"content-security-policy", CSP.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(
    db: str,
    *,
    pipeline: Pipeline | None = None,
    max_body: int = MAX_BODY,
    writable: bool = False,
    cache_mb: float = DEFAULT_MB,
) -> FastAPI:
    """The onrecord app over the database ``db`` (opened read-only, or, with ``writable``,
    for writing too: then ``onrecord ingest`` can hand it batches, ``serve.handoff``).
    Answers are kept until the next batch in up to ``cache_mb`` MB (0: none, ``serve.cache``)."""
    ctx = Context(db, pipeline=pipeline, max_body=max_body, writable=writable, cache_mb=cache_mb)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.close()

    app = FastAPI(
        title="onrecord",
        version=__version__,
        description="Who said what, to whom, when, and according to whom: the records of "
        f"the articles in `{db}`, read-only. Pages: `/`, `/articles`, `/quotes`, "
        "`/speakers`, `/paste`. The API is listed here.",
        lifespan=lifespan,
    )
    app.state.context = ctx
    app.include_router(api.build(ctx))
    app.include_router(handoff.build(ctx))
    app.include_router(pages.build(ctx))
    app.mount("/static", StaticFiles(directory=str(files("onrecord.serve") / "static")), "static")
    app.add_middleware(CachedAnswers, cache=ctx.answers)
    app.add_middleware(SecurityHeaders)
    _errors(app, ctx)
    return app


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/internal/")) or path == "/api"


def _errors(app: FastAPI, ctx: Context) -> None:
    def answer(request: Request, status: int, message: str) -> Response:
        if _is_api(request) or request.url.path.startswith("/static/"):
            return JSONResponse({"detail": message}, status_code=status)
        return pages.error_page(ctx, status, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        status = 422 if _is_api(request) else 400
        return answer(request, status, api.readable(exc.errors()))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = "Nothing here: check the address."
        elif exc.status_code == 405:
            message = "This method is not allowed here."
        return answer(request, exc.status_code, message)

    @app.exception_handler(pages.PageError)
    async def page_error(request: Request, exc: pages.PageError) -> Response:
        return answer(request, exc.status, str(exc))

    @app.exception_handler(OnrecordError)
    async def onrecord_error(request: Request, exc: OnrecordError) -> Response:
        return answer(request, 422 if _is_api(request) else 400, str(exc).replace("--", ""))

    @app.exception_handler(Exception)
    async def failure(request: Request, exc: Exception) -> Response:
        # Starlette re-raises the exception after this answer: the server logs its traceback
        return answer(request, 500, "internal error; the server's log has the details")


def run(
    db: str,
    *,
    host: str,
    port: int,
    read_only: bool = False,
    cache_mb: float = DEFAULT_MB,
    **uvicorn_options: Any,
) -> None:
    """Serve ``db`` until interrupted (``onrecord serve``). Unless ``read_only``, the server
    has the database open for writing and writes the hand-off file that lets ``onrecord
    ingest`` give it batches (``store.handoff``); the file goes when the server stops."""
    import uvicorn

    from onrecord.store.handoff import remove_handoff, write_handoff

    app = create_app(db, writable=not read_only, cache_mb=cache_mb)
    ctx: Context = app.state.context
    if ctx.writable and db != ":memory:":
        if host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::"):
            log.warning("batches from onrecord ingest need loopback; %s is not", host)
        ctx.token = write_handoff(db, port)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", **uvicorn_options)
    finally:
        if ctx.token is not None:
            remove_handoff(db, ctx.token)

"""The server's side of ``store.handoff``: batches an ingest hands to the running server.

``POST /internal/v1/done`` and ``/stored`` answer the ingest's ledger questions
(which input records are done, which article ids are stored); ``POST
/internal/v1/write`` writes one batch (``Context.write``: one transaction,
one batch at a time) and answers what it added. Each request must come from
loopback *and* carry the token of the hand-off file (``Authorization: Bearer
...``); anything else is 403, and without a token (the app made without
``onrecord serve``'s hand-off) the routes are 404. None of them is in the API
reference. Bodies are JSON: the rows of a batch, typed back by their columns.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from onrecord.store.handoff import decode_rows, encode_written

if TYPE_CHECKING:
    from onrecord.serve.context import Context

_LOOPBACK = {"127.0.0.1", "::1"}


def _allowed(ctx: Context, request: Request) -> None:
    if ctx.token is None:
        raise HTTPException(404, "Not Found")
    client = request.client.host if request.client else ""
    offered = request.headers.get("authorization", "").removeprefix("Bearer ")
    if client not in _LOOPBACK or not hmac.compare_digest(offered, ctx.token):
        raise HTTPException(403, "batches are taken from loopback, with the hand-off token")


def _strings(body: Any, key: str) -> list[str]:
    values = body.get(key) if isinstance(body, dict) else None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise HTTPException(422, f"{key}: a list of strings")
    return values


def build(ctx: Context) -> APIRouter:
    router = APIRouter(prefix="/internal/v1", include_in_schema=False)

    async def ask(request: Request, key: str, question: str) -> list[str]:
        """A ledger question (``Store.done`` or ``Store.stored``) about the body's ``key``."""
        _allowed(ctx, request)
        values = _strings(await request.json(), key)
        found = await run_in_threadpool(lambda: getattr(ctx.ledger(), question)(values))
        return sorted(found)

    @router.post("/done")
    async def done(request: Request) -> dict[str, Any]:
        return {"done": await ask(request, "sources", "done")}

    @router.post("/stored")
    async def stored(request: Request) -> dict[str, Any]:
        return {"stored": await ask(request, "ids", "stored")}

    @router.post("/write")
    async def write(request: Request) -> dict[str, Any]:
        _allowed(ctx, request)
        try:
            rows = decode_rows(await request.json())
        except (ValueError, KeyError, TypeError) as exc:
            raise HTTPException(422, f"not a batch of rows ({exc})") from exc
        written = await run_in_threadpool(ctx.write, rows)
        return encode_written(written)

    return router

"""Answers kept between batches: a GET read twice between two writes is computed once.

Everything the API and the pages answer is a function of the address and of
the store, and the store changes only when a batch commits through this
process (``Context.write``: the server owns the database; DuckDB lets no
other process write while it has it open). So ``AnswerCache`` keeps the
body of each successful GET answer under its address (path and query
string), and ``Context.write`` empties it when a batch is written: it calls
``begin_write`` just before the batch's commit (until then other connections
see the store as it was, so the answers kept still hold) and ``end_write``
after the commit and the full-text index, and each moves the cache's
*generation* on. A request notes the generation when it starts, and its
answer is kept — or handed to identical requests that waited for it — only if
no commit was under way when it started and the generation has not moved by
its end: the store did not change while it was computed, so the answer is the
store's as it is. From a batch's commit to the end of its indexing, nothing
is kept and every request computes its own answer.

``CachedAnswers`` is the ASGI middleware that answers from the cache. While
one request computes an answer, identical requests wait for it instead of
computing it again (after a batch, eight clients asking for the same ranking
cost one query, not eight). Only 200 answers of at most ``MAX_ENTRY`` bytes
are kept, within ``max_bytes`` in all (least recently used first out).
Nothing under ``/internal`` (the hand-off), ``/static`` or the interactive
docs goes through it. Each answer says ``X-Onrecord-Cache: hit`` or ``miss``.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: the default room for kept answers, in MB (``onrecord serve --cache-mb``)
DEFAULT_MB = 64
#: the largest answer kept, in bytes
MAX_ENTRY = 2_000_000
#: addresses never answered from the cache
_PASS = ("/internal/", "/static/", "/docs", "/redoc", "/openapi.json")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class AnswerCache:
    """Successful GET answers of the current generation, least recently used out first."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.generation = 0
        #: a batch is committing (and being indexed): answers computed now are not kept
        self.writing = False
        self._bytes = 0
        self._answers: OrderedDict[bytes, Answer] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: bytes) -> Answer | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: bytes, generation: int, answer: Answer) -> None:
        """Keep ``answer`` if it was computed in the current generation and is small enough."""
        size = _size(key, answer)
        if size > min(MAX_ENTRY, self.max_bytes):
            return
        with self._lock:
            if generation != self.generation:
                return  # computed (at least partly) from the store before a write
            old = self._answers.pop(key, None)
            if old is not None:
                self._bytes -= _size(key, old)
            self._answers[key] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                k, a = self._answers.popitem(last=False)
                self._bytes -= _size(k, a)

    def state(self) -> tuple[int, bool]:
        """The generation and whether a write is under way, read together."""
        with self._lock:
            return self.generation, self.writing

    def begin_write(self) -> None:
        """A batch is about to commit: nothing kept from before, nothing kept meanwhile."""
        self._move_on(writing=True)

    def end_write(self) -> None:
        """The batch is committed (or given up): answers may be kept again."""
        self._move_on(writing=False)

    def _move_on(self, *, writing: bool) -> None:
        with self._lock:
            self.generation += 1
            self.writing = writing
            self._answers.clear()
            self._bytes = 0


def _size(key: bytes, answer: Answer) -> int:
    return len(key) + len(answer.body) + sum(len(k) + len(v) for k, v in answer.headers)


class CachedAnswers:
    """ASGI middleware: GET answers from ``cache`` when it has them, kept when it has not."""

    def __init__(self, app: ASGIApp, cache: AnswerCache) -> None:
        self.app = app
        self.cache = cache
        #: requests being computed now, by address: identical ones wait for them
        self._pending: dict[bytes, asyncio.Future[Answer | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if (
            scope["type"] != "http"
            or scope.get("method") != "GET"
            or not self.cache.enabled
            or path.startswith(_PASS)
        ):
            await self.app(scope, receive, send)
            return
        key = path.encode("utf-8", "surrogateescape") + b"?" + scope.get("query_string", b"")
        answer = self.cache.get(key)
        if answer is None and key in self._pending:
            answer = await asyncio.shield(self._pending[key])
        if answer is not None:
            await _replay(answer, send, b"hit")
            return
        generation, writing = self.cache.state()
        pending: asyncio.Future[Answer | None] = asyncio.get_running_loop().create_future()
        self._pending[key] = pending
        start: Message | None = None
        chunks: list[bytes] = []
        keep = True

        async def capture(message: Message) -> None:
            nonlocal start, keep
            if message["type"] == "http.response.start":
                start = message
                keep = message["status"] == 200
                message = {**message, "headers": [*message.get("headers", []), _MISS]}
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                keep = sum(map(len, chunks)) <= MAX_ENTRY
            await send(message)

        answer = None
        try:
            await self.app(scope, receive, capture)
            if keep and start is not None and not writing:
                headers = tuple((bytes(k), bytes(v)) for k, v in start.get("headers", []))
                answer = Answer(int(start["status"]), headers, b"".join(chunks))
                self.cache.put(key, generation, answer)
        finally:
            if self._pending.get(key) is pending:
                del self._pending[key]
            # waiters arrived while this was computed: they take the answer only if the
            # store did not change meanwhile (else each computes its own)
            fresh = answer is not None and self.cache.state() == (generation, False)
            pending.set_result(answer if fresh else None)


_MISS = (b"x-onrecord-cache", b"miss")


async def _replay(answer: Answer, send: Send, how: bytes) -> None:
    headers = [*answer.headers, (b"x-onrecord-cache", how)]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})

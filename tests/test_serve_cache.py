"""Answers kept between batches (``serve.cache``): what is kept, what is never kept, and that
no answer from before a write is given after it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from onrecord.serve.cache import MAX_ENTRY, Answer, AnswerCache, CachedAnswers


def run_alone(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """``asyncio.run(main())`` on a thread of its own (another test may have left an event
    loop running on this one), its failure raised here."""
    failed: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # handed to the test's thread
            failed.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


def answer(body: bytes = b"{}") -> Answer:
    return Answer(200, ((b"content-type", b"application/json"),), body)


def test_an_answer_computed_before_a_write_is_not_kept_after_it() -> None:
    cache = AnswerCache(10_000)
    generation = cache.generation
    cache.begin_write()  # a batch is written while the answer is being computed
    cache.end_write()
    cache.put(b"/api/quotes?", generation, answer())
    assert cache.get(b"/api/quotes?") is None
    cache.put(b"/api/quotes?", cache.generation, answer(b"[1]"))
    kept = cache.get(b"/api/quotes?")
    assert kept is not None and kept.body == b"[1]"
    cache.begin_write()
    assert cache.get(b"/api/quotes?") is None and len(cache) == 0


def test_the_least_recently_used_answers_go_first_and_big_ones_are_never_kept() -> None:
    cache = AnswerCache(1_000)
    for k in range(3):
        cache.put(f"/a{k}".encode(), 0, answer(b"x" * 300))
    assert cache.get(b"/a0") is not None  # a0 is now the most recently used
    cache.put(b"/a3", 0, answer(b"x" * 300))
    assert cache.get(b"/a1") is None
    assert all(cache.get(k) is not None for k in (b"/a0", b"/a2", b"/a3"))
    cache.put(b"/big", 0, answer(b"x" * 2_000))
    assert cache.get(b"/big") is None
    big = AnswerCache(10 * MAX_ENTRY)
    big.put(b"/huge", 0, answer(b"x" * (MAX_ENTRY + 1)))
    assert big.get(b"/huge") is None


class Counting:
    """A small ASGI app: answers each path with a body naming the path and how many times it
    was computed; ``/slow`` takes 50 ms; ``/missing`` is a 404."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope["path"]
        self.calls[path] = self.calls.get(path, 0) + 1
        if path == "/slow":
            await asyncio.sleep(0.05)
        status = 404 if path == "/missing" else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        body = f"{path} {self.calls[path]}".encode()
        await send({"type": "http.response.body", "body": body})


def counting_app() -> tuple[Counting, AnswerCache, CachedAnswers]:
    """``Counting`` behind the middleware, with room for its answers."""
    inner = Counting()
    cache = AnswerCache(100_000)
    return inner, cache, CachedAnswers(inner, cache)


async def get(app: Any, path: str, method: str = "GET") -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "query_string": b""}
    await app(scope, receive, send)
    return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m["body"] for m in sent[1:])


def test_the_middleware_computes_each_answer_once_per_generation() -> None:
    inner, cache, app = counting_app()

    async def run() -> None:
        first = await get(app, "/api/quotes")
        second = await get(app, "/api/quotes")
        assert first[2] == second[2] == b"/api/quotes 1"
        assert first[1][b"x-onrecord-cache"] == b"miss"
        assert second[1][b"x-onrecord-cache"] == b"hit"
        cache.begin_write()
        cache.end_write()
        assert (await get(app, "/api/quotes"))[2] == b"/api/quotes 2"
        # eight identical requests at once: computed once, the others wait for it
        answers = await asyncio.gather(*(get(app, "/slow") for _ in range(8)))
        assert inner.calls["/slow"] == 1 and {a[2] for a in answers} == {b"/slow 1"}
        # never kept: errors, other methods, the hand-off
        for path, method in (("/missing", "GET"), ("/api/quotes", "POST")):
            await get(app, path, method)
            await get(app, path, method)
        await get(app, "/internal/v1/done")
        await get(app, "/internal/v1/done")
        assert inner.calls["/missing"] == 2 and inner.calls["/internal/v1/done"] == 2
        assert inner.calls["/api/quotes"] == 4

    run_alone(run)


def test_waiting_requests_do_not_take_an_answer_from_before_a_write() -> None:
    _, cache, app = counting_app()

    async def run() -> None:
        leader = asyncio.create_task(get(app, "/slow"))
        await asyncio.sleep(0.01)
        cache.begin_write()  # a batch is written while the first request computes
        cache.end_write()
        follower = await get(app, "/slow")
        assert (await leader)[2] == b"/slow 1"
        assert follower[2] == b"/slow 2"  # computed again, from the store after the write

    run_alone(run)


def test_while_a_batch_is_written_nothing_is_kept_and_nobody_waits_for_an_older_answer() -> None:
    _, cache, app = counting_app()

    async def run() -> None:
        leader = asyncio.create_task(get(app, "/slow"))  # started before the write
        await asyncio.sleep(0.01)
        cache.begin_write()
        # arrives after the write began, before it ends: the leader's answer may predate
        # the commit, so it computes its own
        follower = asyncio.create_task(get(app, "/slow"))
        assert (await leader)[2] == b"/slow 1"
        assert (await follower)[2] == b"/slow 2"
        during = [await get(app, "/api/quotes") for _ in range(2)]  # not kept while writing
        assert [d[2] for d in during] == [b"/api/quotes 1", b"/api/quotes 2"]
        # started during the write (maybe before its commit), finished before its end: an
        # identical request that waited for it computes its own
        second = asyncio.create_task(get(app, "/slow"))
        await asyncio.sleep(0.01)
        waited = await get(app, "/slow")
        assert {(await second)[2], waited[2]} == {b"/slow 3", b"/slow 4"}
        cache.end_write()
        after = [await get(app, "/api/quotes") for _ in range(2)]
        assert [a[2] for a in after] == [b"/api/quotes 3", b"/api/quotes 3"]
        assert [a[1][b"x-onrecord-cache"] for a in after] == [b"miss", b"hit"]

    run_alone(run)


def test_no_room_keeps_nothing() -> None:
    inner = Counting()
    app = CachedAnswers(inner, AnswerCache(0))

    async def run() -> None:
        for _ in range(3):
            status, headers, _ = await get(app, "/api/quotes")
            assert status == 200 and b"x-onrecord-cache" not in headers
        assert inner.calls["/api/quotes"] == 3

    run_alone(run)

"""Accurate mode's tagger in a child process of its own (``ONRECORD_TAGGER_PROCESS=1``).

Importing onnxruntime starts a thread, and the parse ran about 12% slower in
a process with that thread in it (docs/quality.md, "Speed"). Here the parse
stays in a single-threaded process and the tagger runs in a spawned child.
Texts go over one pipe as soon as they are read and results come back over
another, so with a free core the tagger works while the parent parses: 1.33x
the articles/s of one stream on two cores. On one core the two processes
take turns and it was slower than the tagger in-process, so it is opt-in.

The child reads requests on a thread of its own and queues them, so the
parent can send any number of texts ahead without either side blocking on a
full pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onrecord.errors import ModelNotFoundError, OnrecordError

if TYPE_CHECKING:
    from onrecord.accurate.tagger import RawSpan, RoleProbs, Tagger

Spans = list["RawSpan"]

#: seconds the parent waits for the child to load its model
START_TIMEOUT = 120.0


class TaggerProcess:
    """``Tagger.tag_spans`` in a child process: ``submit(key, text)``, then ``result(key)``."""

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        threads: int = 1,
        role_bias: tuple[float, float, float] = (0.0, 0.0, 0.0),
    ) -> None:
        ctx = multiprocessing.get_context("spawn")
        req_recv, self._req = ctx.Pipe(duplex=False)
        self._res, res_send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(
            target=_serve,
            args=(req_recv, res_send, str(model_dir) if model_dir else None, threads, role_bias),
            name="onrecord-tagger",
            daemon=True,
        )
        self._proc.start()
        req_recv.close()
        res_send.close()
        self._done: dict[Any, tuple[Any, ...]] = {}
        self._ignored: set[Any] = set()
        self._closed = False
        if not self._res.poll(START_TIMEOUT):
            self.close()
            raise OnrecordError(f"the tagger process did not start within {START_TIMEOUT:.0f} s")
        status = self._recv()
        if status[0] == "fatal":
            self.close()
            cls = ModelNotFoundError if status[1] == "ModelNotFoundError" else OnrecordError
            raise cls(status[2])

    @property
    def pid(self) -> int | None:
        return self._proc.pid

    def submit(self, key: Any, text: str) -> None:
        """Queue ``text`` for tagging; its spans come back from ``result(key)``."""
        try:
            self._req.send((key, text))
        except OSError:
            raise OnrecordError(
                f"the tagger process ended (exit code {self._proc.exitcode})"
            ) from None

    def result(self, key: Any) -> Spans:
        """The spans of the text submitted under ``key`` (results of other keys are kept)."""
        return self.result_soft(key)[0]

    def result_soft(self, key: Any) -> tuple[Spans, RoleProbs]:
        """The spans and role probabilities (``Tagger.tag_soft``) of the text under ``key``."""
        while key not in self._done:
            msg = self._recv()
            if msg[1] in self._ignored:
                self._ignored.discard(msg[1])
            else:
                self._done[msg[1]] = msg
        status, _, value = self._done.pop(key)
        if status == "error":
            raise OnrecordError(f"the tagger failed: {value}")
        tagged: tuple[Spans, RoleProbs] = value
        return tagged

    def discard(self, key: Any) -> None:
        """Forget a submitted text whose result is no longer wanted (without waiting for it)."""
        if self._done.pop(key, None) is None:
            self._ignored.add(key)

    def tag_spans(self, texts: list[str]) -> list[Spans]:
        """Like ``Tagger.tag_spans``: tag ``texts`` and wait for all of them."""
        return [spans for spans, _ in self.tag_soft(texts)]

    def tag_soft(self, texts: list[str]) -> list[tuple[Spans, RoleProbs]]:
        """Like ``Tagger.tag_soft``: tag ``texts`` and wait for all of them."""
        keys = [("sync", id(texts), n) for n in range(len(texts))]
        for key, text in zip(keys, texts, strict=True):
            self.submit(key, text)
        return [self.result_soft(key) for key in keys]

    def cpu_seconds(self) -> float:
        """User + system CPU seconds the child has used so far (Linux; 0.0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _recv(self) -> tuple[Any, ...]:
        try:
            msg: tuple[Any, ...] = self._res.recv()
        except EOFError:
            code = self._proc.exitcode
            raise OnrecordError(f"the tagger process ended (exit code {code})") from None
        return msg

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError):
            self._req.close()  # the child sees EOF and exits
        self._proc.join(timeout=5)
        if self._proc.is_alive():
            self._proc.kill()
            self._proc.join(timeout=5)
        self._res.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # interpreter shutdown: nowhere to report to
            self.close()


def _serve(
    req: Connection,
    res: Connection,
    model_dir: str | None,
    threads: int,
    role_bias: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> None:
    """The child: load the tagger, then tag what arrives until the parent goes away."""
    try:
        from onrecord.accurate.tagger import Tagger

        tagger = Tagger(model_dir, threads=threads, role_bias=role_bias)
    except Exception as exc:  # sent to the parent, which raises it
        res.send(("fatal", type(exc).__name__, str(exc)))
        return
    res.send(("ready",))
    inbox: queue.Queue[tuple[Any, str] | None] = queue.Queue()

    def read() -> None:
        while True:
            try:
                inbox.put(req.recv())
            except (EOFError, OSError):
                inbox.put(None)
                return

    threading.Thread(target=read, name="requests", daemon=True).start()
    while True:
        item = inbox.get()
        if item is None:
            return
        # one text at a time, one window per run: a text's spans never depend on what else
        # was queued (int8 activations are quantized per batch, so padding would change them)
        res.send(_tag_one(tagger, *item))


def _tag_one(tagger: Tagger, key: Any, text: str) -> tuple[str, Any, Any]:
    try:
        return ("ok", key, tagger.tag_soft([text])[0])
    except Exception as exc:  # reported to the parent for this text
        return ("error", key, f"{type(exc).__name__}: {exc}")

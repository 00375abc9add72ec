"""A live store: `onrecord serve` runs while `onrecord ingest` writes into the same database
(the ingest hands its batches to the server), clients query all along, and either side may be
killed. Real processes, real HTTP on loopback; the articles are fictional."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from conftest import ROOT
from onrecord.ingest.runner import INGEST_NICENESS
from serve_helpers import free_port

pytestmark = pytest.mark.model

PYTHON = sys.executable
ARTICLES = 24


def articles(path: Path, n: int = ARTICLES, start: int = 0) -> Path:
    lines = [
        json.dumps(
            {
                "id": f"ferry-{k}",
                "publisher": "Coastwire" if k % 2 else "Harborline",
                "published": f"2031-05-{1 + k % 28:02d}",
                "text": f"Ferry {k} returns to service\n\nHarbor clerk Mira Holt{k} said on "
                f"Monday that ferry {k} would return to service in June after repairs. "
                f'"The crossing is safe again," Holt{k} told reporters.',
            }
        )
        for k in range(start, start + n)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def onrecord(*args: str) -> list[str]:
    return [PYTHON, "-m", "onrecord.cli.main", *args]


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[bytes]]]:
    """`onrecord serve` over a database holding the examples' text articles: its URL."""
    db = tmp_path / "live.duckdb"
    texts = [str(p) for p in sorted((ROOT / "examples").glob("*.txt"))]
    subprocess.run(onrecord("ingest", *texts, "--db", str(db), "--no-progress", "--workers",
                            "0"), check=True, capture_output=True)  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        onrecord("serve", "--db", str(db), "--port", str(port)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/corpus", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise RuntimeError("onrecord serve did not start")
        time.sleep(0.2)
    try:
        yield url, db, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


class Clients:
    """Threads that query the server until stopped, keeping every status code."""

    def __init__(self, url: str, n: int = 3) -> None:
        self.url = url
        self.codes: Counter[int] = Counter()
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(n)]

    def _run(self, i: int) -> None:
        paths = ["/api/quotes", "/api/speakers", "/api/articles?q=ferry", "/api/statements",
                 "/quotes?about=service", "/"]  # fmt: skip
        with httpx.Client(base_url=self.url, timeout=30) as client:
            k = i
            while not self._stop.is_set():
                path = paths[k % len(paths)]
                k += 1
                try:
                    code = client.get(path).status_code
                except httpx.HTTPError as exc:
                    self.failures.append(f"{path}: {exc!r}")
                    continue
                self.codes[code] += 1

    def __enter__(self) -> Clients:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)


def stored(url: str) -> list[str]:
    items: list[str] = []
    while True:
        page = httpx.get(f"{url}/api/articles", params={"limit": 200, "offset": len(items)}).json()
        items += [a["id"] for a in page["items"]]
        if len(items) >= page["total"]:
            return items


def test_ingest_while_serving_every_request_succeeds_and_every_article_arrives_once(
    live: tuple[str, Path, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    url, db, _ = live
    before = stored(url)
    counted = [httpx.get(f"{url}/api/quotes", params={"limit": 3}) for _ in range(2)]
    assert [r.headers["x-onrecord-cache"] for r in counted] == ["miss", "hit"]
    assert Path(f"{db}.serve.json").stat().st_mode & 0o777 == 0o600
    corpus = articles(tmp_path / "ferries.jsonl")
    with Clients(url) as clients:
        out, err = tmp_path / "ingest.out", tmp_path / "ingest.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            running = subprocess.Popen(
                onrecord("ingest", str(corpus), "--db", str(db), "--no-progress", "--workers",
                         "0", "--batch-size", "4", "--json"),
                stdout=stdout, stderr=stderr, text=True,
            )  # fmt: skip
            niceness = set()
            deadline = time.monotonic() + 600
            while running.poll() is None:  # the ingest gives the server's answers the CPU first
                with contextlib.suppress(OSError):
                    niceness.add(os.getpriority(os.PRIO_PROCESS, running.pid))
                if time.monotonic() > deadline:
                    running.kill()
                    pytest.fail("the ingest did not end within 600 s")
                time.sleep(0.05)
        time.sleep(0.5)  # and queries after the last batch
    assert running.returncode == 0, err.read_text()
    assert INGEST_NICENESS in niceness, niceness
    summary = json.loads(out.read_text())
    assert summary["articles"] == ARTICLES and summary["errors"] == 0
    assert not clients.failures and set(clients.codes) == {200}, (clients.codes, clients.failures)
    assert sum(clients.codes.values()) > 20
    after = stored(url)
    assert len(after) == len(set(after)) == len(before) + ARTICLES
    # an answer kept from before the batches is not given after them
    quotes_after = httpx.get(f"{url}/api/quotes", params={"limit": 3}).json()
    assert quotes_after["total"] > counted[1].json()["total"]
    # the pages see the new articles and their speakers at once
    hits = httpx.get(f"{url}/api/quotes", params={"about": "crossing safe", "limit": 200}).json()
    assert len({q["article_id"] for q in hits["items"]}) == ARTICLES
    found = httpx.get(f"{url}/api/articles", params={"q": "ferry service"}).json()
    assert found["total"] == ARTICLES
    # the same command again adds nothing
    again = subprocess.run(
        onrecord("ingest", str(corpus), "--db", str(db), "--no-progress", "--workers", "0",
                 "--json"), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert again.returncode == 0 and json.loads(again.stdout)["articles"] == 0
    assert stored(url) == after


def test_batches_are_refused_without_the_token(
    live: tuple[str, Path, subprocess.Popen[bytes]],
) -> None:
    url, _, _ = live
    for headers in ({}, {"Authorization": "Bearer not-the-token"}):
        answer = httpx.post(f"{url}/internal/v1/done", json={"sources": []}, headers=headers)
        assert answer.status_code == 403 and "token" in answer.json()["detail"]
    assert "/internal" not in httpx.get(f"{url}/openapi.json").text


def test_killed_ingest_and_killed_server_lose_nothing_and_duplicate_nothing(
    live: tuple[str, Path, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    url, db, server = live
    before = len(stored(url))
    corpus = articles(tmp_path / "ferries.jsonl")
    command = onrecord("ingest", str(corpus), "--db", str(db), "--no-progress", "--workers", "0",
                       "--batch-size", "2")  # fmt: skip
    # the ingest is killed after its first batches are written
    ingest = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len(stored(url)) < before + 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(ingest.pid, signal.SIGKILL)
    ingest.wait()
    partial = stored(url)
    assert before + 4 <= len(partial) < before + ARTICLES
    # then the server is killed while another ingest hands it batches
    ingest = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while len(stored(url)) < len(partial) + 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    server.kill()
    server.wait()
    _, err = ingest.communicate(timeout=300)
    assert ingest.returncode != 0
    message = err.decode().strip().splitlines()[-1]
    assert "does not answer" in message and "run the same command again" in message
    # without the server, the same command finishes the work; nothing twice, nothing lost
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    con = duckdb.connect(str(db), read_only=True)
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM articles").fetchall()]
        ledger = con.execute("SELECT count(*), count(DISTINCT source) FROM sources").fetchone()
        orphans = con.execute(
            "SELECT count(*) FROM attributions WHERE article_id NOT IN (SELECT id FROM articles)"
        ).fetchone()
    finally:
        con.close()
    assert len(ids) == len(set(ids)) == before + ARTICLES
    assert ledger is not None and ledger[0] == ledger[1]
    assert orphans == (0,)

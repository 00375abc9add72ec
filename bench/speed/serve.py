"""A bounded load run of ``onrecord serve`` on loopback: requests/s, p50 / p99 latency.

The database: ``../shared/data/news-pages/news-pages.warc.gz`` plus the PolNeAR train texts,
ingested by the real command (``onrecord ingest --workers 2``) into ``--db`` when it holds no
articles yet (a few minutes; a later run reuses it). The server: the real command
(``onrecord serve``) in its own process. The client: ``--concurrency`` threads with one
keep-alive HTTP connection each, sending ``--requests`` requests per target, after
``--warmup`` requests that are not counted. Targets:

- ``/api/quotes``: a rotation of filters (none, a speaker, full text, a kind, anonymous, a
  later page), the speakers and words taken from the database;
- ``/api/speakers``: the ranking, a later page, a kind, a speaker's words;
- ``/api/articles?q=``: the articles' full-text search, a rotation of words;
- the article page ``/articles/{id}``: a rotation over the first 200 articles.

``--ingest-during WARC``: the database is the PolNeAR train texts only (``--db`` copied from a
base built once), and ``onrecord ingest WARC --db`` runs meanwhile (its batches go to the
server, docs/serve.md). From its first stored batch until it ends, the largest
``--concurrency`` of clients take the targets in turn, each its addresses in turn
(``--requests`` does not apply), so every target is measured while batches commit (each
batch empties the server's answer cache). Reported: latency and errors per target with a
writer at work (requests/s there is the target's share of the mixed load), how many articles
arrived meanwhile, and whether every page of the WARC arrived.

``--cache-mb 0`` runs the server without its answer cache: every answer is computed.

The client runs on the same 2-core machine as the server, so the rates are a floor.

    .venv/bin/python -m bench.speed.serve [--requests 2000] [--concurrency 1 8] [--json]
    .venv/bin/python -m bench.speed.serve --ingest-during \
        ../shared/data/news-pages/news-pages.warc.gz
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
WARC = SHARED / "news-pages" / "news-pages.warc.gz"
POLNEAR_TRAIN = SHARED / "polnear" / "train" / "text"
PY = sys.executable


def build(db: Path, inputs: tuple[Path, ...] = (WARC, POLNEAR_TRAIN)) -> None:
    """Ingest the corpus with the real command; a finished database takes a second to re-check."""
    for path in inputs:
        if not path.exists():
            raise SystemExit(f"{path} is absent (../shared beside the checkout?)")
    started = time.perf_counter()
    cmd = [PY, "-m", "onrecord.cli.main", "ingest", *map(str, inputs), "--db", str(db)]
    subprocess.run([*cmd, "--workers", "2", "--no-progress"], check=False, stdout=sys.stderr)
    print(f"ingest: {time.perf_counter() - started:.0f} s", file=sys.stderr)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, cache_mb: float | None = None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cache = [] if cache_mb is None else ["--cache-mb", str(cache_mb)]
    proc = subprocess.Popen(
        [PY, "-m", "onrecord.cli.main", "serve", "--db", str(db), "--port", str(port), *cache],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/corpus", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("bench.speed.serve: the server did not start within 60 s")


def targets(base: str) -> dict[str, list[str]]:
    with httpx.Client(base_url=base) as c:
        ids = [a["id"] for a in c.get("/api/articles", params={"limit": 200}).json()["items"]]
        names = [s["speaker"] for s in c.get("/api/speakers", params={"limit": 10}).json()["items"]]
    quotes = ["/api/quotes", "/api/quotes?kind=direct", "/api/quotes?anonymous=true"]
    quotes += ["/api/quotes?offset=100&limit=50", "/api/quotes?about=election"]
    quotes += ["/api/quotes?about=said+percent", "/api/quotes?since=2017-01-01"]
    quotes += [f"/api/quotes?speaker={httpx.QueryParams({'s': n})['s']}" for n in names]
    speakers = ["/api/speakers", "/api/speakers?offset=50&limit=50", "/api/speakers?kind=direct"]
    speakers += ["/api/speakers?about=election", "/api/speakers?min_confidence=0.5"]
    words = ["election", "police", "said", "market", "president", "health", "court", "water"]
    return {
        "/api/quotes": quotes,
        "/api/speakers": speakers,
        "/api/articles?q=": [f"/api/articles?q={w}" for w in words],
        "/articles/{id}": [f"/articles/{i}" for i in ids],
    }


class Tally:
    """Latencies (ms), failed requests and cache hits of one target, over one or more loads."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.hits = 0
        self.seconds = 0.0
        self.arrived = 0  # articles stored while this target was under load

    def summary(self, concurrency: int) -> dict[str, Any]:
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return {
            "requests": len(self.latencies),
            "concurrency": concurrency,
            "seconds": round(self.seconds, 2),
            "requests_per_s": round(len(self.latencies) / self.seconds, 1),
            "p50_ms": round(cuts[49], 2),
            "p90_ms": round(cuts[89], 2),
            "p99_ms": round(cuts[98], 2),
            "max_ms": round(max(self.latencies), 2),
            "errors": self.errors,
            "cache_hits": round(self.hits / len(self.latencies), 3),
        }


def load(
    base: str, paths: list[str], *, requests: int, concurrency: int, into: Tally | None = None
) -> Tally:
    """``requests`` GETs over ``concurrency`` threads, added to ``into`` (or a new tally)."""
    tally = into if into is not None else Tally()
    lock = threading.Lock()

    def worker(k: int) -> None:
        mine: list[float] = []
        bad = hit = 0
        with httpx.Client(base_url=base, timeout=30) as c:
            for n in range(k, requests, concurrency):
                t = time.perf_counter()
                r = c.get(paths[n % len(paths)])
                mine.append((time.perf_counter() - t) * 1000)
                bad += r.status_code != 200
                hit += r.headers.get("x-onrecord-cache") == "hit"
        with lock:
            tally.latencies.extend(mine)
            tally.errors += bad
            tally.hits += hit

    tally.seconds += run_clients(worker, concurrency)
    return tally


def run_clients(worker: Callable[[int], None], concurrency: int) -> float:
    """``worker(k)`` on ``concurrency`` threads at once; the seconds until the last ends."""
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def stored_articles(base: str) -> int:
    return int(httpx.get(f"{base}/api/corpus", timeout=30).json()["articles"])


def during_ingest(
    base: str, plan: dict[str, list[str]], ingest: subprocess.Popen[bytes], *, concurrency: int
) -> list[dict[str, Any]]:
    """``concurrency`` clients, each taking the targets in turn (each its addresses in turn),
    from the ingest's first stored batch until the ingest ends: each target's latencies while
    batches keep committing."""
    first = stored_articles(base)
    while stored_articles(base) == first and ingest.poll() is None:
        time.sleep(0.2)
    arrived_from = stored_articles(base)
    names = list(plan)
    tallies = {name: Tally() for name in plan}
    lock = threading.Lock()

    def worker(k: int) -> None:
        mine: list[tuple[str, float, bool, bool]] = []
        with httpx.Client(base_url=base, timeout=30) as c:
            n = k
            while ingest.poll() is None:  # the targets in turn, each its addresses in turn
                name = names[n % len(names)]
                path = plan[name][(n // len(names)) % len(plan[name])]
                n += 1
                t = time.perf_counter()
                r = c.get(path)
                ms = (time.perf_counter() - t) * 1000
                mine.append(
                    (name, ms, r.status_code != 200, r.headers.get("x-onrecord-cache") == "hit")
                )
        with lock:
            for name, ms, bad, hit in mine:
                tallies[name].latencies.append(ms)
                tallies[name].errors += bad
                tallies[name].hits += hit

    seconds = run_clients(worker, concurrency)
    arrived = stored_articles(base) - arrived_from
    rows = []
    for name, t in tallies.items():
        t.seconds = seconds
        rows.append({"target": name, **t.summary(concurrency), "ingest_running": True,
                     "articles_arrived": arrived})  # fmt: skip
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, default=ROOT / "out" / "bench_serve.duckdb")
    ap.add_argument("--requests", type=int, default=2000, help="counted requests per target")
    ap.add_argument("--warmup", type=int, default=100, help="uncounted requests per target")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--ingest-during", type=Path, metavar="PATH", help="ingest this meanwhile")
    ap.add_argument(
        "--cache-mb", type=float, help="the server's --cache-mb (0: every answer computed)"
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    ingest: subprocess.Popen[bytes] | None = None
    if args.ingest_during is not None:
        base_db = args.db.with_name("bench_serve_base.duckdb")
        build(base_db, (POLNEAR_TRAIN,))
        db = args.db.with_name("bench_serve_live.duckdb")
        for suffix in ("", ".wal", ".fts", ".fts-wal", ".fts-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.copy(base_db, db)
    else:
        db = args.db
        build(db)
    proc, base = start_server(db, args.cache_mb)
    ingested: dict[str, Any] = {}
    try:
        corpus = httpx.get(f"{base}/api/corpus").json()
        plan = targets(base)
        if args.ingest_during is not None:
            ingest = subprocess.Popen(
                [PY, "-m", "onrecord.cli.main", "ingest", str(args.ingest_during), "--db",
                 str(db), "--no-progress", "--json"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        results = []
        for name, paths in plan.items():
            load(base, paths, requests=args.warmup, concurrency=1)
            if ingest is not None:
                continue
            for c in args.concurrency:
                tally = load(base, paths, requests=args.requests, concurrency=c)
                results.append({"target": name, **tally.summary(c), "ingest_running": False})
        if ingest is not None:
            results = during_ingest(base, plan, ingest, concurrency=max(args.concurrency))
            out, _ = ingest.communicate(timeout=3600)
            ingested = {"exit": ingest.returncode, **json.loads(out or b"{}")}
            ingested["articles_after"] = httpx.get(f"{base}/api/corpus").json()["articles"]
    finally:
        if ingest is not None and ingest.poll() is None:
            ingest.kill()
        proc.terminate()
        proc.wait(timeout=10)
    report = {
        "corpus": corpus,
        "cpus": os.cpu_count(),
        "cache_mb": args.cache_mb,
        "results": results,
        "ingest": ingested,
    }
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(f"corpus: {corpus['articles']:,} articles, {corpus['attributions']:,} attributions")
        print(
            f"{'target':<16} {'conc':>4} {'req':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'hits':>5}"
        )
        for r in results:
            print(
                f"{r['target']:<16} {r['concurrency']:>4} {r['requests']:>6} "
                f"{r['requests_per_s']:>8} {r['p50_ms']:>8} {r['p99_ms']:>8} "
                f"{r['cache_hits']:>5}"
                + (f"  errors {r['errors']}" if r["errors"] else "")
                + (
                    f"  ({r['articles_arrived']} articles arrived meanwhile)"
                    if r["ingest_running"]
                    else ""
                )
            )
        if ingested:
            print(f"ingest during the load: {ingested}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A soak run of a live store: `onrecord serve` under queries while ingests keep arriving,
with the resident memory of both sides sampled.

    .venv/bin/python -m bench.robustness.soak [--minutes 60] [--clients 4] [--json]

The database starts with the project's examples. Every round, a new `onrecord ingest`
process hands the server a JSON Lines file of `--per-round` fictional articles (new ids each
round, so every round adds articles); meanwhile `--clients` threads query the API and the
pages without pause, every other request at an address never asked before (far pages of
quotes and articles, searches), so that the server's answer cache fills to its bound between
batches. Every `--every` seconds the resident set size (RSS, from /proc) of the
server and of the running ingest is written down. At the end: requests and errors by
status, articles stored against articles sent, and the server's RSS at the start, the peak,
the end and its growth over the second half (the documented bound is what a run measures;
docs/robustness.md).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.speed.serve import free_port

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def articles(path: Path, round_: int, n: int) -> None:
    lines = []
    for k in range(n):
        key = f"{round_}-{k}"
        lines.append(
            json.dumps(
                {
                    "id": f"soak-{key}",
                    "publisher": ("Coastwire", "Harborline", "Tidewatch")[k % 3],
                    "published": f"2031-{1 + round_ % 12:02d}-{1 + k % 28:02d}",
                    "text": f"Pier {key} reopens\n\nHarbor clerk Mira Holt said on Monday that "
                    f'pier {key} would reopen in June after repairs. "The crossing is safe '
                    f'again, and pier {key} is ready," Holt told reporters. Councillor Ewan '
                    f"Stroud said the repairs to pier {key} had cost less than planned.",
                }
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _distinct(k: int) -> str:
    """An address no client asked before (``k`` is unique per request): a page of quotes or of
    articles far down, or a search."""
    return (
        f"/api/quotes?limit=50&offset={k}",
        f"/api/articles?limit=50&offset={k}",
        f"/quotes?about=pier+{k}",
    )[k // 7 % 3]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--per-round", type=int, default=20)
    ap.add_argument("--every", type=float, default=30, help="seconds between memory samples")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "soak.duckdb"
        subprocess.run([PY, "-m", "onrecord.cli.main", "ingest", str(ROOT / "examples"), "--db",
                        str(db), "--no-progress"], check=True, capture_output=True)  # fmt: skip
        port = free_port()
        server = subprocess.Popen(
            [PY, "-m", "onrecord.cli.main", "serve", "--db", str(db), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/corpus", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        codes: Counter[int] = Counter()
        failures: list[str] = []
        stop = threading.Event()

        def client(i: int) -> None:
            paths = ["/api/quotes", "/api/speakers", "/api/statements", "/api/articles?q=pier",
                     "/quotes?about=crossing", "/statements", "/"]  # fmt: skip
            with httpx.Client(base_url=url, timeout=60) as c:
                k = i
                while not stop.is_set():
                    # every other request an address not asked before (k * clients + i is
                    # this request's own number): the server's answer cache fills up to its
                    # bound between batches
                    n = k * args.clients + i
                    path = paths[k // 2 % len(paths)] if k % 2 else _distinct(n)
                    try:
                        codes[c.get(path).status_code] += 1
                    except httpx.HTTPError as exc:
                        failures.append(repr(exc))
                    k += 1

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for t in threads:
            t.start()
        samples: list[dict[str, Any]] = []
        started = time.monotonic()
        sent = rounds = 0
        ingest: subprocess.Popen[bytes] | None = None
        last = 0.0
        try:
            while time.monotonic() - started < args.minutes * 60:
                if ingest is None or ingest.poll() is not None:
                    if ingest is not None and ingest.returncode != 0:
                        failures.append(f"ingest round {rounds} exit {ingest.returncode}")
                    rounds += 1
                    path = Path(tmp) / f"round-{rounds}.jsonl"
                    articles(path, rounds, args.per_round)
                    sent += args.per_round
                    ingest = subprocess.Popen(
                        [PY, "-m", "onrecord.cli.main", "ingest", str(path), "--db", str(db),
                         "--no-progress", "--workers", "0"],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    )  # fmt: skip
                now = time.monotonic() - started
                if now - last >= args.every:
                    last = now
                    samples.append(
                        {
                            "s": round(now),
                            "server_mb": rss_mb(server.pid),
                            "ingest_mb": rss_mb(ingest.pid) if ingest else None,
                            "requests": sum(codes.values()),
                        }
                    )
                time.sleep(0.5)
            if ingest is not None:
                ingest.wait(timeout=600)
                if ingest.returncode != 0:
                    failures.append(f"ingest round {rounds} exit {ingest.returncode}")
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=60)
            stored = httpx.get(f"{url}/api/corpus").json()["articles"]
            server.terminate()
            server.wait(timeout=30)
    server_mb = [s["server_mb"] for s in samples if s["server_mb"]]
    ingest_mb = [s["ingest_mb"] for s in samples if s["ingest_mb"]]
    half = server_mb[len(server_mb) // 2 :] or server_mb
    report = {
        "minutes": args.minutes,
        "rounds": rounds,
        "articles_sent": sent,
        "articles_stored": stored,
        "requests": dict(codes),
        "failures": failures[:20],
        "server_mb": {
            "start": server_mb[0] if server_mb else None,
            "peak": max(server_mb, default=None),
            "end": server_mb[-1] if server_mb else None,
            "second_half_growth": round(half[-1] - half[0], 1) if half else None,
        },
        "ingest_mb_peak": max(ingest_mb, default=None),
        "samples": samples,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(json.dumps({k: v for k, v in report.items() if k != "samples"}, indent=2))
    ok = not failures and set(codes) <= {200} and stored >= sent
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

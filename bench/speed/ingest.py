"""Ingest throughput on 606 real news pages in one WARC file, stage by stage, and peak memory.

    .venv/bin/python -m bench.speed.ingest [--warc PATH] [--limit N] [--workers 1 2] [--json]

Stages, each over the same pages (``../shared/data/news-pages/news-pages.warc.gz``
by default; ``--limit N`` takes the first N pages into a temporary WARC):

1. ``read``: iterate the WARC's HTML responses (warcio), no extraction;
2. ``extract``: + ``prepare`` (trafilatura body and metadata, language check,
   id): what a worker does before the pipeline, in this process;
3. ``bare parse``: ``nlp.pipe`` of the spaCy model alone, as spaCy ships it,
   over the texts that onrecord stores (the English articles), in this
   process — the yardstick; beside it the same model as onrecord runs it
   (faster rule components, ``onrecord.nlp.fastrules``, and numpy's BLAS,
   ``onrecord.nlp.blas``: identical annotations);
4. ``pipeline``: ``Pipeline.pipe(texts, clean=False)`` over the same texts,
   in this process (the parse plus everything onrecord adds to it);
5. ``ingest, N workers``: the real command, ``python -m onrecord.cli.main ingest
   WARC --db <fresh temp db> --workers N``, end to end (start-up, model
   loading, reading, extraction, pipeline, DuckDB writes, full-text index),
   timed from outside; peak memory is the largest sum of the resident sizes
   of the command's processes (sampled from /proc every 0.2 s), with the
   main process's own peak beside it.

Ratios that matter (docs/performance.md): ingest with 1 worker against the
bare parse of the same texts (target >= 0.85), and 2 workers against 1
(target >= 1.7 on 2 cores). These machines are shared: compare numbers
measured in one run only.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
WARC = ROOT.parent / "shared" / "data" / "news-pages" / "news-pages.warc.gz"


def first_pages(src: Path, n: int, dest: Path) -> None:
    """A WARC with the first ``n`` HTML response records of ``src``."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    kept = 0
    with src.open("rb") as fin, dest.open("wb") as fout:
        writer = WARCWriter(fout, gzip=True)
        for record in ArchiveIterator(fin):
            if record.rec_type != "response":
                continue
            writer.write_record(record)
            kept += 1
            if kept >= n:
                break


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def run_ingest(warc: Path, workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.duckdb")
        cmd = [
            sys.executable, "-m", "onrecord.cli.main", "ingest", str(warc), "--db", db,
            "--workers", str(workers), "--json", "--no-progress",
        ]  # fmt: skip
        peak = {"total": 0, "main": 0}
        samples: list[tuple[float, int]] = []
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                sizes = [rss_kb(p) for p in tree(proc.pid)]
                samples.append((time.perf_counter() - started, sum(sizes)))
                peak["total"] = max(peak["total"], sum(sizes))
                peak["main"] = max(peak["main"], rss_kb(proc.pid))
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        sampler.start()
        out, _ = proc.communicate()
        wall = time.perf_counter() - started
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU seconds of the command and every process it waited for (its workers)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        done.set()
        sampler.join()
        summary = json.loads(out)
    pages = summary["articles"] + summary["errors"] + summary["duplicates"]
    # peak total RSS in each quarter of the run: flat when memory does not grow with the corpus
    quarters = [
        round(max((kb for t, kb in samples if q * wall / 4 <= t < (q + 1) * wall / 4), default=0)
              / 1024)
        for q in range(4)
    ]  # fmt: skip
    return {
        "workers": workers,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "pages_per_s": round(pages / wall, 3),
        "articles": summary["articles"],
        "errors": summary["errors"],
        "errors_by_reason": summary["errors_by_reason"],
        "peak_rss_mb": round(peak["total"] / 1024, 1),
        "peak_rss_main_mb": round(peak["main"] / 1024, 1),
        "peak_rss_by_quarter_mb": quarters,
        "duplicates": summary["duplicates"],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warc", type=Path, default=WARC)
    ap.add_argument("--limit", type=int, help="only the first N pages")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.warc.exists():
        print(f"no WARC at {args.warc}", file=sys.stderr)
        return 2

    from onrecord.errors import InputError
    from onrecord.ingest.prepare import prepare
    from onrecord.ingest.runner import quiet_libraries
    from onrecord.pipeline import Pipeline
    from onrecord.read.document import RawDocument
    from onrecord.read.warc import read_warc

    quiet_libraries(30)
    with tempfile.TemporaryDirectory() as tmp:
        warc = args.warc
        if args.limit:
            warc = Path(tmp) / "first.warc.gz"
            first_pages(args.warc, args.limit, warc)
        report: dict[str, Any] = {"warc": str(args.warc), "limit": args.limit}

        t0 = time.perf_counter()
        raw = [d for d in read_warc(warc, extract=False) if isinstance(d, RawDocument)]
        read_s = time.perf_counter() - t0
        pages = len(raw)
        report["pages"] = pages
        report["html_mb"] = round(sum(len(d.html or b"") for d in raw) / 1e6, 1)
        report["read"] = {"seconds": round(read_s, 2), "pages_per_s": round(pages / read_s, 1)}

        t0 = time.perf_counter()
        by_id: dict[str, str] = {}
        reasons: dict[str, int] = {}
        prepared = 0
        for d in raw:
            try:
                prep = prepare(d)
            except InputError as exc:
                reasons[exc.reason] = reasons.get(exc.reason, 0) + 1
                continue
            prepared += 1
            by_id.setdefault(prep.id, prep.doc.text)
        extract_s = time.perf_counter() - t0
        del raw
        # the texts the store keeps: one per article id (pages sharing a URL are one article;
        # the ingest parses at least these, so the ratios below are conservative)
        texts = list(by_id.values())
        words = sum(len(t.split()) for t in texts)
        report["extract"] = {
            "seconds": round(extract_s, 2),
            "pages_per_s": round(pages / extract_s, 1),
            "ms_per_page": round(1000 * extract_s / pages, 1),
            "documents": prepared,
            "articles": len(texts),
            "rejected": reasons,
            "words": words,
        }

        from onrecord.nlp.model import load_model

        pipeline = Pipeline()
        stock = load_model(stock=True)  # the yardstick: spaCy's model as shipped
        for _ in pipeline.pipe(texts[:8], clean=False):  # warm-up
            pass
        for _ in stock.pipe(texts[:8]):
            pass
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in stock.pipe(texts, batch_size=16):
            pass
        bare_s, bare_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in pipeline.nlp.pipe(texts, batch_size=16):
            pass
        fast_s, fast_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in pipeline.pipe(texts, clean=False, batch_size=16):
            pass
        pipe_s, pipe_cpu = time.perf_counter() - t0, time.process_time() - c0
        report["bare_parse"] = {
            "seconds": round(bare_s, 2),
            "cpu_seconds": round(bare_cpu, 2),
            "articles_per_s": round(len(texts) / bare_s, 3),
            "words_per_s": round(words / bare_s),
        }
        report["fast_rules_parse"] = {
            "seconds": round(fast_s, 2),
            "articles_per_s": round(len(texts) / fast_s, 3),
            "speedup": round(bare_s / fast_s, 3),
            "cpu_speedup": round(bare_cpu / fast_cpu, 3),
        }
        report["pipeline"] = {
            "seconds": round(pipe_s, 2),
            "articles_per_s": round(len(texts) / pipe_s, 3),
            "ratio_to_bare": round(bare_s / pipe_s, 3),
            "cpu_ratio_to_bare": round(bare_cpu / pipe_cpu, 3),
        }
        del pipeline, stock

        runs = [run_ingest(warc, n) for n in args.workers]
        report["ingest"] = runs
        for r in runs:
            # the same articles in the ingest's time vs in the bare parse's
            r["articles_per_s"] = round(r["articles"] / r["seconds"], 3)
            r["ratio_to_bare_parse"] = round(bare_s / r["seconds"], 3)
            # the same in CPU seconds: robust to other load on the machine (one worker only:
            # with more, CPU time adds up across cores by design)
            r["cpu_ratio_to_bare_parse"] = round(bare_cpu / r["cpu_seconds"], 3)
        if len(runs) >= 2:
            report["speedup"] = round(runs[0]["seconds"] / runs[-1]["seconds"], 3)

    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    e, b, p = report["extract"], report["bare_parse"], report["pipeline"]
    print(f"{pages} pages ({report['html_mb']} MB of HTML) from {args.warc.name}")
    print(f"  read              {report['read']['pages_per_s']:>8} pages/s")
    print(f"  + extract         {e['pages_per_s']:>8} pages/s ({e['ms_per_page']} ms/page); "
          f"{e['documents']} documents, {e['articles']} distinct articles, "
          f"rejected {e['rejected']}")  # fmt: skip
    print(f"  bare parse        {b['articles_per_s']:>8} articles/s ({b['words_per_s']} words/s), "
          "stock spaCy model: the yardstick")  # fmt: skip
    f = report["fast_rules_parse"]
    print(f"  fast-rules parse  {f['articles_per_s']:>8} articles/s ({f['speedup']}x stock; "
          f"CPU {f['cpu_speedup']}x; onrecord's rules and BLAS, same annotations)")  # fmt: skip
    print(f"  Pipeline.pipe     {p['articles_per_s']:>8} articles/s ({p['ratio_to_bare']}x bare, "
          f"CPU {p['cpu_ratio_to_bare']}x)")  # fmt: skip
    for r in runs:
        print(
            f"  ingest, {r['workers']} worker{'s' if r['workers'] > 1 else ' '} "
            f"{r['pages_per_s']:>8} pages/s, {r['seconds']} s "
            f"({r['ratio_to_bare_parse']}x bare parse; CPU {r['cpu_seconds']} s, "
            f"{r['cpu_ratio_to_bare_parse']}x the bare parse's CPU); "
            f"peak RSS {r['peak_rss_mb']} MB "
            f"(main {r['peak_rss_main_mb']} MB; by quarter {r['peak_rss_by_quarter_mb']}); "
            f"errors {r['errors_by_reason']}, duplicates {r['duplicates']}"
        )
    if "speedup" in report:
        print(f"  {args.workers[-1]} workers vs {args.workers[0]}: {report['speedup']}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The Spark job against ``onrecord ingest`` on the same WARC, in one run.

    .venv/bin/python -m bench.speed.spark [--warc PATH] [--limit N] [--cores 1 2]
        [--compare-archive] [--json]

For each N in ``--cores`` (default 1 and 2), interleaved: the real command
``onrecord ingest WARC --db <fresh db> --workers N`` and the real command
``onrecord spark WARC --out <fresh dir> --master local[N]``, each timed end to
end from outside (Python and JVM start-up, model loading in every worker,
reading, extraction, the pipeline, writing: DuckDB and its full-text index
for ingest, the staged and final Parquet datasets for Spark), with the peak
resident memory of all the command's processes and of its largest Python
worker (sampled every 0.2 s; for Spark, a Python worker is what each executor
core needs beside the JVM).

Reported: pages (input records) per second, stored articles per second, and
the *Spark overhead ratio*: Spark's wall time over ingest's with as many cores
(target for local[2] against ``--workers 2``: at most 1.3). The default input
is ``../shared/data/news-pages/news-pages.warc.gz`` (606 pages); ``--limit N``
takes its first N pages. These machines are shared: compare ratios measured in
one run only.

Local Spark maps the JVM's classes from an archive built once per environment
(``onrecord.spark.jvmcache``): the bench builds it first if it is missing, and
says how long that took, so that no timed run includes the build.
``--compare-archive`` adds, for each N, a Spark run without it
(``ONRECORD_SPARK_CDS=0``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.speed.ingest import WARC, first_pages, rss_kb, tree


def _python_worker(pid: int) -> bool:
    """A Python process the command started (ingest's pool workers, Spark's Python workers)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().startswith("python")
    except OSError:
        return False


def timed(
    cmd: list[str], env: dict[str, str] | None = None
) -> tuple[dict[str, Any], float, float, float]:
    """Run ``cmd``; its JSON summary, wall seconds, peak RSS of all its processes and of the
    largest Python worker (MB)."""
    peak = [0, 0, 0]  # all processes, the largest Python worker, the command's own process
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            pids = tree(proc.pid)
            peak[0] = max(peak[0], sum(rss_kb(p) for p in pids))
            workers = [rss_kb(p) for p in pids[1:] if _python_worker(p)]
            peak[1] = max(peak[1], *workers, 0)
            peak[2] = max(peak[2], rss_kb(proc.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):  # ingest exits 1 when a record failed
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    # ingest --workers 1 has no worker process: it does the work itself
    return json.loads(out), wall, peak[0] / 1024, (peak[1] or peak[2]) / 1024


def row(
    name: str, summary: dict[str, Any], wall: float, mb: float, worker_mb: float
) -> dict[str, Any]:
    pages = summary["articles"] + summary["errors"] + summary["duplicates"]
    return {
        "_summary": summary,
        "run": name,
        "seconds": round(wall, 2),
        "pages": pages,
        "articles": summary["articles"],
        "errors": summary["errors"],
        "duplicates": summary["duplicates"],
        "pages_per_s": round(pages / wall, 3),
        "articles_per_s": round(summary["articles"] / wall, 3),
        "peak_rss_mb": round(mb),
        "peak_worker_rss_mb": round(worker_mb),
    }


def run_ingest(warc: Path, workers: int, tmp: Path) -> dict[str, Any]:
    db = tmp / f"ingest{workers}.duckdb"
    cmd = [sys.executable, "-m", "onrecord.cli.main", "ingest", str(warc), "--db", str(db),
           "--workers", str(workers), "--json", "--no-progress"]  # fmt: skip
    result = row(f"ingest --workers {workers}", *timed(cmd))
    del result["_summary"]
    return result


def run_spark(warc: Path, cores: int, tmp: Path, archive: bool = True) -> dict[str, Any]:
    out = tmp / f"spark{cores}{'' if archive else '-no-archive'}"
    cmd = [sys.executable, "-m", "onrecord.cli.main", "spark", str(warc), "--out", str(out),
           "--master", f"local[{cores}]", "--json"]  # fmt: skip
    env = None if archive else dict(os.environ, ONRECORD_SPARK_CDS="0")
    name = f"spark local[{cores}]{'' if archive else ', no class archive'}"
    result = row(name, *timed(cmd, env))
    summary = result.pop("_summary")
    result["job_seconds"] = summary["seconds"]  # from input planning to the last table
    result["output_mb"] = round(sum(f.stat().st_size for f in out.rglob("*.parquet")) / 1e6, 2)
    result["partitions"] = summary["partitions"]
    return result


def class_archive() -> dict[str, Any]:
    """Build the JVM class archive local Spark uses, if missing (untimed for the runs)."""
    from onrecord.spark import jvmcache
    from onrecord.spark.job import JVM_FLAGS, require_java

    java = require_java()
    path = jvmcache.archive_path(*java)
    started = time.perf_counter()
    present = path.is_file()
    flags = jvmcache.java_flags(*java, JVM_FLAGS)
    return {
        "run": "JVM class archive",
        "archive": str(path) if flags else None,
        "built_seconds": None if present else round(time.perf_counter() - started, 1),
        "archive_mb": round(path.stat().st_size / 1e6) if path.is_file() else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warc", type=Path, default=WARC)
    ap.add_argument("--limit", type=int, help="only the first N pages")
    ap.add_argument("--cores", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--compare-archive", action="store_true",
                    help="also run Spark without its JVM class archive")  # fmt: skip
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not args.warc.exists():
        print(f"bench.speed.spark: {args.warc} is absent (../shared beside the checkout?)")
        return 2
    archive = class_archive()
    print(json.dumps(archive), file=sys.stderr)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        warc = args.warc
        if args.limit:
            warc = tmp / "pages.warc.gz"
            first_pages(args.warc, args.limit, warc)
        for n in args.cores:
            ingest = run_ingest(warc, n, tmp)
            spark = run_spark(warc, n, tmp)
            spark["overhead_ratio"] = round(spark["seconds"] / ingest["seconds"], 3)
            runs = [ingest, spark]
            if args.compare_archive:
                plain = run_spark(warc, n, tmp, archive=False)
                plain["overhead_ratio"] = round(plain["seconds"] / ingest["seconds"], 3)
                runs.append(plain)
            results += runs
            for r in runs:
                print(json.dumps(r), file=sys.stderr)
    if args.json:
        print(json.dumps([archive, *results], indent=2))
        return 0
    built = archive["built_seconds"]
    print(f"JVM class archive: {archive['archive'] or 'none'}"
          + (f" (built in {built} s)" if built is not None else ""))  # fmt: skip
    print(f"{'run':<36} {'wall s':>8} {'pages/s':>8} {'articles/s':>10} {'peak MB':>8} "
          f"{'worker MB':>9} {'spark/ingest':>12}")  # fmt: skip
    for r in results:
        ratio = f"{r['overhead_ratio']:.2f}x" if "overhead_ratio" in r else ""
        print(f"{r['run']:<36} {r['seconds']:>8.1f} {r['pages_per_s']:>8.2f} "
              f"{r['articles_per_s']:>10.2f} {r['peak_rss_mb']:>8} {r['peak_worker_rss_mb']:>9} "
              f"{ratio:>12}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The corpus layer's cost: its share of an ingest, and an update of a large store.

    .venv/bin/python -m bench.speed.corpus ingest [--warc PATH] [--workers N]
    .venv/bin/python -m bench.speed.corpus update --db POLNEAR.duckdb [--articles 10000]

``ingest``: the real ``onrecord ingest`` of the shared WARC into a fresh
store; the writer times every corpus update (``Summary.corpus_seconds``), so
the layer's share is measured in the same run as the ingest it is part of:
``corpus / (wall - corpus)`` is the most it adds (the updates run in the
writing process while the workers parse, so the wall-clock cost is at most
that).

``update``: a store of ``--articles`` articles made from a store of real
records (``--db``, e.g. PolNeAR's 924 texts ingested: docs/quality.md) by
copying its articles under new ids until there are enough (its speakers
repeat: their blocks grow as a corpus' do), the layer built once; then
``--rounds`` times, 10 of its records written again under new ids as one
batch (``Store.write``: insert + corpus update, one transaction), timed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from onrecord.store.database import Store
from onrecord.store.rows import BatchRows

WARC = Path("../shared/data/news-pages/news-pages.warc.gz")


def cpu() -> str:
    name = "unknown CPU"
    flags: set[str] = set()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name") and name == "unknown CPU":
            name = line.split(":", 1)[1].strip()
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
    return f"{name} ({', '.join(f for f in ('avx2', 'avx512_vnni') if f in flags)})"


def bench_ingest(args: argparse.Namespace) -> dict[str, object]:
    from onrecord.ingest.runner import IngestOptions, ingest

    with tempfile.TemporaryDirectory() as tmp:
        options = IngestOptions(db=str(Path(tmp) / "w.duckdb"))
        if args.workers is not None:
            options.workers = args.workers
        started = time.perf_counter()
        summary = ingest([str(args.warc)], options=options)
        wall = time.perf_counter() - started
    return {
        "articles": summary.articles,
        "wall_s": round(wall, 2),
        "corpus_s": round(summary.corpus_seconds, 3),
        "corpus_share": round(summary.corpus_seconds / (wall - summary.corpus_seconds), 4),
    }


def grow(db: Path, articles: int) -> int:
    """Copy the store's articles (and their rows) under new ids until it has ``articles``."""
    import duckdb

    con = duckdb.connect(str(db))
    base = con.execute("SELECT count(*) FROM articles").fetchone()
    n = int(base[0]) if base else 0
    copy = 1
    while n * copy < articles:
        tag = f"'-c{copy}'"
        con.execute("BEGIN")
        con.execute(
            f"INSERT INTO articles SELECT * REPLACE (id || {tag} AS id, source || {tag} AS "
            "source) FROM articles WHERE NOT contains(id, '-c')"
        )
        for child in ("entities", "attributions", "times"):
            con.execute(
                f"INSERT INTO {child} SELECT * REPLACE (article_id || {tag} AS article_id) "
                f"FROM {child} WHERE NOT contains(article_id, '-c')"
            )
        con.execute("COMMIT")
        copy += 1
    con.close()
    return n * copy


def bench_update(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "big.duckdb"
        shutil.copy(args.db, db)
        total = grow(db, args.articles)
        with Store(db) as store:
            started = time.perf_counter()
            built = store.rebuild_corpus()
            rebuild = time.perf_counter() - started
            ids = [
                r[0]
                for r in store.con.execute(
                    "SELECT id FROM articles WHERE NOT contains(id, '-c') ORDER BY id"
                ).fetchall()
            ]
            times, corpus_times = [], []
            for round_ in range(args.rounds):
                rows = BatchRows()
                for aid in ids[round_ * 10 : round_ * 10 + 10]:
                    found = store.record(aid)
                    assert found is not None
                    meta, record = found
                    rows.add_article(
                        record,
                        id=f"{aid}-new{round_}",
                        doc=meta["doc"],
                        url=None,
                        publisher=meta["publisher"],
                        source=f"bench:{aid}:{round_}",
                    )
                started = time.perf_counter()
                written = store.write(rows)
                times.append(time.perf_counter() - started)
                assert written.articles == 10 and written.corpus is not None
                corpus_times.append(written.corpus.seconds)
    return {
        "articles": total,
        "speakers": built.speakers,
        "statements": built.statements,
        "rebuild_s": round(rebuild, 2),
        "write_10_median_s": round(statistics.median(times), 3),
        "write_10_max_s": round(max(times), 3),
        "corpus_update_median_s": round(statistics.median(corpus_times), 3),
        "rounds": args.rounds,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    ing = sub.add_parser("ingest", help="the layer's share of an ingest of the shared WARC")
    ing.add_argument("--warc", type=Path, default=WARC)
    ing.add_argument("--workers", type=int)
    up = sub.add_parser("update", help="10 new articles written into a store of many")
    up.add_argument("--db", type=Path, required=True, help="a store of real records to copy")
    up.add_argument("--articles", type=int, default=10_000)
    up.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    result = bench_ingest(args) if args.what == "ingest" else bench_update(args)
    print(json.dumps({"cpu": cpu(), **result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

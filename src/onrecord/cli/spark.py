"""Command line for scale-out: ``spark`` (the Spark job) and ``load`` (its output into a store).

``register(subparsers)`` adds both to ``onrecord``'s parser (one line in
``cli.build_parser``). Nothing here imports pyspark: ``spark.job`` does, when
a job runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onrecord.errors import InputError
from onrecord.options import PipelineOptions

if TYPE_CHECKING:
    from onrecord.spark.job import JobSummary

_MASTER = re.compile(r"^(local(\[(\d+|\*)(,\d+)?\])?|(spark|yarn|k8s|mesos)(://.*)?)$")


def register(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    """Add ``spark`` and ``load`` to the ``onrecord`` subparsers."""
    sp = sub.add_parser(
        "spark",
        parents=[parents["pipeline"]],
        help="run the ingest on Apache Spark and write the tables as Parquet",
        description="Run the ingest's per-document work on Apache Spark (pip install "
        "'onrecord[spark]'; Java 17+) over WARC files (.warc, .warc.gz), JSON Lines, "
        "Parquet files with a text or html column, folders of them, and manifests "
        "(*.paths, *.paths.gz: one path or URI per line, like CC-NEWS's warc.paths.gz). "
        "Inputs may be local paths or URIs (s3://, s3a://, gs://, hdfs://, abfs://, "
        "https://). Writes the Parquet datasets articles, entities, attributions, times, "
        "errors and sources under --out, with the columns of `onrecord export --parquet` "
        "and the same article ids as `onrecord ingest`; `onrecord load` brings them into a "
        "database. Also runs under spark-submit (see docs/scale.md). Exit code 0 when the "
        "job finished (failed input records are rows of errors/), 2 when it could not run.",
    )
    sp.add_argument("inputs", nargs="+", metavar="INPUT", help="a file, folder, manifest or URI")
    sp.add_argument("--out", required=True, metavar="DIR", help="output folder (or URI)")
    sp.add_argument(
        "--master",
        help="Spark master, e.g. local[2], yarn, spark://host:7077 (default: spark-submit's, "
        "else local[*]: every core)",
    )
    sp.add_argument(
        "--partitions",
        type=int,
        metavar="N",
        help="tasks to split the input into (default: one per file, at least four per core; a "
        "file is split into shards when there are fewer files)",
    )
    sp.add_argument(
        "--batch-size", type=int, default=16, help="documents per nlp.pipe batch (default 16)"
    )
    sp.add_argument(
        "--prefix",
        metavar="URL",
        help="prepended to a manifest's relative paths (e.g. s3://commoncrawl/ or "
        "https://data.commoncrawl.org/); default: the manifest's folder",
    )
    sp.add_argument("--json", action="store_true", help="print the summary as JSON")
    sp.set_defaults(func=cmd_spark)

    ld = sub.add_parser(
        "load",
        parents=[parents["db"]],
        help="load Parquet output of onrecord spark (or export) into the database",
        description="Insert the Parquet datasets under DIR (onrecord spark's --out folder, or "
        "onrecord export --parquet's) into the DuckDB database in one transaction, then "
        "update its full-text index. Articles already stored and input records already done "
        "add nothing, so loading twice is safe.",
    )
    ld.add_argument("directory", type=Path, metavar="DIR", help="the folder of datasets")
    ld.add_argument("--json", action="store_true", help="print what was added as JSON")
    ld.set_defaults(func=cmd_load)


def cmd_spark(args: argparse.Namespace) -> int:
    from onrecord.spark.job import SparkOptions, run_job, spark_session

    if args.partitions is not None and args.partitions < 1:
        raise InputError("--partitions must be at least 1")
    if args.batch_size < 1:
        raise InputError("--batch-size must be at least 1")
    if args.master is not None and not _MASTER.match(args.master):
        raise InputError(
            f"--master {args.master!r}: expected local, local[N], local[*], yarn, "
            "spark://HOST:PORT or k8s://..."
        )
    options = SparkOptions(
        out=args.out,
        master=args.master,
        partitions=args.partitions,
        batch_size=args.batch_size,
        pipeline=PipelineOptions.from_env(model=args.model, mode=args.mode),
        prefix=args.prefix,
        log_level=logging.getLogger().getEffectiveLevel(),
    )
    from onrecord.spark.plan import input_files

    files = input_files(args.inputs, prefix=args.prefix)  # a missing input fails before Spark
    with spark_session(options) as spark:
        summary = run_job(spark, files, options)
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        print(format_job(summary))
    return 0


def format_job(s: JobSummary) -> str:
    from onrecord.cli.format import by_name

    rate = s.records / s.seconds if s.seconds > 0 else 0.0
    lines = [
        f"onrecord spark: {s.records:,} input records from {s.files:,} files in "
        f"{s.seconds:.1f} s ({rate:.1f} records/s, {s.partitions} partitions) into {s.out}",
        f"  {s.articles:,} articles, {s.duplicates:,} duplicates, {s.errors:,} failed "
        f"({s.rows.get('attributions', 0):,} attributions)",
    ]
    if s.reasons:
        lines.append("  failed: " + by_name(s.reasons) + "  (details: the errors dataset)")
    if s.skipped:
        lines.append("  skipped, not articles: " + by_name(s.skipped))
    lines.append(f"  load into a database: onrecord load {s.out} --db FILE")
    return "\n".join(lines)


def cmd_load(args: argparse.Namespace) -> int:
    from onrecord.store.database import Store
    from onrecord.store.load import load_parquet

    if not args.directory.is_dir():
        raise InputError(
            f"{args.directory}: no such folder; give the --out folder of onrecord spark"
        )
    with Store(args.db) as store:
        loaded = load_parquet(store, args.directory)
    if args.json:
        print(json.dumps({"db": args.db, **dataclasses.asdict(loaded)}, indent=2))
    else:
        print(
            f"onrecord load: {loaded.articles:,} new articles, {loaded.duplicates:,} duplicates, "
            f"{loaded.errors:,} errors into {args.db} ({loaded.indexed:,} attributions indexed)"
        )
    return 0

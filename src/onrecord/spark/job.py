"""The Spark job (driver side): plan the tasks, run the partitions, write the tables.

    onrecord spark INPUT... --out DIR [--master local[2]] [--partitions N]
    spark-submit [spark options] .../onrecord/spark/submit.py INPUT... --out DIR

Two steps, both Spark jobs; the driver never holds more than the list of
input files and the final counts:

1. *stage*: ``mapInArrow(worker.run_partition)`` over the tasks; the staged
   rows (one schema for every table, see ``schema``) are written to
   ``DIR/_staging``, partitioned by table;
2. *finish*: the partitions' counts (one small job) give the summary; each
   table is selected from the staged rows and written as the Parquet dataset
   ``DIR/<table>`` with the columns of ``onrecord export --parquet``. Only
   when two tasks can have made one article id (several input files, or an
   id only extraction told) is it deduplicated: the first record in input
   order keeps it, as ``onrecord ingest`` does, the other records are
   ``duplicate`` rows of ``sources`` (the ledger). Then ``_staging`` is
   deleted. (Shards of one file split it by article id: ``worker.records``.)

Datasets: ``articles``, ``entities``, ``attributions``, ``times``,
``errors``, ``sources``, and the corpus layer's ``speakers`` and
``statements`` (``spark.corpus``: one more step over the final tables, by
block). ``onrecord load DIR --db FILE`` brings them into a DuckDB store.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onrecord.errors import OnrecordError
from onrecord.options import PipelineOptions
from onrecord.spark.plan import Task, is_uri, local_name, shard
from onrecord.spark.schema import OUTPUT_TABLES, STATS, columns, staged_ddl
from onrecord.spark.worker import WorkerOptions, preload, run_partition
from onrecord.store.schema import CORPUS_TABLES

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'onrecord[spark]'"
#: the oldest Java PySpark 4 runs on
MIN_JAVA = 17
STAGING = "_staging"
#: default tasks per core when files are fewer: small enough tasks for the cores to finish
#: together (Spark hands the next task to the first free core)
PER_CORE = 4
#: pyarrow's jemalloc starts a background thread in every Python worker; a process with any
#: other thread parses 15-17% slower (docs/performance.md), so local workers start without it
ARROW_MALLOC_VARIABLE = "JE_ARROW_MALLOC_CONF"
ARROW_MALLOC_CONF = "background_thread:false"
#: the local JVM's own flags (besides its log configuration and class archive)
JVM_FLAGS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


@dataclass(slots=True)
class SparkOptions:
    """How to run the job; the CLI fills it once from its arguments."""

    out: str
    master: str | None = None
    #: tasks to split the input into (default: the files, at least 2 per core)
    partitions: int | None = None
    batch_size: int = 16
    #: the pipeline every executor builds (resolved here, on the driver)
    pipeline: PipelineOptions = field(default_factory=PipelineOptions.from_env)
    #: where relative manifest entries live (e.g. s3://commoncrawl/)
    prefix: str | None = None
    log_level: int = logging.WARNING


@dataclass(slots=True)
class JobSummary:
    """What one job did (counted from the datasets it wrote)."""

    out: str
    records: int = 0
    articles: int = 0
    duplicates: int = 0
    errors: int = 0
    files: int = 0
    partitions: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": self.out,
            "records": self.records,
            "articles": self.articles,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "errors_by_reason": dict(sorted(self.reasons.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "rows": self.rows,
            "files": self.files,
            "partitions": self.partitions,
            "seconds": round(self.seconds, 2),
        }


# --------------------------------------------------------------------------- prerequisites


def require_pyspark() -> None:
    """pyspark, pyarrow and pandas (for ``mapInArrow``) are importable, or one clear error."""
    missing = []
    for module in ("pyspark", "pyarrow", "pandas"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise OnrecordError(
            f"{', '.join(missing)} not installed: the Spark job needs the spark extra "
            f"({INSTALL_HINT})"
        )


def java_version(java: str) -> tuple[int | None, str]:
    """The major version of a ``java`` executable (None when it does not run) and what its
    ``-version`` says."""
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None, ""
    text = (done.stderr + done.stdout).strip()
    m = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not m:
        return None, text
    major = int(m.group(1))
    return (int(m.group(2) or 0) if major == 1 else major), text  # "1.8" is Java 8


def require_java() -> tuple[str, str]:
    """A Java runtime PySpark can start (JAVA_HOME, else ``java`` on PATH), or one clear error:
    its path and what its ``-version`` says."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or (home and not Path(java).exists()):
        where = f"JAVA_HOME={home} has no bin/java" if home else "no java on PATH"
        raise OnrecordError(
            f"PySpark needs Java {MIN_JAVA}+ and {where}: install one (Debian: apt-get install "
            "openjdk-17-jre-headless) or set JAVA_HOME"
        )
    version, text = java_version(java)
    if version is None or version < MIN_JAVA:
        found = f"Java {version}" if version else "a java that does not run"
        raise OnrecordError(
            f"PySpark needs Java {MIN_JAVA}+, {java} is {found}: install a newer one or set "
            "JAVA_HOME to it"
        )
    return java, text


def local_cores(master: str | None) -> int:
    """The cores of a local master: ``local[4]`` -> 4; ``local``, ``local[*]`` -> this machine's."""
    m = re.match(r"local\[(\d+)", master or "")
    if m:
        return max(1, int(m.group(1)))
    if master == "local":
        return 1
    return os.cpu_count() or 1


@contextlib.contextmanager
def spark_session(options: SparkOptions) -> Iterator[SparkSession]:
    """The active session (under ``spark-submit``, or one a caller made), else a new one,
    stopped on exit."""
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        yield active
        return
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # launched by spark-submit
    java = require_java() if not submitted else None
    builder: Any = SparkSession.builder.appName("onrecord")
    if options.master:
        builder = builder.master(options.master)
    if not submitted and "PYSPARK_PYTHON" not in os.environ:
        # executors run this interpreter (the one onrecord is installed in); pyspark reads the
        # variable itself when it makes the context
        os.environ["PYSPARK_PYTHON"] = sys.executable
    local = (options.master or "local").startswith("local") and not submitted
    if local:
        # one machine: no web UI, the loopback address, Spark's start-up chatter off
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        # the Python workers inherit this environment: numpy's BLAS on one thread in each
        # (idle BLAS threads slow the parse; see onrecord.nlp.blas)
        from onrecord.nlp.blas import BLAS_THREAD_VARIABLES

        for name in BLAS_THREAD_VARIABLES:
            os.environ.setdefault(name, "1")
        # ... and no jemalloc background thread from pyarrow, their only other thread (about
        # 10% less worker CPU and 3.8 s less over 606 pages on local[2], docs/performance.md)
        os.environ.setdefault(ARROW_MALLOC_VARIABLE, ARROW_MALLOC_CONF)
        log4j = Path(__file__).with_name("log4j2.properties")
        # the JVM only moves Arrow batches and writes Parquet here, on the cores the Python
        # workers need: a JIT that stops at C1 and the serial collector cut its CPU time
        # (24 -> 14 CPU-seconds over start-up and a few small jobs, measured on 2 cores)
        flags = f"-Dlog4j2.configurationFile=file:{log4j} {JVM_FLAGS}"
        if java is not None:  # its classes mapped from an archive (jvmcache: ~3 s sooner)
            from onrecord.spark.jvmcache import java_flags

            flags = f"{flags} {java_flags(*java, JVM_FLAGS)}".strip()
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", str(sys.stderr.isatty()).lower())
            # small tables on one machine: as many shuffle partitions as cores, planned once
            # (the default 200 shuffle tasks, re-planned adaptively, cost seconds here)
            .config("spark.sql.shuffle.partitions", str(local_cores(options.master)))
            .config("spark.sql.adaptive.enabled", "false")
            .config("spark.driver.extraJavaOptions", flags)
        )
    # a failed task is reported in one line (``_job_error``); Spark's own log with -v
    if options.log_level <= logging.INFO:
        builder = builder.config("spark.log.level", "WARN")
    elif not local:
        builder = builder.config("spark.log.level", "ERROR")
    spark = builder.getOrCreate()
    try:
        yield spark
    finally:
        spark.stop()


# --------------------------------------------------------------------------- the job


def run_job(spark: SparkSession, files: list[Task], options: SparkOptions) -> JobSummary:
    """Run the job over ``files`` (``plan.input_files``) on ``spark``, write ``options.out``,
    return what it did."""
    started = time.perf_counter()
    out = _output_path(spark, options.out)
    if not files:
        raise OnrecordError("no input file found")
    sc = spark.sparkContext
    wanted = options.partitions or max(len(files), PER_CORE * sc.defaultParallelism)
    tasks = shard(files, wanted)
    slices = max(1, min(wanted, len(tasks)))
    log.info("%d files, %d tasks in %d partitions", len(files), len(tasks), slices)
    # one row per partition, its number: the tasks go with the function (no Python RDD, whose
    # own Python workers would be handed the next task and load the model a second time)
    groups = tuple(
        tuple(tasks[i * len(tasks) // slices : (i + 1) * len(tasks) // slices])
        for i in range(slices)
    )
    numbers = spark.range(0, slices, 1, slices)
    worker = WorkerOptions(
        batch_size=options.batch_size,
        pipeline=options.pipeline,
        log_level=options.log_level,
    )
    run = functools.partial(run_partition, options=worker, groups=groups)
    staged = numbers.mapInArrow(run, staged_ddl())
    staging = f"{out}/{STAGING}"
    warm = None
    if str(sc.master).startswith("local"):
        # one machine: the Python workers start and load the pipeline (a tiny job, one task per
        # core, submitted first) while the JVM plans the real job and warms up its writer;
        # Spark then hands the real tasks to these same workers
        load = functools.partial(preload, options=worker)
        cores = sc.defaultParallelism
        warm_up = spark.range(0, cores, 1, cores).mapInArrow(load, "id BIGINT")
        warm = ThreadPoolExecutor(1).submit(warm_up.collect)
        time.sleep(0.05)  # its tasks first in the queue
    try:
        staged.write.mode("overwrite").partitionBy("_table").parquet(staging)
        if warm is not None:
            warm.result()
        log.info("records processed and staged in %.1f s", time.perf_counter() - started)
        made = _made(spark, staging)
        # an article id made by two tasks needs the first-in-input-order choice: possible when
        # the tasks read several files (a URL fetched in two), or when an id only extraction
        # told (a saved page's canonical URL) was not the key its record was sharded by
        readable = {t.name for t in tasks if t.kind != "error"}
        dedup = len(readable) > 1 or made.get("late", 0) > 0
        summary = _finish(spark, staging, out, made, dedup)
        log.info("tables written in %.1f s in all", time.perf_counter() - started)
    except Exception as exc:
        raise _job_error(exc) from exc
    _delete(spark, staging)
    summary.files = len(files)
    summary.partitions = slices
    summary.seconds = time.perf_counter() - started
    return summary


def _output_path(spark: SparkSession, out: str) -> str:
    """A local folder as an absolute path when the executors share this machine."""
    if is_uri(out) or not str(spark.sparkContext.master).startswith("local"):
        return out.rstrip("/")
    return str(Path(local_name(out)).resolve())


def _made(spark: SparkSession, staging: str) -> dict[str, int]:
    """What the partitions counted (``worker.run_partition``'s stats rows), summed: one small
    job."""
    from pyspark.sql import functions as F

    staged = spark.read.schema(staged_ddl()).parquet(staging).where(F.col("_table") == STATS)
    tally = staged.groupBy(F.col(f"{STATS}.name").alias("name")).agg(F.sum(f"{STATS}.n"))
    return {str(name): int(n) for name, n in tally.collect()}


def _finish(
    spark: SparkSession, staging: str, out: str, made: dict[str, int], dedup: bool = True
) -> JobSummary:
    """Write the six datasets from the staged rows; with ``dedup``, an article id made by
    several tasks keeps the first record in input order (the others become duplicates)."""
    from onrecord.spark.corpus import corpus_tables

    tables = corpus_tables(_final_tables(spark, staging, dedup))
    _write_tables(tables, out)
    if dedup:
        found = _written_counts(spark, out)
    else:
        found = {**_made_counts(made), **_written_counts(spark, out, CORPUS_TABLES)}
    return _summary(out, made, found)


def _final_tables(spark: SparkSession, staging: str, dedup: bool) -> dict[str, DataFrame]:
    """The six tables, selected from the staged rows, with their columns in the store's order."""
    from pyspark.sql import functions as F

    staged = spark.read.schema(staged_ddl()).parquet(staging)

    def part(table: str) -> DataFrame:
        return staged.where(F.col("_table") == table).select("_order", f"`{table}`.*")

    articles = part("articles")
    tables: dict[str, DataFrame] = {}
    if dedup:
        first = articles.groupBy("id").agg(F.min("_order").alias("_order"))
        tables["articles"] = articles.join(first, ["id", "_order"], "left_semi")
        by_article = first.withColumnRenamed("id", "article_id")
        for child in ("entities", "attributions", "times"):
            tables[child] = part(child).join(by_article, ["article_id", "_order"], "left_semi")
        won = first.withColumn("_won", F.lit(True))
        outcome = F.when(F.col("_won"), F.lit("article")).otherwise(F.lit("duplicate"))
        made_by = articles.join(won, ["id", "_order"], "left")
    else:  # no article id can come from two tasks: every staged article is kept
        for table in ("articles", "entities", "attributions", "times"):
            tables[table] = part(table)
        outcome = F.lit("article")
        made_by = articles
    for table in ("articles", "entities", "attributions", "times"):
        tables[table] = tables[table].select(_names(table))
    tables["errors"] = part("errors").select(_names("errors"))
    tables["sources"] = _ledger(made_by, outcome, part("errors"), part("sources"))
    return tables


def _names(table: str) -> list[str]:
    return [c for c, _ in columns(table)]


def _ledger(made_by: DataFrame, outcome: Any, errors: DataFrame, staged: DataFrame) -> DataFrame:
    """The ``sources`` table: one row per article made (``outcome``: kept or duplicate), per
    error, and the workers' own ledger rows."""
    from pyspark.sql import functions as F

    outcomes = made_by.select(
        F.col("source"),
        outcome.alias("outcome"),
        F.col("id").alias("article_id"),
        F.col("ingested_at").alias("seen_at"),
    )
    failed = errors.select(
        "source",
        F.lit("error").alias("outcome"),
        F.lit(None).cast("string").alias("article_id"),
        F.col("failed_at").alias("seen_at"),
    )
    return outcomes.unionByName(failed).unionByName(staged.select(_names("sources")))


def _write_tables(tables: dict[str, DataFrame], out: str) -> None:
    """Each table as the Parquet dataset ``out/<table>``."""
    # six small jobs, submitted together: Spark runs them side by side on free cores
    with ThreadPoolExecutor(len(OUTPUT_TABLES)) as pool:
        writes = [
            pool.submit(tables[t].write.mode("overwrite").parquet, f"{out}/{t}")
            for t in OUTPUT_TABLES
        ]
        for done in writes:
            done.result()


def _written_counts(
    spark: SparkSession, out: str, only: tuple[str, ...] | None = None
) -> dict[str, int]:
    """Rows per written table, duplicates, failures by reason: counted in one small job
    (``only``: the rows of these tables alone)."""
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F

    written = {t: spark.read.parquet(f"{out}/{t}") for t in only or OUTPUT_TABLES}
    counted = [
        df.groupBy().count().select(F.lit(f"rows {t}").alias("name"), "count")
        for t, df in written.items()
    ]
    if only is None:
        dups = written["sources"].where(F.col("outcome") == "duplicate")
        counted += [
            dups.groupBy().count().select(F.lit("rows duplicates").alias("name"), "count"),
            written["errors"].groupBy("reason").count()
            .select(F.concat(F.lit("reason "), "reason").alias("name"), "count"),
        ]  # fmt: skip
    tally = functools.reduce(DataFrame.unionByName, counted).collect()
    return {str(r["name"]): int(r["count"]) for r in tally}


def _made_counts(made: dict[str, int]) -> dict[str, int]:
    """The same counts when every staged row was written: the partitions' own."""
    found: dict[str, int] = {}
    for t in ("articles", "entities", "attributions", "times", "errors", "duplicates"):
        found[f"rows {t}"] = made.get(f"made_{t}", 0)
    found["rows sources"] = sum(made.get(f"made_{t}", 0) for t in ("articles", "errors", "ledger"))
    for key, n in made.items():
        if key.startswith("reason_"):
            found[f"reason {key.removeprefix('reason_')}"] = n
    return found


def _summary(out: str, made: dict[str, int], found: dict[str, int]) -> JobSummary:
    """The job's summary from the partitions' counts (``made``) and the tables' (``found``)."""
    summary = JobSummary(out=out)
    summary.rows = {t: found.get(f"rows {t}", 0) for t in OUTPUT_TABLES}
    summary.articles = summary.rows["articles"]
    summary.errors = summary.rows["errors"]
    summary.duplicates = found.get("rows duplicates", 0)
    summary.records = made.get("records", 0)
    for key, n in found.items():
        kind, _, name = key.partition(" ")
        if kind == "reason":
            summary.reasons[name] = n
    for key, n in made.items():
        if key.startswith("skipped_"):
            summary.skipped[key.removeprefix("skipped_")] = n
    return summary


def _delete(spark: SparkSession, path: str) -> None:
    """Delete a folder on whatever filesystem Spark writes to (Hadoop's FileSystem API)."""
    sc: Any = spark.sparkContext
    try:
        jpath = sc._jvm.org.apache.hadoop.fs.Path(path)
        jpath.getFileSystem(sc._jsc.hadoopConfiguration()).delete(jpath, True)
    except Exception:  # the staged rows are only left behind
        log.warning("%s: could not delete the staged rows", path, exc_info=True)


def _job_error(exc: Exception) -> OnrecordError:
    """A failed Spark job as one line: an onrecord error raised on an executor keeps its
    message; anything else is named by its last line."""
    if isinstance(exc, OnrecordError):
        return exc
    text = str(exc)
    found = re.findall(r"onrecord\.errors\.\w+: (.+)", text)
    if found:
        return OnrecordError(found[-1].strip())
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    causes = [ln for ln in lines if re.match(r"^[\w.]+(Error|Exception): ", ln)]
    last = (causes or lines or [type(exc).__name__])[-1]
    return OnrecordError(f"the Spark job failed: {last[:300]} (run with -v for Spark's log)")

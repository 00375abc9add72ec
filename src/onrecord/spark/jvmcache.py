"""Faster local Spark start-up: a class-data-sharing archive of the JVM's classes.

A local ``onrecord spark`` run spends about 7 of its seconds before the first
record: starting the JVM and the session, then Spark's first job loading
thousands of classes. Java (13+) can map the classes a run loaded from an
archive instead (*dynamic class-data sharing*); with one, a local run over the
606 news pages of ``../shared`` ends about 3 s sooner (``bench/speed/spark.py
--compare-archive``, docs/performance.md).

The archive is a cache, built once per environment by a child process that runs
a few small Spark jobs under ``-XX:ArchiveClassesAtExit`` (about 25 s), written
under a temporary name and renamed when complete, so a run never maps a
half-written file. It lives in ``$ONRECORD_CACHE_DIR`` (default
``$XDG_CACHE_HOME/onrecord``, else ``~/.cache/onrecord``; about 190 MB), named by
a hash of the Java executable and version, PySpark's version and jars (names,
times and sizes), and this Python, since an archive only fits the class path it
was made with. Each new archive makes the cache drop all but the ``KEEP`` most
recently used ones (a venv made again, or a CI clone, gets a new key every
time; leftovers of killed builds go too). A build that
fails is remembered (``.failed`` beside it: its message) and not retried; runs
go on without an archive. ``ONRECORD_SPARK_CDS=0`` turns the whole thing off.

Only local mode uses it (``job.spark_session``); on a cluster, executors start
once per job and their JVMs are not ours to configure.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from onrecord.options import ENV_CACHE_DIR, ENV_SPARK_CDS, cache_dir, env_flag

log = logging.getLogger(__name__)

#: set to 0 to run without the archive (and never build one)
ENV_SWITCH = ENV_SPARK_CDS
ENV_DIR = ENV_CACHE_DIR
#: the child that builds the archive: Spark start-up plus a few small jobs
BUILD_TIMEOUT_S = 300
#: archives kept in the cache after a build: the most recently used ones (~190 MB each)
KEEP = 3
#: a temporary file this old is a killed build's leftover
STALE_TMP_S = 2 * BUILD_TIMEOUT_S
#: the JVM verifies the archive's checksums when mapping it and says nothing about it
USE_FLAGS = ("-XX:+VerifySharedSpaces", "-Xlog:cds=off", "-Xlog:cds+dynamic=off")


def enabled() -> bool:
    return env_flag(ENV_SPARK_CDS, default=True)


def archive_path(java: str, java_version: str) -> Path:
    """Where the archive for this Java, this PySpark and this Python lives."""
    import pyspark

    jars = Path(pyspark.__file__).parent / "jars"
    # the JVM refuses an archive when a jar's time or size differs from the build's (a venv
    # made again in the same place): they are part of the key, so a new archive is built
    stats = [(p.name, p.stat()) for p in jars.glob("*.jar")] if jars.is_dir() else []
    stamps = sorted(f"{name} {st.st_mtime_ns} {st.st_size}" for name, st in stats)
    key = "\n".join(
        [os.path.realpath(java), java_version, pyspark.__version__, str(jars), *stamps, sys.prefix]
    )
    digest = hashlib.sha1(key.encode()).hexdigest()[:16]
    return cache_dir() / f"spark-{pyspark.__version__}-{digest}.jsa"


def java_flags(java: str, java_version: str, base_flags: str) -> str:
    """The JVM flags that map the archive, building it first when it is missing ("" when the
    archive is turned off or cannot be had)."""
    if not enabled():
        return ""
    path = archive_path(java, java_version)
    failed = path.with_suffix(".failed")
    if not path.is_file():
        if failed.is_file():
            log.debug("no JVM class archive: an earlier build failed (%s)", failed)
            return ""
        if not build(path, base_flags):
            return ""
        prune(path.parent, keep=path)
    else:
        with contextlib.suppress(OSError):  # "recently used" is the file's time
            os.utime(path)
    return " ".join([f"-XX:SharedArchiveFile={path}", *USE_FLAGS])


def build(path: Path, base_flags: str) -> bool:
    """Build the archive at ``path`` in a child process; True when it is there."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("no JVM class archive (Spark starts as usual): %s", exc)
        return False
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    started = time.perf_counter()
    log.warning(
        "caching Spark's JVM classes for a faster start (once for this environment, "
        "about 25 s): %s",
        path,
    )
    env = dict(os.environ, **{ENV_SWITCH: "0"})
    command = [sys.executable, "-m", "onrecord.spark.jvmcache", str(tmp), base_flags]
    message = ""
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S
        )
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            message = f"exit code {done.returncode}: {lines[-1] if lines else 'no output'}"
        elif not tmp.is_file() or tmp.stat().st_size == 0:
            message = "the JVM wrote no archive"
    except (OSError, subprocess.TimeoutExpired) as exc:
        message = f"{type(exc).__name__}: {exc}"
    if message:
        tmp.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.with_suffix(".failed").write_text(message + "\n", encoding="utf-8")
        log.warning("no JVM class archive (Spark starts as usual): %s", message)
        return False
    os.replace(tmp, path)  # complete: only now under the name runs look for
    log.info("JVM class archive built in %.1f s", time.perf_counter() - started)
    return True


def prune(folder: Path, keep: Path | None = None) -> list[Path]:
    """Delete all but the ``KEEP`` most recently used archives in ``folder`` (``keep`` stays
    in any case), and temporary files of builds that died; returns what was deleted. Deleting
    an archive another JVM has mapped is safe: the mapping outlives the name."""
    now = time.time()
    dated: list[tuple[float, Path]] = []
    gone: list[Path] = []
    for p in folder.glob("spark-*.jsa*"):
        try:
            mtime = p.stat().st_mtime
        except OSError:
            continue
        if p.suffix == ".jsa":
            dated.append((mtime, p))
        elif p.name.endswith(".tmp") and now - mtime > STALE_TMP_S:
            gone.append(p)
    dated.sort(reverse=True)
    kept = {keep} if keep is not None else set()
    for _, p in dated:
        if len(kept) < KEEP or p == keep:
            kept.add(p)
        else:
            gone.append(p)
    deleted = []
    for p in gone:
        try:
            p.unlink()
            deleted.append(p)
        except OSError as exc:
            log.debug("could not delete %s: %s", p, exc)
    if deleted:
        log.info("dropped %d old JVM class archive file(s) from %s", len(deleted), folder)
    return deleted


def _record_classes(out: str, base_flags: str) -> None:
    """The child: a local session whose JVM writes the classes it loaded to ``out`` when it
    exits, through the kinds of jobs ``onrecord spark`` runs (Arrow in and out of Python,
    partitioned Parquet written and read back, a grouping, a join)."""
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    flags = f"{base_flags} -XX:ArchiveClassesAtExit={out} -XX:+VerifySharedSpaces"
    spark = (
        SparkSession.builder.master("local[1]")
        .appName("onrecord-jvm-cache")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.driver.extraJavaOptions", flags)
        .getOrCreate()
    )
    scratch = Path(out).with_suffix(".work")

    def same(batches):  # type: ignore[no-untyped-def]
        yield from batches

    try:
        rows = spark.range(0, 8, 1, 2).withColumn("t", (F.col("id") % 2).cast("string"))
        staged = rows.mapInArrow(same, "id BIGINT, t STRING")
        staged.write.mode("overwrite").partitionBy("t").parquet(str(scratch / "staged"))
        back = spark.read.schema("id BIGINT, t STRING").parquet(str(scratch / "staged"))
        firsts = back.groupBy("t").agg(F.min("id").alias("id"))
        back.join(firsts, ["t", "id"], "left_semi").write.mode("overwrite").parquet(
            str(scratch / "out")
        )
        back.groupBy().count().collect()
    finally:
        gateway = spark.sparkContext._gateway
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)
        # the JVM writes the archive as it exits: end it and wait, so that the parent renames
        # a complete file
        proc = getattr(gateway, "proc", None)
        if proc is not None:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=BUILD_TIMEOUT_S)


if __name__ == "__main__":
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    _record_classes(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "")

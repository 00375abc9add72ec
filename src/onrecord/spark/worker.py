"""One Spark partition: its tasks' records -> ``process_batch`` -> staged Arrow record batches.

This is ``onrecord ingest`` with one worker, minus the store: the same
readers, the same batching (``ingest.runner.make_batches``: a record whose
article this partition already made is a duplicate before any work), the same
``process_batch``. The pipeline is loaded once per Python worker process
(Spark reuses its Python workers between tasks) and kept for every later task.
"""

from __future__ import annotations

import logging
import os
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from onrecord.ingest.prepare import early_id
from onrecord.ingest.runner import (
    Batch,
    ErrorItem,
    Summary,
    make_batches,
    process_batch,
    quiet_libraries,
)
from onrecord.options import PipelineOptions
from onrecord.read.document import RawDocument, RecordError
from onrecord.read.sources import ReadStats
from onrecord.spark.plan import Task
from onrecord.spark.schema import batch_tables, stats_batch
from onrecord.spark.streams import task_records

if TYPE_CHECKING:
    import pyarrow as pa

    from onrecord.pipeline import Pipeline

log = logging.getLogger(__name__)

_pipelines: dict[PipelineOptions, Pipeline] = {}


@dataclass(slots=True, frozen=True)
class WorkerOptions:
    """What every partition needs to know (pickled with the partition function)."""

    batch_size: int = 16
    pipeline: PipelineOptions = field(default_factory=PipelineOptions)
    log_level: int = logging.WARNING


def pipeline_for(options: WorkerOptions) -> Pipeline:
    """This process's pipeline: loaded on first use, then kept for the worker's life."""
    key = options.pipeline
    if key not in _pipelines:
        from onrecord.pipeline import Pipeline

        started = time.perf_counter()
        _pipelines[key] = Pipeline(options=options.pipeline)
        log.info(
            "pipeline loaded in %.1f s (process %d)", time.perf_counter() - started, os.getpid()
        )
    return _pipelines[key]


def preload(batches: Iterator[pa.RecordBatch], options: WorkerOptions) -> Iterator[pa.RecordBatch]:
    """A ``mapInArrow`` function that only loads the pipeline (``job`` warms the workers with it
    while the JVM plans the real job)."""
    logging.basicConfig(level=options.log_level, format="onrecord[spark]: %(message)s")
    quiet_libraries(options.log_level)
    pipeline_for(options)
    yield from batches


class _Made:
    """The ledger of one partition: no record is done before; articles made so far are stored."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def done(self, sources: list[str]) -> set[str]:
        return set()

    def stored(self, ids: list[str]) -> set[str]:
        return self.ids.intersection(ids)


def _key(item: RawDocument | RecordError) -> str:
    return item.source or item.doc if isinstance(item, RawDocument) else item.source


def shard_of(key: str, shards: int) -> int:
    """The shard of ``shards`` a record belongs to, by a stable hash of its key (every process
    and machine agrees on it).

    Shares decrease with the shard's number (shard ``k`` of ``K`` gets a share
    proportional to ``K + 2 - k``): Spark starts the tasks in that order, so the
    last ones to run are the shortest and the cores finish close together
    (with equal shares one core sat idle for the last ~6 s of a 75 s job).
    """
    h = zlib.crc32(key.encode("utf-8", "surrogatepass")) / 2**32  # in [0, 1)
    total = shards * (shards + 5) // 2  # the sum of K + 2 - k over k = 0..K-1
    point, upto = h * total, 0
    for k in range(shards):
        upto += shards + 2 - k
        if point < upto:
            return k
    return shards - 1


def _early(item: RawDocument | RecordError) -> str | None:
    return early_id(item) if isinstance(item, RawDocument) else None


def records(
    tasks: list[Task], stats: ReadStats, orders: dict[str, int], batch_size: int
) -> Iterator[list[RawDocument | RecordError]]:
    """This partition's part of each batch ``onrecord ingest`` makes of its tasks' files.

    A shard keeps the records whose article id (known before any work from the
    URL, else the record's source) hashes to it, so every copy of a re-fetched
    URL in a file meets in one task, in input order, in the batches it has in
    ``onrecord ingest`` (minus the other shards' records). ``orders`` receives
    each kept record's input order (file index, then its number in the file),
    by source.
    """
    for task in tasks:
        # every shard reads the whole file: one of them counts what the reader skipped
        task_stats = stats if task.shard == 0 else ReadStats()
        kept: list[RawDocument | RecordError] = []
        current = 0
        for n, item in enumerate(task_records(task, task_stats)):
            if n // batch_size != current:
                if kept:
                    yield kept
                kept, current = [], n // batch_size
            if task.shards > 1:
                key = _early(item) or _key(item)
                if shard_of(key, task.shards) != task.shard:
                    continue
            orders[_key(item)] = (task.index << 32) | n
            kept.append(item)
        if kept:
            yield kept


def join_parts(
    parts: Iterable[list[RawDocument | RecordError]], made: _Made, size: int, summary: Summary
) -> Iterator[tuple[Batch, int]]:
    """Parts of ingest batches, joined into batches of about ``size`` records for the pipeline;
    each with how many of its records had no article id before extraction.

    Each part is sorted out as ``onrecord ingest`` sorts out its batch
    (``make_batches``: duplicates of an article made earlier, before any work);
    parts are joined while their article ids differ, so that a record's
    outcome (article, duplicate or error) is the one it has in ``onrecord
    ingest``. A part with a record whose id only extraction tells is not joined.
    """
    docs: list[RawDocument] = []
    errors: list[ErrorItem] = []
    duplicates: list[tuple[str, str]] = []
    ids: set[str | None] = set()
    count = late = 0
    alone = False
    for part in parts:
        part_ids = {_early(i) for i in part if isinstance(i, RawDocument)}
        unknown = None in part_ids
        if count and (alone or unknown or not ids.isdisjoint(part_ids)):
            yield (docs, errors, duplicates), late
            docs, errors, duplicates, ids, count, late = [], [], [], set(), 0, 0
        # the part's ids are not among the pending ones: what was made so far decides
        for d, e, u in make_batches(part, made, len(part), summary):
            docs += d
            errors += e
            duplicates += u
        ids |= part_ids
        count += len(part)
        late += sum(1 for i in part if isinstance(i, RawDocument) and _early(i) is None)
        alone = unknown
        if count >= size:
            yield (docs, errors, duplicates), late
            docs, errors, duplicates, ids, count, late = [], [], [], set(), 0, 0
    if docs or errors or duplicates:
        yield (docs, errors, duplicates), late


def run_partition(
    batches: Iterator[pa.RecordBatch],
    options: WorkerOptions,
    groups: tuple[tuple[Task, ...], ...],
) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: group numbers in (``id``: the tasks of ``groups[id]``),
    staged rows (``schema``) out."""
    from pyspark import TaskContext

    started, cpu = time.perf_counter(), time.process_time()
    logging.basicConfig(level=options.log_level, format="onrecord[spark]: %(message)s")
    quiet_libraries(options.log_level)
    tasks = [t for batch in batches for i in batch.column("id").to_pylist() for t in groups[i]]
    context = TaskContext.get()
    partition = context.partitionId() if context is not None else 0
    stats = ReadStats()
    summary = Summary()
    made = _Made()
    orders: dict[str, int] = {}
    size = max(1, options.batch_size)
    parts = records(tasks, stats, orders, size)
    made_rows = dict.fromkeys(("articles", "entities", "attributions", "times", "errors",
                               "ledger", "duplicates"), 0)  # fmt: skip
    reasons: dict[str, int] = {}
    late = 0
    for (docs, errors, duplicates), unknown in join_parts(parts, made, size, summary):
        rows = process_batch(pipeline_for(options), docs, errors, duplicates)
        made.ids.update(rows.tables["articles"]["id"])
        late += unknown
        now = datetime.now(UTC).replace(tzinfo=None)
        yield from batch_tables(rows, orders, now=now, batch=partition + 1)
        for table in ("articles", "entities", "attributions", "times", "errors"):
            made_rows[table] += len(next(iter(rows.tables[table].values()), ()))
        made_rows["ledger"] += len(rows.ledger)
        made_rows["duplicates"] += sum(1 for _, outcome, _ in rows.ledger if outcome == "duplicate")
        for reason in rows.tables["errors"]["reason"]:
            reasons[reason] = reasons.get(reason, 0) + 1
        for source in (*rows.tables["articles"]["source"], *rows.tables["errors"]["source"],
                       *(s for s, _, _ in rows.ledger)):  # fmt: skip
            orders.pop(source, None)
    log.info(
        "partition %d: %d records, %d tasks in %.1f s (%.1f s CPU, process %d)",
        partition,
        summary.records,
        len(tasks),
        time.perf_counter() - started,
        time.process_time() - cpu,
        os.getpid(),
    )
    # what the partition made, for the job's summary; ``late``: records whose article id only
    # extraction told (another task may have made the same article)
    counts = {"records": summary.records, "late": late}
    counts.update({f"skipped_{k}": v for k, v in stats.all_skipped().items() if v})
    counts.update({f"made_{t}": n for t, n in made_rows.items()})
    counts.update({f"reason_{r}": n for r, n in reasons.items()})
    yield stats_batch(counts)

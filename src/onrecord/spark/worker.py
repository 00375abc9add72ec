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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..ingest.runner import Summary, make_batches, process_batch, quiet_libraries
from ..ingest.sources import ReadStats
from ..read import RawDocument, RecordError
from .plan import Task
from .schema import batch_tables, stats_batch
from .streams import task_records

if TYPE_CHECKING:
    import pyarrow as pa

    from ..pipeline import Pipeline

log = logging.getLogger(__name__)

_pipelines: dict[tuple[str | None, str], Pipeline] = {}


@dataclass(slots=True, frozen=True)
class WorkerOptions:
    """What every partition needs to know (pickled with the partition function)."""

    batch_size: int = 16
    model: str | None = None
    mode: str = "fast"
    log_level: int = logging.WARNING


def pipeline_for(options: WorkerOptions) -> Pipeline:
    """This process's pipeline: loaded on first use, then kept for the worker's life."""
    key = (options.model, options.mode)
    if key not in _pipelines:
        from ..pipeline import Pipeline

        started = time.perf_counter()
        _pipelines[key] = Pipeline(options.model, mode=options.mode)
        log.info(
            "pipeline loaded in %.1f s (process %d)", time.perf_counter() - started, os.getpid()
        )
    return _pipelines[key]


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


def records(
    tasks: list[Task], stats: ReadStats, orders: dict[str, int], batch_size: int
) -> Iterator[RawDocument | RecordError]:
    """The records of this partition's tasks, each shard keeping its own batches.

    ``orders`` receives each kept record's input order (file index, then the
    record's number in the file), by source.
    """
    for task in tasks:
        # every shard reads the whole file: one of them counts what the reader skipped
        task_stats = stats if task.shard == 0 else ReadStats()
        for n, item in enumerate(task_records(task, task_stats)):
            if (n // batch_size) % task.shards != task.shard:
                continue
            orders[_key(item)] = (task.index << 32) | n
            yield item


def run_partition(
    batches: Iterator[pa.RecordBatch], options: WorkerOptions
) -> Iterator[pa.RecordBatch]:
    """The ``mapInArrow`` function: task rows in, staged rows (``schema``) out."""
    from pyspark import TaskContext

    started, cpu = time.perf_counter(), time.process_time()
    logging.basicConfig(level=options.log_level, format="onrecord[spark]: %(message)s")
    quiet_libraries(options.log_level)
    tasks = [Task(**row) for batch in batches for row in batch.to_pylist()]
    context = TaskContext.get()
    partition = context.partitionId() if context is not None else 0
    stats = ReadStats()
    summary = Summary()
    made = _Made()
    orders: dict[str, int] = {}
    size = max(1, options.batch_size)
    items = records(tasks, stats, orders, size)
    for docs, errors, duplicates in make_batches(items, made, size, summary):
        rows = process_batch(pipeline_for(options), docs, errors, duplicates)
        made.ids.update(rows.tables["articles"]["id"])
        now = datetime.now(UTC).replace(tzinfo=None)
        yield from batch_tables(rows, orders, now=now, batch=partition + 1)
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
    counts = {"records": summary.records}
    counts.update({f"skipped_{k}": v for k, v in stats.all_skipped().items() if v})
    yield stats_batch(counts)

"""An executor's part of reading: one task's file, opened as a stream, as input records.

Local files are read by ``read.sources.read_input`` (what ``onrecord ingest`` does); files
named by a URI are streamed (``read.uri``), Parquet row by row (``read.parquet``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from onrecord.errors import InputError
from onrecord.read.document import RawDocument, RecordError
from onrecord.read.jsonl import iter_jsonl
from onrecord.read.parquet import read_parquet
from onrecord.read.sources import ReadStats, file_error, read_input
from onrecord.read.uri import open_uri
from onrecord.read.warc import iter_warc
from onrecord.spark.plan import Task


def task_records(task: Task, stats: ReadStats) -> Iterator[RawDocument | RecordError]:
    """Every input record of one task's file, in file order (all shards read them all)."""
    if task.kind == "error":
        yield RecordError(
            task.message or task.name,
            reason=task.reason or "unreadable",
            path=task.name,
            line=0,
            source=task.name,
        )
        return
    if task.kind == "local":
        yield from read_input(task.name, stats)
        return
    try:
        if task.kind == "parquet":
            yield from read_parquet(task.name)
            return
        with open_uri(task.name) as (handle, size):
            if task.kind == "warc":
                yield from iter_warc(handle, name=task.name, size=size, extract=False,
                                     stats=stats.warc)  # fmt: skip
            else:
                stem = PurePosixPath(urlsplit(task.name).path).stem
                yield from iter_jsonl(handle, name=task.name, stem=stem, allow_html=True)
    except RecordError as exc:
        yield exc
    except InputError as exc:
        yield file_error(task.name, exc)

"""An executor's part of reading: one task's file, opened as a stream, as input records.

Local files are read by ``ingest.sources.read_input`` (what ``onrecord ingest``
does). Files named by a URI are streamed: ``http(s)://`` with urllib, any
other scheme through pyarrow's filesystems (``s3://`` — and Hadoop's
``s3a://``/``s3n://`` spellings —, ``gs://``, ``hdfs://``, ``abfs://``; the
usual credentials of each, e.g. the AWS chain for S3). Parquet files give one
record per row (``text`` or ``html``, and optional ``id``, ``url``,
``published``, ``title``), named ``file:row``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from onrecord.errors import InputError
from onrecord.read.document import RawDocument, RecordError, iter_jsonl, object_document
from onrecord.read.sources import ReadStats, file_error, read_input
from onrecord.read.warc import iter_warc
from onrecord.spark.plan import Task

#: Parquet columns read (others are ignored)
PARQUET_COLUMNS = ("id", "text", "html", "url", "published", "title")
#: rows per Arrow batch read from a Parquet file
_PARQUET_ROWS = 256
_HADOOP_S3 = re.compile(r"^s3[an]://", re.I)


@contextlib.contextmanager
def open_uri(uri: str, *, seekable: bool = False) -> Iterator[tuple[BinaryIO, int | None]]:
    """An open binary stream of ``uri`` and its size when known; ``InputError`` if it can't."""
    scheme = urlsplit(uri).scheme.lower()
    if scheme in ("http", "https"):
        if seekable:
            raise InputError(f"{uri}: Parquet over http(s) needs random access; copy it first",
                             reason="unsupported")  # fmt: skip
        import urllib.error
        import urllib.request

        try:
            response = urllib.request.urlopen(uri, timeout=120)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise InputError(f"{uri}: cannot be fetched ({exc})", reason="unreadable") from exc
        with response:
            length = response.headers.get("Content-Length")
            yield response, int(length) if length and length.isdigit() else None
        return
    from pyarrow import fs

    try:
        filesystem, path = fs.FileSystem.from_uri(_HADOOP_S3.sub("s3://", uri))
        info = filesystem.get_file_info(path)
        if info.type == fs.FileType.NotFound:
            raise InputError(f"{uri}: no such file; check the path", reason="unreadable")
        handle = (
            filesystem.open_input_file(path) if seekable else filesystem.open_input_stream(path)
        )
    except InputError:
        raise
    except Exception as exc:  # pyarrow raises OSError, ArrowInvalid, ArrowNotImplementedError
        raise InputError(f"{uri}: cannot be opened ({exc})", reason="unreadable") from exc
    with handle:
        yield handle, info.size


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


def read_parquet(name: str) -> Iterator[RawDocument | RecordError]:
    """The rows of a Parquet file as documents (or row errors); ``InputError`` for the file."""
    import pyarrow.parquet as pq

    stem = PurePosixPath(urlsplit(name).path if "://" in name else name).stem
    with contextlib.ExitStack() as stack:
        if "://" in name:
            source: Any = stack.enter_context(open_uri(name, seekable=True))[0]
        else:
            source = name
        try:
            parquet = pq.ParquetFile(source)
        except FileNotFoundError as exc:
            raise InputError(f"{name}: no such file; check the path", reason="unreadable") from exc
        except Exception as exc:  # ArrowInvalid and friends: not Parquet
            raise InputError(f"{name}: not a readable Parquet file ({exc})",
                             reason="bad_parquet") from exc  # fmt: skip
        present = [c for c in PARQUET_COLUMNS if c in parquet.schema_arrow.names]
        if "text" not in present and "html" not in present:
            raise InputError(
                f"{name}: no text or html column (it has: "
                f"{', '.join(parquet.schema_arrow.names)}); one of them is needed",
                reason="bad_field",
            )
        row = 0
        for batch in parquet.iter_batches(batch_size=_PARQUET_ROWS, columns=present):
            for values in batch.to_pylist():
                row += 1
                obj = {k: _plain(v) for k, v in values.items()}
                try:
                    yield object_document(obj, name=name, stem=stem, lineno=row, allow_html=True)
                except RecordError as exc:
                    yield exc


def _plain(value: Any) -> Any:
    """A date column is a date string; binary html is decoded by the page reader later."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value

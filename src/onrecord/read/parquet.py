"""Parquet: one document per row (``text`` or ``html``, and optional ``id``, ``url``,
``published``, ``title``), named ``file:row``; local files or URIs (``read.uri``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from onrecord.errors import InputError
from onrecord.read.document import RawDocument, RecordError
from onrecord.read.jsonl import object_document
from onrecord.read.uri import open_uri

#: Parquet columns read (others are ignored)
PARQUET_COLUMNS = ("id", "text", "html", "url", "published", "title")
#: rows per Arrow batch read from a Parquet file
_PARQUET_ROWS = 256


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

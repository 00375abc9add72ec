"""Plain text: one file, or standard input, as one ``RawDocument``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

from onrecord.errors import InputError
from onrecord.read.document import (
    MAX_TEXT_BYTES,
    RawDocument,
    decode_bytes,
    megabytes,
    normalize_newlines,
    too_large,
    unreadable,
)

# the readers' keyword argument of the same name shadows the function inside them
_normalize = normalize_newlines


def read_text_file(
    path: Path,
    *,
    doc: str | None = None,
    max_bytes: int = MAX_TEXT_BYTES,
    normalize_newlines: bool = False,
) -> RawDocument:
    """Read one plain-text file; the document id is ``doc`` or the file's stem."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise too_large(name, size, max_bytes)
        data = path.read_bytes()
    except IsADirectoryError as exc:
        raise InputError(
            f"{name}: is a directory; give the files in it (e.g. {name}/*.txt)",
            reason="unreadable",
        ) from exc
    except OSError as exc:
        raise unreadable(name, exc) from exc
    text, encoding = decode_bytes(data, name=name, max_bytes=max_bytes)
    if normalize_newlines:
        text = _normalize(text)
    return RawDocument(doc=doc or path.stem, text=text, encoding=encoding, path=name, source=name)


def read_stdin(
    *,
    doc: str = "stdin",
    max_bytes: int = MAX_TEXT_BYTES,
    normalize_newlines: bool = False,
    stream: BinaryIO | None = None,
) -> RawDocument:
    """Read one document from standard input (or ``stream``, a binary file object)."""
    source = stream if stream is not None else sys.stdin.buffer
    data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(
            f"<stdin>: more than {megabytes(max_bytes)}, the limit for one document; "
            "split it, or raise the limit (max_bytes)",
            reason="too_large",
        )
    text, encoding = decode_bytes(data, name="<stdin>", max_bytes=max_bytes)
    if normalize_newlines:
        text = _normalize(text)
    return RawDocument(doc=doc, text=text, encoding=encoding, path=None)

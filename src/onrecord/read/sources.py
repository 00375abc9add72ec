"""Command-line paths -> a stream of documents still to prepare.

``iter_documents(paths)`` walks files and folders (recursively, in name order)
and yields, for every input record, either a ``RawDocument`` or a
``RecordError`` naming what could not be read. Nothing expensive happens
here: pages are read but not extracted (``html`` holds the bytes), so that
extraction runs where the parse runs (``ingest.prepare`` in a worker, or
``extract_pages`` below for ``onrecord extract``).

What a path is, by its name: ``.html``/``.htm``/``.xhtml`` (optionally
``.gz``) a page; ``.warc``/``.warc.gz`` (and ARC) a web archive; ``.jsonl`` JSON
Lines (``text`` or ``html`` per line); ``.parquet`` (a ``text`` or ``html``
column); ``.txt`` plain text; ``-`` standard
input. A file named on the command line with another suffix is sniffed (a
WARC header, an HTML tag, else text); inside folders, files with other
suffixes are skipped and counted.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from onrecord.errors import InputError, UsageError
from onrecord.read.document import RawDocument, RecordError, text_hash
from onrecord.read.html import is_html_path, read_html_file
from onrecord.read.jsonl import read_jsonl
from onrecord.read.text import read_stdin, read_text_file
from onrecord.read.warc import WarcStats, is_warc_path, read_warc

log = logging.getLogger(__name__)

_HTML_SNIFF = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)", re.I | re.S)
_SPACES = re.compile(r"\s+")


@dataclass(slots=True)
class ReadStats:
    """What the readers passed over without an error (counted for the summary)."""

    skipped: dict[str, int] = field(default_factory=dict)
    warc: WarcStats = field(default_factory=WarcStats)

    def skip(self, why: str, n: int = 1) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + n

    def all_skipped(self) -> dict[str, int]:
        out = dict(self.skipped)
        for why, n in self.warc.skipped.items():
            out[f"warc_{why}"] = out.get(f"warc_{why}", 0) + n
        return out


def kind_of(path: Path) -> str | None:
    """``html``, ``warc``, ``jsonl``, ``parquet``, ``text`` by the file's name, or None."""
    name = path.name.lower()
    if is_warc_path(path):
        return "warc"
    if is_html_path(path):
        return "html"
    if name.endswith(".jsonl"):
        return "jsonl"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".txt"):
        return "text"
    return None


def _sniff(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return "text"  # the text reader reports why it cannot be read
    if head.startswith((b"WARC/", b"\x1f\x8b")) and b"WARC" in _gunzip_head(head):
        return "warc"
    if _HTML_SNIFF.match(head):
        return "html"
    return "text"


def _gunzip_head(head: bytes) -> bytes:
    if not head.startswith(b"\x1f\x8b"):
        return head
    import zlib

    try:
        return zlib.decompressobj(31).decompress(head)
    except zlib.error:
        return b""


def check_paths(paths: Iterable[str]) -> None:
    """Raise ``UsageError`` naming the first path (``-`` aside) that does not exist: a mistake
    on the command line, said before any work, not an error row."""
    for raw in paths:
        if raw != "-" and not Path(raw).exists():
            raise UsageError(f"{raw}: no such file or folder; check the path")


def file_error(path: str, exc: InputError) -> RecordError:
    """A whole-file error as a record error (the file is its own source)."""
    message = str(exc)
    if not message.startswith(path):
        message = f"{path}: {message}"
    return RecordError(message, reason=exc.reason, path=path, line=0, source=path)


def iter_documents(
    paths: Iterable[str],
    *,
    stats: ReadStats | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[RawDocument | RecordError]:
    """Every input record under ``paths``, as a document to prepare or an error."""
    stats = stats if stats is not None else ReadStats()
    for item in iter_inputs(paths, stats=stats):
        if isinstance(item, RecordError):
            yield item
        elif item == "-":
            try:
                doc = read_stdin(stream=stdin)
            except InputError as exc:
                yield file_error("<stdin>", exc)
                continue
            # stdin has no name: its text names it, so a second, different stdin is new
            doc.source = f"<stdin>#{text_hash(doc.text)}"
            yield doc
        else:
            yield from read_input(item, stats)


def iter_inputs(
    paths: Iterable[str],
    *,
    stats: ReadStats | None = None,
    kind: Callable[[Path], str | None] = kind_of,
) -> Iterator[str | RecordError]:
    """The input files under ``paths``, in reading order, each named once (resolved).

    A folder gives its files (recursively, in name order, hidden ones left
    out) that ``kind`` knows, or an ``empty`` error; ``-`` stays ``-``. Files
    are not opened here: ``read_input`` reports one that is missing.
    """
    stats = stats if stats is not None else ReadStats()
    seen: set[str] = set()

    def once(path: Path) -> Iterator[str]:
        # one name per file, however it was spelled on the command line
        with contextlib.suppress(OSError):
            path = path.resolve()
        name = str(path)
        if name not in seen:
            seen.add(name)
            yield name

    for raw in paths:
        if raw == "-":
            yield raw
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file())
            kept = [p for p in found if kind(p) and not _hidden(p, path)]
            stats.skip("unknown_suffix", len(found) - len(kept))
            if not kept:
                yield file_error(
                    raw,
                    InputError(
                        f"{raw}: no .html, .htm, .html.gz, .warc(.gz), .jsonl, .parquet or .txt "
                        "file in it",
                        reason="empty",
                    ),
                )
            for p in kept:
                yield from once(p)
            continue
        yield from once(path)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def read_input(name: str, stats: ReadStats | None = None) -> Iterator[RawDocument | RecordError]:
    """The records of one input file (as ``iter_inputs`` names it): by its suffix, else sniffed."""
    stats = stats if stats is not None else ReadStats()
    path = Path(name)
    if not path.exists():
        missing = InputError(f"{name}: no such file; check the path", reason="unreadable")
        yield file_error(name, missing)
        return
    kind = kind_of(path) or _sniff(path)
    try:
        if kind == "warc":
            yield from read_warc(path, extract=False, stats=stats.warc)
        elif kind == "jsonl":
            yield from read_jsonl(path, allow_html=True)
        elif kind == "html":
            yield read_html_file(path, extract=False)
        elif kind == "parquet":
            from onrecord.read.parquet import read_parquet

            yield from read_parquet(name)
        else:
            doc = read_text_file(path)
            doc.source = name
            yield doc
    except RecordError as exc:
        yield exc
    except InputError as exc:
        yield file_error(name, exc)

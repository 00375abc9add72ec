"""WARC files: the HTML pages of their response records.

``read_warc`` streams a ``.warc`` or ``.warc.gz`` file (warcio) and yields one
``RawDocument`` per ``response`` (or ``resource``) record whose payload is
HTML with a 2xx status, keeping the target URI (``url``), the WARC date
(``fetched``) and the HTTP charset; ``source`` is ``path@offset``, the
record's byte offset in the file, so a record is named the same way on every
run. Other records (requests, metadata, images, redirects, 404 pages) are not
articles: they are counted in ``WarcStats`` and skipped, not stored as errors.

Bad input never stops the stream early without a trace: a record over the
size limit is a ``RecordError`` (``too_large``) and reading goes on; a record
cut short, a truncated gzip member or bytes after the last whole record are
a ``RecordError`` with reason ``truncated``; a file warcio cannot parse from
some point on is one ``bad_warc`` error at that offset; a file without any
record is one ``empty`` error. (warcio itself ends quietly on a truncated gzip
member; the end offset is checked against the file's size to notice it.)
warcio writes two kinds of trouble to stderr and reads on; here neither is
printed: a record not followed by a blank line (its ``Content-Length`` is
wrong) is logged as one line, and a corrupt gzip member of the file is one
``bad_gzip`` error (of a gzip-encoded HTTP body, the page's ``bad_payload``).
Messages quoted from warcio are cut to one printable line (``one_line``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from onrecord.errors import InputError
from onrecord.read.document import MAX_HTML_BYTES, RawDocument, RecordError, unreadable
from onrecord.read.html import charset_of, extract_html

log = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
#: payload media types read as pages
HTML_TYPES = ("text/html", "application/xhtml+xml")
#: the record types of the WARC standard (a skipped record of another type counts as
#: ``unknown_type``)
WARC_TYPES = ("warcinfo", "response", "resource", "request", "metadata", "revisit",
              "conversion", "continuation")  # fmt: skip
#: WARC record types that can hold a fetched page
PAGE_RECORDS = ("response", "resource")


def is_warc_path(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


@dataclass(slots=True)
class WarcStats:
    """What a WARC file held besides its pages (skipped, not errors)."""

    records: int = 0
    pages: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


def _media_type(record: Any) -> str:
    if record.http_headers is not None:
        value = record.http_headers.get_header("Content-Type") or ""
    else:
        value = record.rec_headers.get_header("Content-Type") or ""
    return value.split(";")[0].strip().lower()


def read_warc(
    path: Path, *, extract: bool = True, stats: WarcStats | None = None
) -> Iterator[RawDocument | RecordError]:
    """Stream the HTML pages of a WARC file (see the module's docstring).

    With ``extract=False`` each document carries its page in ``html`` (bytes)
    and empty ``text``, for the ingest workers to extract; with the default,
    bodies are extracted here and a page without one is a ``RecordError``.
    A file that cannot be opened raises ``InputError``.
    """
    path = Path(path)
    name = str(path)
    try:
        handle = path.open("rb")
        size = path.stat().st_size
    except OSError as exc:
        raise unreadable(name, exc) from exc
    with handle:
        yield from iter_warc(handle, name=name, size=size, extract=extract, stats=stats)


def iter_warc(
    handle: BinaryIO,
    *,
    name: str,
    size: int | None,
    extract: bool = True,
    stats: WarcStats | None = None,
) -> Iterator[RawDocument | RecordError]:
    """``read_warc`` over an open binary stream named ``name`` (a path or a URI).

    ``size`` is the stream's length in bytes when known: bytes left after the
    last whole record are then reported as ``truncated``.
    """
    stats = stats if stats is not None else WarcStats()

    def error(message: str, reason: str, number: int, offset: int) -> RecordError:
        return RecordError(
            f"{name}@{offset}: {message}",
            reason=reason,
            path=name,
            line=number,
            source=f"{name}@{offset}",
        )

    iterator = _quiet_iterator(handle, name)
    outer = _quiet_decompression(iterator.reader)
    number = 0
    offset = 0
    try:
        for record in iterator:
            number += 1
            stats.records += 1
            offset = iterator.offset
            item = _page(record, name=name, number=number, offset=offset, stats=stats)
            if item is None:
                continue
            if isinstance(item, RawDocument) and extract:
                try:
                    item = extract_html(item)
                except InputError as exc:
                    item = error(str(exc).removeprefix(f"{item.source}: "), exc.reason,
                                 number, offset)  # fmt: skip
            if isinstance(item, RawDocument):
                stats.pages += 1
            yield item
        end = iterator.offset
    except Exception as exc:  # warcio raises many types on corrupt input
        offset = max(offset, int(getattr(iterator, "offset", offset) or 0))
        log.debug("%s: unreadable after offset %d", name, offset, exc_info=True)
        yield error(
            f"the WARC file cannot be read from here on ({type(exc).__name__}: "
            f"{one_line(str(exc))}); the records before were read",
            "bad_warc",
            number + 1,
            offset,
        )
        return
    broken = getattr(outer, "decompress_error", None)
    if broken is not None:
        yield error(
            f"a gzip member is corrupt ({one_line(str(broken))}); the records after it "
            "are missing or cut short",
            "bad_gzip",
            number + 1,
            end,
        )
    elif number == 0 and not (size is not None and end < size):
        yield error("no WARC record in the file (it is empty or blank)", "empty", 1, 0)
    if size is not None and end < size and broken is None:
        yield error(
            f"{size - end:,} bytes after the last whole record: the file is truncated "
            "(or has trailing junk); the records before were read",
            "truncated",
            number + 1,
            end,
        )


#: how much of a message quoted from warcio (which quotes the bytes it choked on) is kept
_MESSAGE_CHARS = 160
_NOT_PRINTABLE = re.compile(r"[^\x20-\x7e\u00a0-\ud7ff\ue000-\ufffc]")


def one_line(text: str) -> str:
    """A message safe for one line of a terminal: no line breaks, control characters
    escaped, cut to ``_MESSAGE_CHARS``."""
    text = " ".join(text.split())
    text = _NOT_PRINTABLE.sub(lambda m: ascii(m.group())[1:-1], text)
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 1] + "…"


def _quiet_iterator(handle: BinaryIO, name: str) -> Any:
    """warcio's ``ArchiveIterator`` over ``handle``, with its warning about a record not
    followed by a blank line (a wrong ``Content-Length``) logged as one line instead of
    written to stderr."""
    from warcio.archiveiterator import ArchiveIterator

    class QuietIterator(ArchiveIterator):
        def _consume_blanklines(self) -> tuple[bytes | None, int]:
            # warcio's own loop, less its three-line write of the raw bytes to stderr
            empty_size = 0
            first_line = True
            while True:
                line = self.reader.readline()
                if len(line) == 0:
                    return None, empty_size
                stripped = line.rstrip()
                if len(stripped) == 0 or first_line:
                    empty_size += len(line)
                    if len(stripped) != 0:
                        offset = self.fh.tell() - self.reader.rem_length() - empty_size
                        log.warning(
                            "%s@%d: a record is not followed by a blank line (its "
                            "Content-Length is wrong?); %d bytes skipped",
                            name, offset, len(line),
                        )  # fmt: skip
                        self.err_count += 1
                    first_line = False
                    continue
                return line, empty_size

    return QuietIterator(handle)


def _quiet_decompression(reader: Any) -> Any:
    """``reader`` (a warcio ``BufferedReader``; anything else is returned as it is), made to
    keep a decompression error that warcio writes to stderr (and then reads on as if the
    stream had ended) in its ``decompress_error``."""
    if not callable(getattr(reader, "_decompress", None)) or not hasattr(reader, "num_block_read"):
        return reader

    def _decompress(data: bytes) -> bytes:
        # warcio's BufferedReader._decompress, less its write to stderr
        if reader.decompressor and data:
            try:
                data = reader.decompressor.decompress(data)
            except Exception as exc:
                if reader.num_block_read == 0:  # the first read: the stream is not compressed
                    if reader.decomp_type == "deflate":
                        reader._init_decomp("deflate_alt")
                        data = reader._decompress(data)
                    else:
                        reader.decompressor = None
                else:
                    reader.decompress_error = exc
                    return b""
        return data

    reader.decompress_error = None
    reader._decompress = _decompress
    return reader


def _page(
    record: Any, *, name: str, number: int, offset: int, stats: WarcStats
) -> RawDocument | RecordError | None:
    """The page of one record, an error, or None for a record that is no page."""
    source = f"{name}@{offset}"

    def error(message: str, reason: str) -> RecordError:
        return RecordError(
            f"{source}: {message}", reason=reason, path=name, line=number, source=source
        )

    if record.rec_type not in PAGE_RECORDS:
        kind = record.rec_type
        stats.skip(kind if kind in WARC_TYPES else "unknown_type")
        return None
    media = _media_type(record)
    if media and media not in HTML_TYPES:
        stats.skip("not_html")
        return None
    status = record.http_headers.get_statuscode() if record.http_headers is not None else None
    if status and not status.startswith("2"):
        stats.skip(f"http_{status[:1]}xx" if status[:1].isdigit() and status.isascii()
                   else "http_bad_status")  # fmt: skip
        return None
    url = record.rec_headers.get_header("WARC-Target-URI")
    if record.length is not None and record.length > MAX_HTML_BYTES:
        return error(
            f"the record is {record.length / 1e6:.1f} MB, over the "
            f"{MAX_HTML_BYTES / 1e6:.0f} MB limit for one page",
            "too_large",
        )
    try:
        stream = _quiet_decompression(record.content_stream())
        payload = stream.read(MAX_HTML_BYTES + 1)
        if getattr(stream, "decompress_error", None) is not None:
            raise stream.decompress_error
    except Exception as exc:  # a broken chunked or gzip-encoded HTTP body
        return error(
            f"the page's HTTP body cannot be decoded ({type(exc).__name__}: {one_line(str(exc))})",
            "bad_payload",
        )
    if len(payload) > MAX_HTML_BYTES:
        return error(
            f"the page is over the {MAX_HTML_BYTES / 1e6:.0f} MB limit for one page", "too_large"
        )
    remaining = getattr(record.raw_stream, "limit", 0)
    if remaining:
        return error(
            f"the record is cut short ({remaining:,} bytes of its declared length are "
            "missing): the file is truncated",
            "truncated",
        )
    charset = charset_of(
        record.http_headers.get_header("Content-Type") if record.http_headers else None
    )
    return RawDocument(
        doc=url or source,
        text="",
        encoding=charset or "",
        path=name,
        url=url or None,
        html=payload,
        fetched=record.rec_headers.get_header("WARC-Date"),
        source=source,
    )

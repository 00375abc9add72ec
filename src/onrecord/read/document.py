"""Read stage: turn input files and bytes into ``RawDocument`` text.

Every reader yields the same ``RawDocument``. Bad input raises (or, for a
multi-record file, yields) an ``InputError`` with a one-line message saying
what is wrong and what to do, and a short ``reason``: ``empty``, ``binary``,
``undecodable``, ``too_large``, ``unreadable``, ``bad_json``, ``bad_field``.

Decoding: UTF-8 first (a UTF-8 BOM is stripped; UTF-16/UTF-32 with a BOM are
decoded too), then the encoding charset_normalizer detects, which is logged
and returned. windows-1252 wins whenever it reads the bytes as well as the
detected encoding (the same text, or the same "chaos" score): short texts are
ambiguous between a dozen single-byte code pages, and cp1252 is by far the
most common of them (the web treats "latin-1" labels as windows-1252 too).

Newlines: by default the text is returned exactly as decoded (``\\r\\n``
stays ``\\r\\n``), so that character offsets into an uncleaned text index the
input file's characters exactly (only a byte-order mark, which is not text,
is dropped). ``normalize_newlines=True`` turns ``\\r\\n`` and lone ``\\r`` into
``\\n`` for callers that want it; the cleaner copes with either.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
from dataclasses import dataclass, field

from onrecord.errors import InputError

log = logging.getLogger(__name__)

#: default cap on one document's size, in bytes of encoded text (5 MB)
MAX_TEXT_BYTES = 5_000_000
#: cap on one page's HTML, in bytes (trafilatura's own default cap is the same)
MAX_HTML_BYTES = 20_000_000
#: share of control characters (other than whitespace) above which text is "binary"
MAX_CONTROL_SHARE = 0.05
#: how much of a text is sampled for the control-character check
_CONTROL_SAMPLE = 65_536
#: a JSON line may be this many times larger than its text (escapes such as \\uXXXX)
JSON_OVERHEAD = 6

#: byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: control characters (Unicode category Cc) other than \t \n \v \f \r
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


@dataclass(slots=True)
class RawDocument:
    """One input document, decoded, before cleaning.

    The fields after ``url`` are filled by the ingest readers
    (``onrecord.ingest``) and default to "unknown", so plain-text code can
    ignore them:

    - ``html``: the page's raw HTML (bytes as fetched, or text) while its body
      is still to be extracted; ``text`` is empty until then.
      ``onrecord.read.html.extract_html`` fills ``text`` and the metadata and
      sets ``html`` back to None.
    - ``extracted``: ``text`` is an article body taken out of HTML by an
      extractor, so the line-level text cleaner must not run on it.
    - ``author``, ``publisher``: from the page's metadata.
    - ``fetched``: when the page was fetched (a WARC record's date), ISO 8601.
    - ``source``: where exactly the document came from, unique per input
      record: the file, ``file:line`` for JSON Lines, ``file@offset`` for a
      WARC record.
    """

    doc: str
    text: str
    encoding: str
    path: str | None
    published: str | None = None
    title: str | None = None
    url: str | None = None
    author: str | None = None
    publisher: str | None = None
    html: bytes | str | None = None
    extracted: bool = False
    fetched: str | None = None
    # provenance, not content: two documents read from different places compare equal
    source: str | None = field(default=None, compare=False)


class RecordError(InputError):
    """A bad record inside a multi-record file (a JSON Lines line).

    It is yielded in the record's place so that one bad line never stops the
    file; ``line`` is 1-based (for a WARC file: the record's number) and
    ``doc`` is the record's id when it had one. ``source`` names the record
    uniquely, like ``RawDocument.source`` (default ``path:line``).
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        path: str,
        line: int,
        doc: str | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message, reason=reason)
        self.path = path
        self.line = line
        self.doc = doc
        self.source = source or f"{path}:{line}"


def unreadable(name: str, exc: OSError) -> InputError:
    """The one-line error for a file that cannot be opened or read."""
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{name}: no such file; check the path", reason="unreadable")
    return InputError(
        f"{name}: cannot be read ({exc.strerror or exc}); check its permissions",
        reason="unreadable",
    )


def megabytes(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def too_large(name: str, size: int, max_bytes: int) -> InputError:
    return InputError(
        f"{name}: {megabytes(size)} is over the {megabytes(max_bytes)} limit for one "
        "document; split it, or raise the limit (max_bytes)",
        reason="too_large",
    )


def control_share(text: str) -> float:
    sample = text[:_CONTROL_SAMPLE]
    return len(_CONTROLS.findall(sample)) / len(sample) if sample else 0.0


def _detect(data: bytes, *, name: str) -> tuple[str, str]:
    """Decode non-UTF-8 bytes with charset_normalizer; cp1252 wins ties."""
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise InputError(
            f"{name}: the bytes are not UTF-8 and no text encoding fits them; "
            "re-save the file as UTF-8",
            reason="undecodable",
        )
    text, encoding = str(best), str(best.encoding)
    if encoding != "cp1252":
        try:
            western = data.decode("cp1252")
        except UnicodeDecodeError:
            western = None
        tied = any(m.encoding == "cp1252" and m.chaos <= best.chaos + 0.01 for m in matches)
        if western is not None and (western == text or tied):
            text, encoding = western, "cp1252"
    log.info("%s: not UTF-8; decoded as %s", name, encoding)
    return text, encoding


def decode_bytes(data: bytes, *, name: str, max_bytes: int = MAX_TEXT_BYTES) -> tuple[str, str]:
    """Decode one document's bytes; return ``(text, encoding)``.

    Raises ``InputError`` with reason ``empty`` (nothing, or only whitespace),
    ``too_large`` (over ``max_bytes``), ``binary`` (NUL bytes or many control
    characters) or ``undecodable``. ``name`` is used in messages only.
    """
    if not data:
        raise InputError(f"{name}: the input is empty; give a file with text in it", reason="empty")
    if len(data) > max_bytes:
        raise too_large(name, len(data), max_bytes)

    text: str | None = None
    encoding = ""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec.removesuffix("-sig"))
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name}: starts with a {codec} byte-order mark but is not valid {codec} "
                    f"({exc.reason} at byte {exc.start}); re-save the file as UTF-8",
                    reason="undecodable",
                ) from exc
            encoding = codec
            break
    if text is None:
        if b"\x00" in data:
            raise InputError(
                f"{name}: looks like binary data (it contains NUL bytes), not text; "
                "give a text file (UTF-16 text needs a byte-order mark)",
                reason="binary",
            )
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _detect(data, name=name)

    if control_share(text) > MAX_CONTROL_SHARE:
        raise InputError(
            f"{name}: looks like binary data (over {MAX_CONTROL_SHARE:.0%} control "
            "characters), not text; give a text file",
            reason="binary",
        )
    if not text.strip():
        raise InputError(
            f"{name}: the input has only whitespace; give a file with text in it",
            reason="empty",
        )
    return text, encoding


def normalize_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` become ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


_SPACES = re.compile(r"\s+")


def text_hash(text: str) -> str:
    """A short hash of a text, blind to differences of whitespace."""
    norm = _SPACES.sub(" ", text).strip()
    return hashlib.sha1(norm.encode("utf-8", "surrogatepass")).hexdigest()[:16]

"""HTML pages: decode the bytes, extract the article body and metadata.

``extract_html`` turns a ``RawDocument`` that still carries its page
(``doc.html``) into one whose ``text`` is the article body, extracted by
trafilatura (``bare_extraction``, comments left out, and trafilatura's metadata
steps in ``page_metadata``;
a first line repeating the title is dropped: it stays in ``title``), with title, date,
author, site name (``publisher``) and URL (canonical / og tags) filled where
the reader did not know them already. The body is marked ``extracted``: the
text cleaner must not run over it (its line rules are for scraped plain
text; trafilatura has already taken the page apart by its structure).

Decoding: valid UTF-8 is UTF-8 (pages that declare latin-1 but are UTF-8 are
common, the reverse is rare); otherwise the charset the HTTP header or a
``<meta>`` tag declares, when it decodes the bytes; otherwise the detected
encoding (``read.decode_bytes``). Latin-1 and ASCII labels mean windows-1252,
as browsers read them.

Errors (``InputError`` reasons): ``too_large`` (over ``MAX_HTML_BYTES`` of
HTML, or a body over ``read.MAX_TEXT_BYTES``), ``empty``, ``binary``,
``undecodable``, ``bad_gzip`` / ``truncated`` (``.html.gz`` files),
``no_article`` (the extractor found no body, or no line of prose in it: a
list of links is not an article), ``extract_failed`` (the
extractor raised).
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import gzip
import logging
import re
import zlib
from pathlib import Path
from typing import Any

from onrecord.errors import InputError
from onrecord.read.document import (
    MAX_CONTROL_SHARE,
    MAX_HTML_BYTES,
    MAX_TEXT_BYTES,
    RawDocument,
    control_share,
    decode_bytes,
)

log = logging.getLogger(__name__)

#: file names read as HTML pages
HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".xhtml.gz")
#: trafilatura settings for news bodies: comments are not the article; the metadata comes
#: from ``page_metadata`` (trafilatura's own steps, minus those onrecord does not keep)
EXTRACT_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "with_metadata": False,
    # no fallback extractors (readability, jusText): 30% faster, and on the Zyte
    # benchmark slightly better (F1 0.962 against 0.960), see docs/performance.md
    "fast": True,
}
#: a body needs one line of prose: this many words, ending a sentence (else: no article;
#: trafilatura falls back to the whole page's text, which for a list of links is the links)
PROSE_MIN_WORDS = 8
#: a sentence ends somewhere in the line: a word, terminal punctuation, then a space or the end
_SENTENCE_END = re.compile(r"\w[.!?…]+[\"'”’»)\]]*(?:\s|$)")
#: scripts written without spaces: a sentence-ending mark in a line this long is prose
_CJK_SENTENCE = re.compile(r"[。！？]")
_CJK_MIN_CHARS = 20
#: labels that browsers read as windows-1252 (WHATWG Encoding Standard)
_CP1252_LABELS = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "ascii", "us-ascii"})
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})", re.I)
#: how much of the page is searched for a <meta charset>
_META_WINDOW = 4096


def is_html_path(path: Path) -> bool:
    return path.name.lower().endswith(HTML_SUFFIXES)


def charset_of(content_type: str | None) -> str | None:
    """The charset of an HTTP ``Content-Type`` value, or None."""
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return m.group(1) if m else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in _CP1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def megabytes(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def decode_html(data: bytes, *, name: str, charset: str | None = None) -> tuple[str, str]:
    """Decode a page's bytes; return ``(html, encoding)``; raise ``InputError``."""
    if len(data) > MAX_HTML_BYTES:
        raise InputError(
            f"{name}: the page is {megabytes(len(data))}, over the "
            f"{megabytes(MAX_HTML_BYTES)} limit for one page; it is not a news article",
            reason="too_large",
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        meta = _META_CHARSET.search(data[:_META_WINDOW])
        declared = charset or (meta.group(1).decode("ascii", "replace") if meta else None)
        codec = _codec(declared)
        if codec and b"\x00" not in data and not codec.startswith(("utf-16", "utf-32")):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                log.info("%s: declared %s does not fit the bytes; detecting", name, declared)
            else:
                if control_share(text) > MAX_CONTROL_SHARE:
                    raise InputError(
                        f"{name}: looks like binary data (over {MAX_CONTROL_SHARE:.0%} control "
                        "characters), not a page",
                        reason="binary",
                    )
                return text, codec
    return decode_bytes(data, name=name, max_bytes=MAX_HTML_BYTES)


def read_html_bytes(path: Path) -> bytes:
    """A page file's bytes (``.gz`` decompressed, capped); raises ``InputError``."""
    name = str(path)
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                data = fh.read(MAX_HTML_BYTES + 1)
        else:
            if path.stat().st_size > MAX_HTML_BYTES:
                data = b"x" * (MAX_HTML_BYTES + 1)  # never read a huge file just to refuse it
            else:
                data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{name}: no such file; check the path", reason="unreadable") from exc
    except EOFError as exc:
        raise InputError(
            f"{name}: the gzip stream is truncated (the file was cut short); "
            "fetch or copy it again",
            reason="truncated",
        ) from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise InputError(
            f"{name}: not a valid gzip file ({exc}); fetch or copy it again", reason="bad_gzip"
        ) from exc
    except OSError as exc:
        raise InputError(
            f"{name}: cannot be read ({exc.strerror or exc}); check its permissions",
            reason="unreadable",
        ) from exc
    if len(data) > MAX_HTML_BYTES:
        raise InputError(
            f"{name}: the page is over the {megabytes(MAX_HTML_BYTES)} limit for one page; "
            "it is not a news article",
            reason="too_large",
        )
    return data


def read_html_file(path: Path, *, extract: bool = True) -> RawDocument:
    """One saved page (``.html``, ``.htm``, ``.html.gz``) as a ``RawDocument``.

    With ``extract=False`` the page is only read: ``html`` holds its bytes
    and ``text`` is empty (the ingest workers extract it).
    """
    path = Path(path)
    name = str(path)
    doc = RawDocument(
        doc=_stem(path), text="", encoding="", path=name, html=read_html_bytes(path), source=name
    )
    return extract_html(doc) if extract else doc


def _stem(path: Path) -> str:
    name = path.name
    for suffix in sorted(HTML_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _clean_meta(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _has_prose(body: str) -> bool:
    for line in body.splitlines():
        if len(line.split()) >= PROSE_MIN_WORDS and _SENTENCE_END.search(line):
            return True
        if len(line) >= _CJK_MIN_CHARS and _CJK_SENTENCE.search(line):
            return True
    return False


def _without_headline(body: str, title: str | None) -> str:
    """The body without a first line that repeats the title (kept in ``title``).

    trafilatura keeps an ``<h1>`` inside the article; as a paragraph of the
    text it is noise to attribution (headlines are terse claims without a
    cue), and the text cleaner removes the title of plain text the same way.
    """
    if not title:
        return body
    first, sep, rest = body.partition("\n")
    if sep and rest.strip() and " ".join(first.split()).lower() == " ".join(title.split()).lower():
        return rest.lstrip("\n")
    return body


#: dateparser's settings in htmldate's own external parser (``get_external_parser``)
_DATEPARSER_SETTINGS = {
    "NORMALIZE": True,
    "PARSERS": ["custom-formats", "absolute-time"],
    "PREFER_DATES_FROM": "past",
    "PREFER_LOCALE_DATE_ORDER": True,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
}


@functools.lru_cache(maxsize=1)
def _english_date_parser() -> Any:
    from dateparser import DateDataParser  # type: ignore[attr-defined]

    return DateDataParser(languages=["en"], settings=dict(_DATEPARSER_SETTINGS))


@functools.lru_cache(maxsize=1)
def english_page_dates() -> bool:
    """Make htmldate's last-resort date parser (dateparser) read English only.

    htmldate hands the date strings its own rules cannot read to dateparser
    with every language allowed; dateparser then compiles the patterns of each
    of its ~200 locales on first use, 1.2 s of CPU per process (a fiftieth of
    one worker's ingest of the shared WARC). onrecord keeps English articles
    only (other languages become ``unsupported_language`` errors after
    extraction), so the same parser restricted to English loses nothing: on
    the 606 pages of the shared WARC every page date came out identical.
    Returns False, changing nothing, if htmldate no longer has that hook.
    """
    try:
        import htmldate.extractors as extractors
    except ImportError:
        return False
    if not callable(getattr(extractors, "get_external_parser", None)):
        return False
    extractors.get_external_parser = _english_date_parser
    return True


def page_metadata(tree: Any, url: str | None) -> Any:
    """Title, author, URL, date and site name of a parsed page (a trafilatura ``Document``).

    The steps of ``trafilatura.metadata.extract_metadata``, in its order and
    with its functions, without the three onrecord does not store
    (categories, tags, licence: a seventh of the extraction time). On the 584
    pages of the shared WARC with a body, title, author, site name, date, URL
    and body come out identical to ``bare_extraction(with_metadata=True)``
    (``bench/speed/ingest.py`` times the extraction).
    """
    from courlan import extract_domain
    from trafilatura.metadata import (
        META_URL,
        examine_meta,
        extract_author,
        extract_meta_json,
        extract_sitename,
        extract_title,
        extract_url,
        find_date,
    )
    from trafilatura.settings import DEFAULT_CONFIG, set_date_params

    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    try:
        meta = extract_meta_json(tree, meta)
    except Exception as exc:  # trafilatura guards its JSON-LD reader the same way
        log.info("JSON-LD metadata not read: %s", exc)
    if not meta.title:
        meta.title = extract_title(tree)
    if not meta.author:
        meta.author = extract_author(tree)
    if not meta.url:
        meta.url = extract_url(tree, url)
    if meta.url:
        meta.hostname = extract_domain(meta.url, fast=True)
    english_page_dates()
    date_params = set_date_params(DEFAULT_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH"))
    date_params["url"] = meta.url
    meta.date = find_date(tree, **date_params)
    if not meta.sitename:
        meta.sitename = extract_sitename(tree)
    if meta.sitename:
        meta.sitename = meta.sitename.lstrip("@")
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url:
        match = META_URL.match(meta.url)
        if match:
            meta.sitename = match[1]
    meta.filedate = date_params.get("max_date")
    meta.clean_and_trim()
    return meta


def extract_html(doc: RawDocument) -> RawDocument:
    """The document with its body extracted from ``doc.html``; raises ``InputError``.

    What the reader already knew (a JSON Lines ``title``, a WARC target URI)
    wins over the page's own metadata.
    """
    if doc.html is None:
        return doc
    import trafilatura

    name = doc.source or doc.path or doc.doc
    if isinstance(doc.html, bytes):
        page, encoding = decode_html(doc.html, name=name, charset=doc.encoding or None)
    else:
        page, encoding = doc.html, doc.encoding or "utf-8"
        if len(page) > MAX_HTML_BYTES:
            raise InputError(
                f"{name}: the page is over the {megabytes(MAX_HTML_BYTES)} limit for one page",
                reason="too_large",
            )
    if not page.strip():
        raise InputError(f"{name}: the page is empty", reason="empty")
    from trafilatura.utils import load_html

    try:
        tree = load_html(page)
        meta: Any = None  # trafilatura's Document (typed loosely)
        result: Any = None
        if tree is not None:
            # metadata first, on the page as it came: trafilatura's order (extraction prunes)
            meta = page_metadata(tree, doc.url)
            result = trafilatura.bare_extraction(tree, url=doc.url or meta.url, **EXTRACT_OPTIONS)
    except Exception as exc:  # the extractor's own failure is this page's error, not the batch's
        raise InputError(
            f"{name}: the extractor failed on this page ({type(exc).__name__}: {exc})",
            reason="extract_failed",
        ) from exc
    body = getattr(result, "text", None) if result is not None else None
    if not isinstance(body, str) or not _has_prose(body):
        raise InputError(
            f"{name}: no article body found in the page (a front page, a list, an empty "
            "shell rendered by JavaScript?)",
            reason="no_article",
        )
    size = len(body.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise InputError(
            f"{name}: the extracted body is {megabytes(size)}, over the "
            f"{megabytes(MAX_TEXT_BYTES)} limit for one document",
            reason="too_large",
        )
    title = doc.title or _clean_meta(meta.title)
    return dataclasses.replace(
        doc,
        text=_without_headline(body, title),
        encoding=encoding,
        html=None,
        extracted=True,
        title=title,
        author=doc.author or _clean_meta(meta.author),
        publisher=doc.publisher or _clean_meta(meta.sitename),
        published=doc.published or _clean_meta(meta.date),
        url=doc.url or _clean_meta(meta.url),
    )

"""Finish one read document in a worker: page extraction, the language check, the
publication date, and the article's stable id (a hash of its URL, else of its text)."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit, urlunsplit

from onrecord.errors import InputError
from onrecord.read.document import RawDocument

log = logging.getLogger(__name__)

_SPACES = re.compile(r"\s+")


def normalize_url(url: str) -> str | None:
    """The URL an article is known by: scheme and host lower-cased, no fragment.

    None when the URL cannot name an article: not http(s), or a bare site root
    (a page whose canonical link points at the front page is common, and must
    not make every article of the site one).
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if parts.path in ("", "/") and not parts.query:
        return None
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


def article_id(url: str | None, text: str) -> str:
    """The stable id of an article: a hash of its URL when it has one, else of its text."""
    key = normalize_url(url) if url else None
    basis = f"url:{key}" if key else f"text:{_SPACES.sub(' ', text).strip()}"
    return hashlib.sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def early_id(doc: RawDocument) -> str | None:
    """The article id ``prepare`` will give, when it is known before extraction.

    A reader's URL (WARC target URI, JSON Lines ``url``) wins over the page's
    own, and plain text is its own key; only pages without a URL from their
    reader (saved HTML files) need extracting to know theirs.
    """
    if doc.url and normalize_url(doc.url):
        return article_id(doc.url, "")
    if doc.html is None and doc.text:
        return article_id(None, doc.text)
    return None


@dataclass(slots=True)
class Prepared:
    """A document ready for the pipeline, with what the store keeps beside the record."""

    id: str
    doc: RawDocument
    language: str


def prepare(doc: RawDocument) -> Prepared:
    """Extract (pages), check the language and the date, give the id; raises ``InputError``."""
    from onrecord.read.html import extract_html
    from onrecord.stages.date import parse_published
    from onrecord.stages.language import check_language

    name = doc.source or doc.path or doc.doc
    if doc.html is not None:
        doc = extract_html(doc)
    language = check_language(doc.text, name=name)
    if doc.published:
        try:
            parse_published(doc.published)
        except InputError:
            if not doc.extracted:
                raise  # a date the user gave (JSON Lines) is theirs to fix
            log.info("%s: page metadata date %r not understood; ignored", name, doc.published)
            doc = replace(doc, published=None)
    return Prepared(article_id(doc.url, doc.text), doc, language)

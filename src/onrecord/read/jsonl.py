"""JSON Lines: one document per line (``text`` or ``html``; ``id``, ``url``, ``published``,
``title``, ``publisher``, ``author`` optional), and the same fields from any object (Parquet
rows, API bodies)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from onrecord.errors import InputError
from onrecord.read.document import (
    JSON_OVERHEAD,
    MAX_HTML_BYTES,
    MAX_TEXT_BYTES,
    RawDocument,
    RecordError,
    megabytes,
)
from onrecord.read.document import normalize_newlines as _normalize

log = logging.getLogger(__name__)

#: a UTF-16 surrogate on its own: JSON's \uXXXX escapes (and Python's decoder of JSON
#: bytes) let one through, and nothing downstream can encode it
_SURROGATE = re.compile("[\ud800-\udfff]")

#: optional JSON Lines fields copied onto the RawDocument
_JSONL_FIELDS = ("url", "published", "title", "publisher", "author")


def read_jsonl(
    path: Path,
    *,
    max_bytes: int = MAX_TEXT_BYTES,
    normalize_newlines: bool = False,
    allow_html: bool = False,
) -> Iterator[RawDocument | RecordError]:
    """Stream the documents of a JSON Lines file, one object per line.

    Each object needs ``text`` (a string); ``id``, ``url``, ``published``,
    ``title``, ``publisher`` (the outlet) and ``author`` are optional. A document
    without ``id`` gets ``<stem>-<line>``.
    With ``allow_html``, an object may give ``html`` (the page) instead of
    ``text``: its document has empty ``text`` and the page in ``html``, for
    ``onrecord.read.html.extract_html`` to extract (up to
    ``MAX_HTML_BYTES``). A bad line is yielded as a ``RecordError`` (an
    ``InputError`` naming the line) and reading goes on; blank lines are
    skipped, and a file with no other line is one ``empty`` error. A file that
    cannot be opened at all raises ``InputError``.
    """
    path = Path(path)
    name = str(path)
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise InputError(f"{name}: no such file; check the path", reason="unreadable") from exc
    except OSError as exc:
        raise InputError(
            f"{name}: cannot be read ({exc.strerror or exc}); check the path and permissions",
            reason="unreadable",
        ) from exc
    with handle:
        yield from iter_jsonl(
            handle,
            name=name,
            stem=path.stem,
            max_bytes=max_bytes,
            normalize_newlines=normalize_newlines,
            allow_html=allow_html,
        )


def iter_jsonl(
    handle: Iterable[bytes],
    *,
    name: str,
    stem: str,
    max_bytes: int = MAX_TEXT_BYTES,
    normalize_newlines: bool = False,
    allow_html: bool = False,
) -> Iterator[RawDocument | RecordError]:
    """``read_jsonl`` over an open binary stream: ``name`` names it in sources and messages,
    ``stem`` makes the ids of documents without one (``<stem>-<line>``)."""
    lines = 0
    for lineno, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        lines += 1
        try:
            document = _jsonl_document(
                raw, name=name, stem=stem, lineno=lineno, max_bytes=max_bytes, allow_html=allow_html
            )
        except RecordError as exc:
            log.debug("%s", exc)
            yield exc
            continue
        if normalize_newlines and document.html is None:
            document.text = _normalize(document.text)
        yield document
    if not lines:  # a file with no line is an input that gave nothing: say so
        yield RecordError(
            f"{name}: no JSON Lines in the file (it is empty or blank); give one object per line",
            reason="empty",
            path=name,
            line=0,
            source=name,
        )


def _jsonl_document(
    raw: bytes, *, name: str, stem: str, lineno: int, max_bytes: int, allow_html: bool = False
) -> RawDocument:
    """One JSON Lines line as a RawDocument; raises RecordError naming the line."""

    def bad(message: str, reason: str) -> RecordError:
        return RecordError(f"{name}:{lineno}: {message}", reason=reason, path=name, line=lineno)

    line_cap = max(max_bytes, MAX_HTML_BYTES) if allow_html else max_bytes
    if len(raw) > line_cap * JSON_OVERHEAD:
        raise bad(
            f"the line is {megabytes(len(raw))}, over the limit for one document; "
            "split the document",
            "too_large",
        )
    try:
        obj = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise bad("the line is not UTF-8; re-save the file as UTF-8", "undecodable") from exc
    except json.JSONDecodeError as exc:
        raise bad(
            f"not valid JSON ({exc.msg}, column {exc.colno}); fix or drop the line", "bad_json"
        ) from exc
    except RecursionError as exc:  # json's decoder recurses once per [ or {
        raise bad("JSON nested too deeply to read; fix or drop the line", "bad_json") from exc
    except ValueError as exc:  # an integer over Python's limit of digits
        raise bad(f"not readable JSON ({exc}); fix or drop the line", "bad_json") from exc
    if not isinstance(obj, dict):
        raise bad(f"expected a JSON object, got {type(obj).__name__}", "bad_json")
    return object_document(
        obj, name=name, stem=stem, lineno=lineno, max_bytes=max_bytes, allow_html=allow_html
    )


def object_document(
    obj: dict[str, object],
    *,
    name: str,
    stem: str,
    lineno: int,
    max_bytes: int = MAX_TEXT_BYTES,
    allow_html: bool = False,
) -> RawDocument:
    """One record (a JSON Lines object, a Parquet row) as a RawDocument.

    ``text`` (or, with ``allow_html``, ``html``) is required; ``id``, ``url``,
    ``published``, ``title``, ``publisher``, ``author`` are optional. The record is ``name:lineno``;
    raises ``RecordError`` naming it.
    """
    doc: str | None = None

    def bad(message: str, reason: str) -> RecordError:
        return RecordError(
            f"{name}:{lineno}: {message}", reason=reason, path=name, line=lineno, doc=doc
        )

    raw_id = obj.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        raise bad('"id" must be a string or a number', "bad_field")
    doc = str(raw_id) if raw_id is not None else f"{stem}-{lineno}"
    text = obj.get("text")
    html = obj.get("html") if allow_html and text is None else None
    if html is not None:
        if not isinstance(html, str):
            raise bad('the "html" field must be a string', "bad_field")
        text = ""
    if not isinstance(text, str):
        problem = "no" if text is None else "a non-string"
        wanted = '"text" or "html"' if allow_html else '"text"'
        raise bad(f"the object has {problem} {wanted} field; every line needs one", "bad_field")
    for key in _JSONL_FIELDS:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise bad(f"field {key!r} must be a string or null", "bad_field")
    for key in ("id", "html" if html is not None else "text", *_JSONL_FIELDS):
        value = obj.get(key)
        surrogate = _SURROGATE.search(value) if isinstance(value, str) else None
        if surrogate is not None:  # a \ud800 escape, or its bytes: no text can hold it
            raise bad(
                f"field {key!r} has a lone surrogate ({surrogate.group()!a}), which is "
                "not Unicode text; fix the line's \\u escapes",
                "undecodable",
            )
    if html is not None:
        if not html.strip():
            raise bad("the html is empty; drop the line or give it a page", "empty")
        return RawDocument(
            doc=doc,
            text="",
            encoding="utf-8",
            path=name,
            published=_optional(obj, "published"),
            title=_optional(obj, "title"),
            url=_optional(obj, "url"),
            publisher=_optional(obj, "publisher"),
            author=_optional(obj, "author"),
            html=html,
            source=f"{name}:{lineno}",
        )
    if not text.strip():
        raise bad("the text is empty; drop the line or give it text", "empty")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise bad(
            f"the text is {megabytes(size)}, over the {megabytes(max_bytes)} limit; "
            "split the document or raise the limit (max_bytes)",
            "too_large",
        )
    return RawDocument(
        doc=doc,
        text=text,
        encoding="utf-8",
        path=name,
        published=_optional(obj, "published"),
        title=_optional(obj, "title"),
        url=_optional(obj, "url"),
        publisher=_optional(obj, "publisher"),
        author=_optional(obj, "author"),
        source=f"{name}:{lineno}",
    )


def _optional(obj: dict[str, object], key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) else None

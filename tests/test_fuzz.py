"""Fuzzing: every reader and the extractor, on generated and broken input, give a document
or a record, or an error with a reason, never an uncaught exception, and lose nothing.

Property-based (hypothesis, bounded: a few seconds per test); the long run of 100,000 inputs
is ``bench/robustness/fuzz.py`` (docs/robustness.md). The regression tests at the end are
the crashes and silent losses that run found, each as a small fixed input.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import io
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from onrecord.errors import InputError, OnrecordError
from onrecord.read.document import RawDocument, RecordError, decode_bytes
from onrecord.read.html import extract_html, read_html_file
from onrecord.read.jsonl import read_jsonl
from onrecord.read.text import read_stdin, read_text_file
from onrecord.read.warc import WarcStats, iter_warc, read_warc

#: every reason a reader, ``prepare`` or the pipeline gives (a new one must be documented)
REASONS = {
    "empty", "binary", "undecodable", "too_large", "unreadable", "bad_json", "bad_field",
    "bad_gzip", "truncated", "no_article", "extract_failed", "bad_warc", "bad_payload",
    "unsupported_language", "bad_date",
}  # fmt: skip

SENTENCES = [
    '"We are not in a crisis yet," said Halvard Njoku, the utility director.',
    "Harbor master Ines Okafor said on April 7 that the north pier would reopen in May.",
    "According to the ferry operator, about 4,000 passengers use the route every weekday.",
    "“The books are dry, the ceiling is not,” Sorvik said.",
    "«Nous ne céderons pas», a déclaré le maire.",
    "He said: ‘It is a small thing that people will notice every evening.’",
]
ODD_CHARS = [
    *"\"'`´‘’‚‛“”„‟«»‹›「」『』〝〞＂″",
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\u200b", "\u202e",
    "\u2028", "\ufeff", "\ufffd", "\U0001f600", "\u0301", "\r", "\r\n", "\t",
]  # fmt: skip
#: bytes that are not UTF-8: encoded surrogates, overlong forms, stray continuation bytes
BAD_BYTES = [b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xc0\xaf", b"\xff", b"\x80", b"\xc3", b"\x00"]
ENCODINGS = ["utf-8", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-32", "shift_jis",
             "koi8-r", "utf-8-sig"]  # fmt: skip

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------
# strategies


@st.composite
def news_text(draw: st.DrawFn, long: int = 400) -> str:
    """Sentences with odd quote and control characters, and sometimes one long line (up to
    ``long`` times all of ``SENTENCES``)."""
    parts = draw(st.lists(st.sampled_from(SENTENCES) | st.sampled_from(ODD_CHARS), max_size=40))
    if draw(st.booleans()):
        parts.insert(draw(st.integers(0, len(parts))), draw(st.text(max_size=200)))
    if long and draw(st.integers(0, 9)) == 0:
        parts.append(" ".join(SENTENCES) * draw(st.integers(long // 8, long)))  # one long line
    return draw(st.sampled_from([" ", "\n", "\n\n", "\r\n"])).join(parts)


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few byte edits: bad bytes inserted, bytes flipped, cut short."""
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["insert", "flip", "truncate", "nothing"]))
        at = draw(st.integers(0, len(data)))
        if op == "insert":
            data = data[:at] + draw(st.sampled_from(BAD_BYTES) | st.binary(max_size=8)) + data[at:]
        elif op == "flip" and at < len(data):
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
        elif op == "truncate":
            data = data[:at]
    return data


@st.composite
def text_bytes(draw: st.DrawFn) -> bytes:
    text = draw(news_text())
    data = text.encode(draw(st.sampled_from(ENCODINGS)), "replace")
    if draw(st.booleans()):  # a byte-order mark that may lie
        data = draw(st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, b""])) + data
    return draw(mutated(data))


@st.composite
def html_page(draw: st.DrawFn) -> str:
    """A page, deeply nested, with a huge attribute, unclosed tags or a lying charset."""
    paras = "".join(f"<p>{s}</p>" for s in draw(st.lists(news_text(long=0), min_size=1,
                                                                   max_size=6)))  # fmt: skip
    depth = draw(st.sampled_from([0, 0, 10, 300, 3000]))
    tag = draw(st.sampled_from(["div", "span", "table", "b"]))
    body = f"<{tag}>" * depth + paras + f"</{tag}>" * draw(st.sampled_from([depth, 0]))
    if draw(st.booleans()):
        body = body.replace("</p>", "")  # unclosed paragraphs
    attribute = "a" * draw(st.sampled_from([0, 10, 100_000]))
    charset = draw(st.sampled_from(["utf-8", "iso-8859-1", "shift_jis", "x-bogus", "utf-16", ""]))
    tail = draw(st.sampled_from(["", "<!-- unclosed", "&#0;&#xD800;&#x110000;", "<script>"]))
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>Harbor news</title>'
        f'</head><body data-x="{attribute}"><article><h1>Harbor</h1>{body}</article>{tail}'
    )


@st.composite
def html_bytes(draw: st.DrawFn) -> bytes:
    page = draw(html_page())
    data = page.encode(draw(st.sampled_from(ENCODINGS)), "replace")
    if draw(st.booleans()):  # two encodings in one page
        data += page.encode("cp1252", "replace")
    return draw(mutated(data))


def warc_record(block: bytes, *, rec_type: str = "response", length: object = None,
                ctype: str = "application/http; msgtype=response",
                extra: str = "") -> bytes:  # fmt: skip
    length = len(block) if length is None else length
    head = (
        f"WARC/1.0\r\nWARC-Type: {rec_type}\r\nWARC-Target-URI: https://news.example.org/a\r\n"
        f"WARC-Date: 2026-03-12T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:1>\r\n{extra}"
        f"Content-Type: {ctype}\r\nContent-Length: {length}\r\n\r\n"
    )
    return head.encode("utf-8", "surrogateescape") + block + b"\r\n\r\n"


def http_response(body: bytes, *, status: str = "200 OK", ctype: str = "text/html",
                  headers: str = "") -> bytes:  # fmt: skip
    return f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n{headers}\r\n".encode() + body


@st.composite
def warc_bytes(draw: st.DrawFn) -> tuple[bytes, str]:
    """A WARC (plain or one gzip member per record): lying Content-Length, non-HTTP records,
    garbage headers, truncated gzip members, broken chunked or gzip-encoded bodies."""
    records = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["page", "page", "other", "not_http", "garbage"]))
        body = draw(html_bytes()) if draw(st.booleans()) else b"<p>short</p>"
        length: object = None
        if draw(st.integers(0, 4)) == 0:
            length = draw(st.sampled_from([0, 5, -1, "abc", 10**12, len(body) + 100]))
        if kind == "page":
            headers = draw(st.sampled_from(["", "Transfer-Encoding: chunked\r\n",
                                            "Content-Encoding: gzip\r\n"]))  # fmt: skip
            status = draw(st.sampled_from(["200 OK", "404 Not Found", "abc", ""]))
            block = http_response(body, status=status, headers=headers)
            records.append(warc_record(block, length=length))
        elif kind == "other":
            rec_type = draw(st.sampled_from(["request", "metadata", "warcinfo", "revisit", "x"]))
            records.append(warc_record(body, rec_type=rec_type, ctype="text/plain", length=length))
        elif kind == "not_http":
            records.append(warc_record(draw(st.binary(max_size=64)), length=length))
        else:
            garbage = draw(st.sampled_from(["no colon\r\n", ": x\r\n", f"X: {'v' * 70_000}\r\n",
                                            "\x00\x01: y\r\n", "Caf\udce9: z\r\n"]))  # fmt: skip
            records.append(warc_record(body, extra=garbage, length=length))
    if draw(st.booleans()):
        members = [gzip.compress(r) for r in records]
        if draw(st.booleans()):
            k = draw(st.integers(0, len(members) - 1))
            members[k] = members[k][: draw(st.integers(0, len(members[k]) - 1))]
        return draw(mutated(b"".join(members))), ".warc.gz"
    return draw(mutated(b"".join(records))), ".warc"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=8,
)  # fmt: skip


@st.composite
def jsonl_line(draw: st.DrawFn) -> bytes:
    choice = draw(st.integers(0, 5))
    if choice == 0:  # the fields, with values of any JSON type
        obj = {k: draw(JSON_VALUES) for k in draw(st.lists(st.sampled_from(
            ["id", "text", "html", "url", "published", "title"]), unique=True))}  # fmt: skip
        return json.dumps(obj).encode()
    if choice == 1:  # a good line
        obj = {"text": draw(news_text())}
        if draw(st.booleans()):
            obj["published"] = draw(st.sampled_from(["2026-03-12", "2026-13-45", "yesterday"]))
        return json.dumps(obj, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if choice == 2:  # not an object
        return json.dumps(draw(JSON_VALUES)).encode()
    if choice == 3:  # a page
        return json.dumps({"html": draw(html_page()), "id": "p"}).encode()
    if choice == 4:  # deep nesting, huge numbers, broken JSON
        return draw(st.sampled_from([b"[" * 100_000, b'{"a":' * 50_000, b'{"text": "a", "id": '
                                     + b"9" * 5000 + b"}", b'{"text": "unterminated', b"{'a': 1}",
                                     b'{"text": "\\ud800 lone"}', b'{"text": NaN}']))  # fmt: skip
    return draw(st.binary(max_size=200))


@st.composite
def jsonl_bytes(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(jsonl_line() | st.sampled_from([b"", b"  ", b"\r"]), max_size=6))
    if draw(st.integers(0, 9)) == 0:  # a huge line
        lines.append(json.dumps({"text": "word " * 300_000}).encode())
    return draw(mutated(draw(st.sampled_from([b"\n", b"\r\n"])).join(lines)))


# ---------------------------------------------------------------------------
# helpers


def check_error(error: BaseException) -> None:
    """An error a user can read: an InputError with a known reason and one line."""
    assert isinstance(error, InputError), repr(error)
    assert error.reason in REASONS, error.reason
    message = str(error)
    assert message.strip() and "\n" not in message and "\r" not in message, repr(message)


def outcome(call: Any) -> RawDocument | InputError:
    try:
        result = call()
    except InputError as exc:
        check_error(exc)
        return exc
    assert isinstance(result, RawDocument)
    return result


@contextlib.contextmanager
def nothing_printed() -> Iterator[None]:
    """Library code never prints (warcio writes its warnings to ``sys.stderr``)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield
    assert not out.getvalue() and not err.getvalue(), (out.getvalue()[:200], err.getvalue()[:200])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# ---------------------------------------------------------------------------
# properties: readers


@FUZZ
@given(data=text_bytes())
@example(data=b"")
@example(data=b"\xed\xa0\x80 lone surrogate as bytes")
def test_fuzz_text_gives_a_document_or_an_error(data: bytes, workdir: Path) -> None:
    path = workdir / "input.txt"
    path.write_bytes(data)
    from_file = outcome(lambda: read_text_file(path))
    from_stdin = outcome(lambda: read_stdin(stream=io.BytesIO(data)))
    assert type(from_file) is type(from_stdin)
    if isinstance(from_file, RawDocument):
        assert from_file.text.strip()
        from_file.text.encode("utf-8")  # decoded text is always encodable


@FUZZ
@given(data=html_bytes(), gz=st.sampled_from(["no", "whole", "cut"]))
def test_fuzz_html_gives_a_document_or_an_error(data: bytes, gz: str, workdir: Path) -> None:
    path = workdir / ("page.html" if gz == "no" else "page.html.gz")
    if gz != "no":
        data = gzip.compress(data)
        data = data[: len(data) // 2] if gz == "cut" else data  # a truncated gzip stream
    path.write_bytes(data)
    doc = outcome(lambda: read_html_file(path))
    if isinstance(doc, RawDocument):
        assert doc.text and doc.html is None and doc.extracted


@settings(FUZZ, max_examples=40)
@given(page=html_page())
def test_fuzz_html_text_gives_a_document_or_an_error(page: str) -> None:
    raw = RawDocument(doc="p", text="", encoding="utf-8", path=None, html=page, source="p")
    outcome(lambda: extract_html(raw))


@FUZZ
@given(archive=warc_bytes())
def test_fuzz_warc_accounts_for_every_record(archive: tuple[bytes, str], workdir: Path) -> None:
    data, suffix = archive
    path = workdir / f"archive{suffix}"
    path.write_bytes(data)
    stats = WarcStats()
    with nothing_printed():
        items = list(read_warc(path, stats=stats))
    assert items or stats.skipped, "a WARC file gave nothing at all"
    for item in items:
        if isinstance(item, RecordError):
            check_error(item)
        else:
            assert isinstance(item, RawDocument) and item.extracted
    per_record = [i for i in items if not (isinstance(i, RecordError) and i.line > stats.records)]
    assert len(per_record) + sum(stats.skipped.values()) == stats.records


@FUZZ
@given(data=jsonl_bytes())
@example(data=b"")
@example(data=b"[" * 100_000)
def test_fuzz_jsonl_gives_one_outcome_per_line(data: bytes, workdir: Path) -> None:
    path = workdir / "lines.jsonl"
    path.write_bytes(data)
    items = list(read_jsonl(path, allow_html=True))
    lines = sum(1 for line in data.split(b"\n") if line.strip())
    assert len(items) == max(lines, 1)  # a file without lines is one "empty" error
    for item in items:
        if isinstance(item, RecordError):
            check_error(item)
        else:
            assert isinstance(item, RawDocument)
            json.dumps([item.text, item.doc, item.title]).encode("utf-8")  # no lone surrogates


# ---------------------------------------------------------------------------
# property: the extractor (one shared pipeline)


@pytest.fixture(scope="module")
def fast_pipeline() -> Any:
    from onrecord.pipeline import Pipeline

    return Pipeline(mode="fast")


@pytest.mark.model
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(news_text(long=16), min_size=1, max_size=3),
    clean=st.booleans(),
    published=st.sampled_from([None, "2026-03-12", "2026-13-45"]),
)
def test_fuzz_extractor_gives_a_record_or_an_error_per_text(
    texts: list[str], clean: bool, published: str | None, fast_pipeline: Any
) -> None:
    docs = [RawDocument(doc=f"d{i}", text=t, encoding="utf-8", path=None, published=published)
            for i, t in enumerate(texts)]  # fmt: skip
    failed: list[tuple[str, BaseException]] = []
    records = list(
        fast_pipeline.pipe(docs, clean=clean, on_error=lambda n, e: failed.append((n, e)))
    )
    assert len(records) + len(failed) == len(docs)
    for _, error in failed:
        assert isinstance(error, OnrecordError), repr(error)
    for record in records:
        json.dumps(record.to_dict(), ensure_ascii=False).encode("utf-8")
        for a in record.attributions:
            for start, end in a.content.spans:
                assert 0 <= start <= end <= len(record.text)


@pytest.mark.model
def test_fuzz_extractor_survives_a_lone_surrogate(fast_pipeline: Any) -> None:
    """A str with a lone surrogate (no character) is one undecodable error, not the end of
    the stream."""
    failed: list[tuple[str, BaseException]] = []
    texts = ["Mayor Orla Brennan said \ud800 the budget was honest.", "The mayor said yes."]
    records = list(fast_pipeline.pipe(texts, on_error=lambda n, e: failed.append((n, e))))
    assert len(records) == 1 and len(failed) == 1
    assert getattr(failed[0][1], "reason", None) == "undecodable"


# ---------------------------------------------------------------------------
# regressions: what the long run (bench/robustness/fuzz.py) found, as fixed inputs


def jsonl_items(tmp_path: Path, data: bytes) -> list[RawDocument | RecordError]:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(data)
    return list(read_jsonl(path, allow_html=True))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"[" * 100_000, "bad_json"),  # was RecursionError out of json.loads
        (b'{"text": "a", "id": ' + b"9" * 5000 + b"}", "bad_json"),  # was ValueError (int digits)
        (b'{"text": "Mayor said \\ud800 yes."}', "undecodable"),  # was a crash in the parse
        (b'{"text": "Mayor said \xed\xa0\x80 yes."}', "undecodable"),  # the same, as bytes
        (b'{"text": "Mayor said yes.", "title": "\\udfff"}', "undecodable"),
    ],
)
def test_fuzz_regression_jsonl_line_is_an_error(tmp_path: Path, line: bytes, reason: str) -> None:
    items = jsonl_items(tmp_path, line + b'\n{"text": "The mayor said yes."}\n')
    assert isinstance(items[0], RecordError) and items[0].reason == reason
    check_error(items[0])
    assert isinstance(items[1], RawDocument)


@pytest.mark.parametrize("data", [b"", b"\n", b"  \r\n\n"])
def test_fuzz_regression_a_jsonl_file_without_lines_is_an_error(
    tmp_path: Path, data: bytes
) -> None:
    items = jsonl_items(tmp_path, data)
    assert len(items) == 1 and isinstance(items[0], RecordError) and items[0].reason == "empty"


def test_fuzz_regression_a_warc_file_without_records_is_an_error() -> None:
    items = list(iter_warc(io.BytesIO(b""), name="a.warc", size=0))
    assert len(items) == 1 and isinstance(items[0], RecordError) and items[0].reason == "empty"


def test_fuzz_regression_bad_warc_message_is_one_printable_line() -> None:
    good = warc_record(http_response(b"<p>x</p>"))
    data = good + b"\x8b\x1f\x00\x07garbage\r\nmore\x1b[31m lines\r\n" * 20
    items = list(iter_warc(io.BytesIO(data), name="a.warc", size=len(data), extract=False))
    error = items[-1]
    assert isinstance(error, RecordError) and error.reason == "bad_warc"
    check_error(error)
    assert all(c.isprintable() for c in str(error)) and len(str(error)) < 400


def test_fuzz_regression_lying_content_length_prints_nothing() -> None:
    block = http_response(b"<html><p>The mayor said yes.</p></html>")
    data = warc_record(block, length=len(block) - 12) + warc_record(block)
    with nothing_printed():  # warcio writes a three-line warning with the raw bytes
        items = list(iter_warc(io.BytesIO(data), name="a.warc", size=len(data), extract=False))
    assert items


def _page_bytes(n: int = 3000) -> bytes:
    rng = random.Random(1)
    paras = "".join(f"<p>Item {rng.random()} was read out today.</p>" for _ in range(n))
    return f"<html><body><article>{paras}</article></body></html>".encode()


def test_fuzz_regression_corrupt_gzip_member_is_an_error() -> None:
    member = bytearray(gzip.compress(warc_record(http_response(_page_bytes()))))
    member[len(member) * 3 // 4] ^= 0xFF  # corrupt past warcio's first block
    data = bytes(member)
    with nothing_printed():  # warcio writes zlib's error to stderr and reads on
        items = list(iter_warc(io.BytesIO(data), name="a.warc.gz", size=len(data), extract=False))
    reasons = [i.reason for i in items if isinstance(i, RecordError)]
    assert "bad_gzip" in reasons and not any(isinstance(i, RawDocument) for i in items)


def test_fuzz_regression_corrupt_gzip_http_body_is_an_error() -> None:
    body = bytearray(gzip.compress(_page_bytes()))
    body[len(body) * 3 // 4] ^= 0xFF
    data = warc_record(http_response(bytes(body), headers="Content-Encoding: gzip\r\n"))
    with nothing_printed():
        items = list(iter_warc(io.BytesIO(data), name="a.warc", size=len(data), extract=False))
    assert [i.reason for i in items if isinstance(i, RecordError)] == ["bad_payload"]


def test_fuzz_regression_odd_status_and_type_are_counted_by_name() -> None:
    data = (
        warc_record(http_response(b"<p>x</p>", status="\xc5bc Weird"))
        + warc_record(b"x", rec_type="made-up-type", ctype="text/plain")
    )  # fmt: skip
    stats = WarcStats()
    items = list(iter_warc(io.BytesIO(data), name="a.warc", size=len(data), stats=stats))
    assert items == [] and stats.skipped == {"http_bad_status": 1, "unknown_type": 1}


def test_fuzz_regression_decode_bytes_of_lone_surrogate_bytes() -> None:
    # UTF-8-encoded surrogates are not UTF-8: decoded by detection, never to a lone surrogate
    with contextlib.suppress(InputError):
        text, _ = decode_bytes(b"The mayor said \xed\xa0\x80 yes, twice.", name="t.txt")
        text.encode("utf-8")

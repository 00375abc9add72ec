"""Readers: bytes to text with the encoding named, one clear error per bad input."""

from __future__ import annotations

import codecs
import io
import json
import logging
from pathlib import Path

import pytest

from onrecord.errors import InputError
from onrecord.read.document import MAX_TEXT_BYTES, RawDocument, RecordError, decode_bytes
from onrecord.read.jsonl import read_jsonl
from onrecord.read.text import read_stdin, read_text_file

TEXT = "Mayor Orla Brennan said the harbor budget was “honest”.\n"


# ---------------------------------------------------------------------------
# decoding


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (TEXT.encode("utf-8"), TEXT, "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), TEXT, "utf-8-sig"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), TEXT, "utf-16-le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), TEXT, "utf-16-be"),
        ("Café crème à Zürich, naïve façade.".encode("latin-1"),
         "Café crème à Zürich, naïve façade.", "cp1252"),
        ("The council’s “plan” — approved.".encode("cp1252"),
         "The council’s “plan” — approved.", "cp1252"),
        ("Zażółć gęślą jaźń, powiedział burmistrz Łodzi.".encode("cp1250"),
         "Zażółć gęślą jaźń, powiedział burmistrz Łodzi.", "cp1250"),
    ],
)  # fmt: skip
def test_read_decode_bytes(data: bytes, text: str, encoding: str) -> None:
    assert decode_bytes(data, name="t.txt") == (text, encoding)


def test_read_decode_names_a_detected_encoding_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="onrecord.read.document"):
        decode_bytes("Café crème.".encode("latin-1"), name="menu.txt")
    assert "menu.txt: not UTF-8; decoded as cp1252" in caplog.text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b" \n\t\r\n", "empty"),
        (codecs.BOM_UTF8 + b"\n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (b"text\x00with a NUL byte", "binary"),
        (bytes(range(1, 9)) * 20 + b"a little text", "binary"),
        (codecs.BOM_UTF8 + b"caf\xe9 \xff\xfe", "undecodable"),
    ],
)
def test_read_decode_rejects_bad_input(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as info:
        decode_bytes(data, name="bad.txt")
    assert info.value.reason == reason
    message = str(info.value)
    assert message.startswith("bad.txt: ") and "\n" not in message


def test_read_decode_size_cap_is_a_keyword() -> None:
    with pytest.raises(InputError) as info:
        decode_bytes(b"x" * 101, name="t.txt", max_bytes=100)
    assert info.value.reason == "too_large"
    assert decode_bytes(b"x" * 100, name="t.txt", max_bytes=100) == ("x" * 100, "utf-8")


# ---------------------------------------------------------------------------
# files and stdin


def test_read_text_file_keeps_the_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "harbor-budget.txt"
    path.write_bytes(b"Title\r\n\r\nBody line.\r\n")
    doc = read_text_file(path)
    assert doc == RawDocument(
        doc="harbor-budget",
        text="Title\r\n\r\nBody line.\r\n",
        encoding="utf-8",
        path=str(path),
    )


def test_read_text_file_normalizes_newlines_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"one\r\ntwo\rthree\n")
    assert read_text_file(path, normalize_newlines=True).text == "one\ntwo\nthree\n"
    assert read_text_file(path, doc="given").doc == "given"


def test_read_text_file_strips_a_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    doc = read_text_file(path)
    assert (doc.text, doc.encoding) == (TEXT, "utf-8-sig")


def test_read_text_file_decodes_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Café crème à Zürich, the mayor said.".encode("cp1252"))
    doc = read_text_file(path)
    assert (doc.text, doc.encoding) == ("Café crème à Zürich, the mayor said.", "cp1252")


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty"), (b"\n  \n", "empty"), (b"GIF89a\x01\x00\x00\x00\xff", "binary")],
)
def test_read_text_file_rejects_bad_files(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_text_file(path)
    assert info.value.reason == reason
    assert str(path) in str(info.value)


def test_read_text_file_over_5_mb_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    line = b"The council met again today and talked for a very long time.\n"
    path.write_bytes(line * (MAX_TEXT_BYTES // len(line) + 1))
    assert path.stat().st_size > 5_000_000
    with pytest.raises(InputError) as info:
        read_text_file(path)
    assert info.value.reason == "too_large"
    assert "5.0 MB" in str(info.value)
    assert read_text_file(path, max_bytes=6_000_000).encoding == "utf-8"


@pytest.mark.parametrize("make", ["missing", "directory"])
def test_read_text_file_unreadable(tmp_path: Path, make: str) -> None:
    path = tmp_path / "x"
    if make == "directory":
        path.mkdir()
    with pytest.raises(InputError) as info:
        read_text_file(path)
    assert info.value.reason == "unreadable"


def test_read_stdin_reads_a_binary_stream() -> None:
    doc = read_stdin(stream=io.BytesIO(TEXT.encode("utf-8")))
    assert (doc.doc, doc.text, doc.path) == ("stdin", TEXT, None)


def test_read_stdin_over_the_cap_is_rejected() -> None:
    with pytest.raises(InputError) as info:
        read_stdin(stream=io.BytesIO(b"x" * 11), max_bytes=10)
    assert info.value.reason == "too_large"


# ---------------------------------------------------------------------------
# JSON Lines


def test_read_jsonl_yields_an_error_per_bad_line_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": TEXT, "url": "https://example.org/a1",
                    "published": "2031-04-09", "title": "Harbor budget"}),
        "{not json",
        json.dumps({"id": "a3", "body": "no text field"}),
        "",
        json.dumps(["a", "list"]),
        json.dumps({"text": "   "}),
        json.dumps({"text": "fine", "published": 20310409}),
        json.dumps({"text": "Second good document."}),
    ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_jsonl(path))
    assert [type(i).__name__ for i in items] == [
        "RawDocument",
        "RecordError",
        "RecordError",
        "RecordError",
        "RecordError",
        "RecordError",
        "RawDocument",
    ]
    first, last = items[0], items[-1]
    assert first == RawDocument(
        doc="a1",
        text=TEXT,
        encoding="utf-8",
        path=str(path),
        published="2031-04-09",
        title="Harbor budget",
        url="https://example.org/a1",
    )
    assert isinstance(last, RawDocument) and last.doc == "batch-8"
    errors = [i for i in items if isinstance(i, RecordError)]
    assert [(e.line, e.reason) for e in errors] == [
        (2, "bad_json"),
        (3, "bad_field"),
        (5, "bad_json"),
        (6, "empty"),
        (7, "bad_field"),
    ]
    assert all(isinstance(e, InputError) for e in errors)
    assert str(errors[0]).startswith(f"{path}:2: not valid JSON")
    assert errors[1].doc == "a3"


def test_read_jsonl_text_over_the_cap_is_one_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text(
        json.dumps({"text": "x" * 200}) + "\n" + json.dumps({"text": "ok"}) + "\n",
        encoding="utf-8",
    )
    items = list(read_jsonl(path, max_bytes=100))
    assert isinstance(items[0], RecordError) and items[0].reason == "too_large"
    assert isinstance(items[1], RawDocument) and items[1].text == "ok"


def test_read_jsonl_undecodable_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"text": "caf\xe9"}\n{"text": "ok"}\n')
    items = list(read_jsonl(path))
    assert isinstance(items[0], RecordError) and items[0].reason == "undecodable"
    assert isinstance(items[1], RawDocument)


def test_read_jsonl_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        list(read_jsonl(tmp_path / "nope.jsonl"))
    assert info.value.reason == "unreadable"

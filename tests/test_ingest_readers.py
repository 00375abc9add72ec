"""Ingest readers: HTML files, WARC records, JSON Lines with html, paths, the language check.

No spaCy model is needed here: these tests stop before the pipeline.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

import onrecord.read.warc
from conftest import SHARED, need_shared
from ingest_helpers import (
    ARTICLES,
    article_html,
    german_html,
    no_article_html,
    write_gz,
    write_jsonl,
    write_warc,
)
from onrecord.errors import InputError
from onrecord.ingest.prepare import article_id, normalize_url, prepare
from onrecord.read.document import RawDocument, RecordError, text_hash
from onrecord.read.html import decode_html, extract_html, read_html_file
from onrecord.read.jsonl import read_jsonl
from onrecord.read.sources import ReadStats, iter_documents
from onrecord.read.warc import WarcStats, read_warc

# --------------------------------------------------------------------------- HTML files


@pytest.mark.parametrize("suffix", [".html", ".htm", ".html.gz"])
def test_ingest_html_file_body_and_metadata(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"ferry{suffix}"
    page = article_html("ferry").encode("utf-8")
    if suffix.endswith(".gz"):
        write_gz(path, page)
    else:
        path.write_bytes(page)
    doc = read_html_file(path)
    a = ARTICLES["ferry"]
    assert doc.doc == "ferry"
    assert doc.extracted and doc.html is None
    assert doc.url == a["url"]
    assert doc.title == a["title"]
    assert doc.author == a["author"]
    assert doc.publisher == a["site"]
    assert doc.published == a["date"]
    assert "said Tomas Keld" in doc.text
    # the headline repeated as the first line of the body stays in the title only
    assert doc.text.startswith("Ferry crews in Port Alder voted")
    # the page's furniture is not the body
    assert "Subscribe" not in doc.text and "Sport" not in doc.text


def test_ingest_html_reader_metadata_wins_over_the_page(tmp_path: Path) -> None:
    doc = RawDocument(
        doc="x",
        text="",
        encoding="",
        path=None,
        title="Given title",
        url="https://other.example.org/given",
        html=article_html("library"),
    )
    out = extract_html(doc)
    assert out.title == "Given title" and out.url == "https://other.example.org/given"
    assert out.published == ARTICLES["library"]["date"]


def test_ingest_html_declared_charset_decodes_legacy_bytes() -> None:
    page = article_html("bridge").replace('charset="utf-8"', 'charset="windows-1252"')
    page = page.replace("180,000 euros", "180,000 € — “quoted”")
    text, encoding = decode_html(page.encode("cp1252"), name="p.html")
    assert encoding == "cp1252" and "€ — “quoted”" in text


def _truncated_gz(tmp_path: Path) -> Path:
    path = tmp_path / "cut.html.gz"
    data = gzip.compress(article_html("ferry").encode() * 20)
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_truncated_gz, "truncated"),
        (lambda p: _write(p / "bad.html.gz", b"\x1f\x8b\x08\x00not gzip at all"), "bad_gzip"),
        (lambda p: _write(p / "junk.html", bytes(range(256)) * 64), "binary"),
        (lambda p: _write(p / "nul.html", b"<html>\x00\x00\x00</html>"), "binary"),
        (
            lambda p: _write(p / "bom.html", b"\xef\xbb\xbf<html>caf\xe9 \xff\xfe</html>"),
            "undecodable",
        ),
        (lambda p: _write(p / "empty.html", b""), "empty"),
        (lambda p: _write(p / "nav.html", no_article_html().encode()), "no_article"),
        (lambda p: _sparse(p / "huge.html", 50_000_000), "too_large"),
        (lambda p: p / "missing.html", "unreadable"),
    ],
)
def test_ingest_html_bad_pages_have_reasons(tmp_path: Path, make: object, reason: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(InputError) as info:
        read_html_file(path)
    assert info.value.reason == reason
    assert str(info.value).startswith(str(path))


def test_ingest_html_a_50_mb_gzipped_page_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "huge.html.gz"
    with gzip.open(path, "wb", compresslevel=1) as fh:
        fh.write(b"<html><body><p>" + b"a" * 50_000_000 + b"</p></body></html>")
    with pytest.raises(InputError) as info:
        read_html_file(path)
    assert info.value.reason == "too_large"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as fh:
        fh.truncate(size)
    return path


# --------------------------------------------------------------------------- WARC


@pytest.mark.parametrize("gz", [True, False])
def test_ingest_warc_reads_html_responses_with_uri_and_date(tmp_path: Path, gz: bool) -> None:
    path = tmp_path / ("news.warc.gz" if gz else "news.warc")
    pages = [(ARTICLES[k]["url"], article_html(k, with_canonical=False)) for k in ARTICLES]
    write_warc(path, pages, gz=gz)  # type: ignore[arg-type]
    stats = WarcStats()
    items = list(read_warc(path, stats=stats))
    assert all(isinstance(i, RawDocument) for i in items), items
    docs = [i for i in items if isinstance(i, RawDocument)]
    assert [d.url for d in docs] == [ARTICLES[k]["url"] for k in ARTICLES]
    assert {d.fetched for d in docs} == {"2026-03-12T10:00:00Z"}
    assert all(d.source and d.source.startswith(f"{path}@") for d in docs)
    assert len({d.source for d in docs}) == 3
    assert "said Tomas Keld" in docs[0].text and docs[0].extracted
    # not pages: warcinfo, requests, an image, a 404
    assert stats.pages == 3
    assert stats.skipped == {"warcinfo": 1, "request": 3, "not_html": 1, "http_4xx": 1}


def test_ingest_warc_without_extraction_keeps_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "news.warc.gz"
    write_warc(path, [(ARTICLES["ferry"]["url"], article_html("ferry"))])  # type: ignore[list-item]
    (doc,) = list(read_warc(path, extract=False))
    assert isinstance(doc, RawDocument)
    assert isinstance(doc.html, bytes) and doc.text == "" and doc.encoding == "utf-8"


@pytest.mark.parametrize("gz", [True, False])
def test_ingest_warc_truncated_file_yields_the_records_before_and_an_error(
    tmp_path: Path, gz: bool
) -> None:
    full = tmp_path / "full.warc"
    pages = [(ARTICLES[k]["url"], article_html(k)) for k in ARTICLES]
    write_warc(full, pages, gz=gz, extra=False)  # type: ignore[arg-type]
    data = full.read_bytes()
    cut = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    cut.write_bytes(data[: len(data) - 300])
    items = list(read_warc(cut, extract=False))
    docs = [i for i in items if isinstance(i, RawDocument)]
    errors = [i for i in items if isinstance(i, RecordError)]
    assert len(docs) == 2
    assert len(errors) == 1 and errors[0].reason == "truncated"
    assert errors[0].source.startswith(f"{cut}@")


def test_ingest_warc_junk_in_the_middle_is_one_error(tmp_path: Path) -> None:
    full = tmp_path / "full.warc.gz"
    pages = [(ARTICLES[k]["url"], article_html(k)) for k in ARTICLES]
    write_warc(full, pages, extra=False)  # type: ignore[arg-type]
    data = full.read_bytes()
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(data[:-1500] + b"\x1f\x8b\x08\x00garbage" * 40 + data[-1500:])
    items = list(read_warc(bad, extract=False))
    errors = [i for i in items if isinstance(i, RecordError)]
    assert len(errors) == 1 and errors[0].reason in ("bad_warc", "truncated")
    assert sum(isinstance(i, RawDocument) for i in items) >= 1


def test_ingest_warc_oversized_record_is_an_error_and_reading_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onrecord.read.warc, "MAX_HTML_BYTES", 5_000)
    path = tmp_path / "big.warc.gz"
    big = article_html("ferry").replace("</article>", "<p>" + "filler " * 2000 + "</p></article>")
    write_warc(
        path,
        [
            ("https://news.example.org/big", big),
            (ARTICLES["bridge"]["url"], article_html("bridge")),
        ],  # type: ignore[list-item]
        extra=False,
    )
    items = list(read_warc(path, extract=False))
    assert isinstance(items[0], RecordError) and items[0].reason == "too_large"
    assert isinstance(items[1], RawDocument) and items[1].url == ARTICLES["bridge"]["url"]


def test_ingest_warc_page_without_article_is_a_record_error(tmp_path: Path) -> None:
    path = tmp_path / "nav.warc.gz"
    write_warc(path, [("https://news.example.org/sections", no_article_html())], extra=False)
    (item,) = list(read_warc(path))
    assert isinstance(item, RecordError) and item.reason == "no_article"


# --------------------------------------------------------------------------- JSON Lines


def test_ingest_jsonl_html_lines_when_allowed(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    write_jsonl(
        path,
        [
            {"id": "f1", "html": article_html("ferry"), "url": "https://x.example.org/f1"},
            {"id": "t1", "text": "Mayor Ilse Varga said the pier would reopen in May."},
            {"id": "h2", "html": 42},
            {"id": "h3", "html": "  "},
        ],
    )
    strict = list(read_jsonl(path))
    assert [type(i).__name__ for i in strict] == [
        "RecordError",
        "RawDocument",
        "RecordError",
        "RecordError",
    ]
    items = list(read_jsonl(path, allow_html=True))
    first = items[0]
    assert isinstance(first, RawDocument) and first.html and first.text == ""
    assert first.source == f"{path}:1"
    assert isinstance(items[1], RawDocument) and items[1].html is None
    assert [i.reason for i in items[2:] if isinstance(i, RecordError)] == ["bad_field", "empty"]
    out = extract_html(first)
    assert out.url == "https://x.example.org/f1" and "Tomas Keld" in out.text


# --------------------------------------------------------------------------- paths


def test_ingest_paths_walk_folders_and_name_every_record(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.html").write_text(article_html("ferry"), encoding="utf-8")
    write_gz(corpus / "sub" / "b.html.gz", article_html("library").encode())
    (corpus / "c.txt").write_text("Mayor Ilse Varga said the pier would reopen in May.\n")
    write_jsonl(corpus / "d.jsonl", [{"text": "One."}, "{not json"])
    write_warc(corpus / "sub" / "e.warc.gz", [(ARTICLES["bridge"]["url"], article_html("bridge"))])  # type: ignore[list-item]
    (corpus / "notes.md").write_text("# not an input")
    (corpus / ".hidden.html").write_text(article_html("ferry"))
    stats = ReadStats()
    items = list(iter_documents([str(corpus)], stats=stats))
    sources = [i.source for i in items]
    root = str(corpus.resolve())
    assert sources == [
        f"{root}/a.html",
        f"{root}/c.txt",
        f"{root}/d.jsonl:1",
        f"{root}/d.jsonl:2",
        f"{root}/sub/b.html.gz",
        sources[5],
    ]
    assert str(sources[5]).startswith(f"{root}/sub/e.warc.gz@")
    assert isinstance(items[3], RecordError) and items[3].reason == "bad_json"
    assert stats.skipped["unknown_suffix"] == 2
    # nothing is extracted while reading
    assert all(
        i.html is not None for i in items if isinstance(i, RawDocument) and "htm" in str(i.path)
    )


def test_ingest_paths_sniff_unknown_suffixes_and_report_missing(tmp_path: Path) -> None:
    page = tmp_path / "page.php"
    page.write_text(article_html("ferry"))
    archive = tmp_path / "crawl.dat"
    write_warc(archive, [(ARTICLES["ferry"]["url"], article_html("ferry"))], extra=False)  # type: ignore[list-item]
    items = list(iter_documents([str(page), str(archive), str(tmp_path / "nope.txt"), str(page)]))
    assert isinstance(items[0], RawDocument) and items[0].html is not None
    assert isinstance(items[1], RawDocument) and items[1].url == ARTICLES["ferry"]["url"]
    assert isinstance(items[2], RecordError) and items[2].reason == "unreadable"
    assert len(items) == 3  # the same file twice is read once


def test_ingest_paths_stdin_is_named_by_its_text() -> None:
    (a,) = iter_documents(["-"], stdin=io.BytesIO(b"Officials said the road was closed."))
    (b,) = iter_documents(["-"], stdin=io.BytesIO(b"Officials said the road was open."))
    assert isinstance(a, RawDocument) and isinstance(b, RawDocument)
    assert a.source != b.source and str(a.source).startswith("<stdin>#")


# --------------------------------------------------------------------------- ids, language


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.org/a/b?x=1#top", "https://news.example.org/a/b?x=1"),
        ("https://news.example.org/", None),  # a site root names no article
        ("https://news.example.org", None),
        ("ftp://news.example.org/a", None),
        ("not a url", None),
    ],
)
def test_ingest_normalize_url(url: str, expected: str | None) -> None:
    assert normalize_url(url) == expected


def test_ingest_article_id_is_stable_and_prefers_the_url() -> None:
    url = ARTICLES["ferry"]["url"]
    assert article_id(url, "one text") == article_id(url + "#comments", "another text")
    assert article_id(None, "Same  text\n") == article_id("https://x.example.org/", "Same text")
    assert article_id(None, "a") != article_id(None, "b")
    assert len(article_id(None, "a")) == 16
    assert text_hash("a  b") == text_hash("a b\n")


def test_ingest_prepare_rejects_other_languages() -> None:
    doc = RawDocument(doc="de", text="", encoding="", path=None, html=german_html(), source="de")
    with pytest.raises(InputError) as info:
        prepare(doc)
    assert info.value.reason == "unsupported_language"
    assert "'de'" in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "Mayor Ilse Varga said the pier would reopen in May.",
        "Sergei Lavrov, Dmitry Peskov.",  # names only: no confident guess, kept
        "OK",
    ],
)
def test_ingest_prepare_keeps_english_and_unsure_texts(text: str) -> None:
    prep = prepare(RawDocument(doc="t", text=text, encoding="utf-8", path=None, source="t"))
    assert prep.language == "en" and prep.id == article_id(None, text)


def test_ingest_prepare_drops_a_page_date_it_cannot_read_but_not_a_given_one() -> None:
    page = article_html("ferry").replace(ARTICLES["ferry"]["date"] + "T08:30:00+00:00", "soon")  # type: ignore[operator]
    doc = RawDocument(doc="p", text="", encoding="", path=None, html=page, source="p")
    prep = prepare(doc)
    assert prep.doc.published in (None, ARTICLES["ferry"]["date"])
    given = RawDocument(
        doc="g", text="Officials said so.", encoding="utf-8", path=None, published="someday"
    )
    with pytest.raises(InputError) as info:
        prepare(given)
    assert info.value.reason == "bad_date"


# --------------------------------------------------------------------------- real pages


@pytest.mark.shared
def test_ingest_warc_reads_every_page_of_the_shared_news_warc() -> None:
    path = need_shared(SHARED / "data" / "news-pages" / "news-pages.warc.gz")
    stats = WarcStats()
    items = list(read_warc(path, extract=False, stats=stats))
    assert not [i for i in items if isinstance(i, RecordError)]
    docs = [i for i in items if isinstance(i, RawDocument)]
    assert len(docs) == 606 == stats.pages
    assert len({d.source for d in docs}) == 606 and all(d.url and d.fetched for d in docs)
    # the first pages extract to bodies with metadata, or fail with a reason
    for doc in docs[:25]:
        try:
            prep = prepare(doc)
        except InputError as exc:
            assert exc.reason in ("unsupported_language", "no_article")
            continue
        assert prep.doc.text and prep.doc.extracted and prep.doc.url == doc.url


def test_ingest_html_page_dates_read_by_dateparser_in_english() -> None:
    """htmldate's last-resort date parser reads English only (see ``english_page_dates``)."""
    import htmldate.extractors

    from onrecord.read.html import english_page_dates

    body = " ".join(["Harbor officials said the new ferry schedule would start next week."] * 3)
    page = (
        "<html><head><title>Ferry schedule</title></head><body><article>"
        "<h1>Ferry schedule</h1><span class='stamp'>November 20 15:23 2025</span>"
        f"<p>{body}</p><p>{body}</p></article></body></html>"
    )
    raw = RawDocument(doc="p", text="", encoding="", path="p.html", html=page.encode())
    doc = extract_html(raw)
    assert english_page_dates()
    assert htmldate.extractors.get_external_parser().languages == ["en"]
    assert doc.published == "2025-11-20"  # a string only dateparser reads

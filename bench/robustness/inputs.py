"""Generated and mutated inputs of the four kinds onrecord reads: HTML pages, WARC archives,
JSON Lines and plain text (used by ``bench.robustness.fuzz``).

Each input is a function of ``(seed, index)`` alone (``input_for``), so any one of them can be
rebuilt from its number. An input is built from well-formed material (news sentences with
attributions, pages, archives) and then, most of the time, broken: wrong or mixed encodings,
control characters, lone surrogates as bytes, unclosed or deeply nested tags, lying
``Content-Length`` headers, truncated gzip members, wrong JSON types, and random byte edits.
"""

from __future__ import annotations

import gzip
import json
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass

KINDS = ("html", "warc", "jsonl", "text")

#: the file name each kind is read under (``.gz`` variants are chosen per input)
SUFFIX = {"html": ".html", "warc": ".warc", "jsonl": ".jsonl", "text": ".txt"}

SENTENCES = (
    '"We are not in a crisis yet," said Halvard Njoku, the utility director.',
    "Harbor master Ines Okafor said on April 7 that the north pier would reopen in May.",
    "According to the ferry operator, about 4,000 passengers use the route every weekday.",
    "U.S. media reported, citing anonymous officials, that the talks had stalled.",
    "“The books are dry, the ceiling is not,” Sorvik said. “We will reopen first.”",
    "Councillor Marek Hollis, who proposed the plan, said the lights would make it safer.",
    "The minister told reporters on Tuesday that the budget was 'honest'.",
    "«Nous ne céderons pas», a déclaré le maire de Port Alder.",
    "A spokeswoman declined to comment, saying the matter was before the courts.",
    "Officials familiar with the inspection said the roof had not been replaced since 1987.",
    "„Das ist ein kleiner Schritt“, sagte die Bürgermeisterin am Montag.",
    "The report, published Friday, said emissions rose 4% last year.",
    "He said: ‘It is a small thing that people will notice every evening.’",
    "Sources close to the negotiations said no deal was expected before March.",
    "「私たちは準備ができています」と市長は述べた。",
)
QUOTES = "\"'`´‘’‚‛“”„‟«»‹›「」『』〝〞〟＂＇″′"
CONTROLS = [chr(c) for c in range(0x20) if c not in (9, 10, 13)] + ["\x7f", "\x85", "\x9b"]
ODD = [
    "\u200b",
    "\u200e",
    "\u202e",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffd",
    "\u0301",
    "\U0001f600",
    "\u00ad",
    "\u3000",
    "\ue000",
    "\U0010ffff",
    "\ufffe",
]
#: byte sequences that are not UTF-8: UTF-8-encoded surrogates, overlongs, stray bytes
BAD_BYTES = [
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xc0\xaf",
    b"\xe0\x80\xaf",
    b"\xff",
    b"\xfe",
    b"\x80",
    b"\xc3",
    b"\xf4\x90\x80\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\x00",
]
ENCODINGS = (
    "utf-8",
    "utf-8",
    "utf-8",
    "cp1252",
    "latin-1",
    "utf-16",
    "utf-16-le",
    "utf-32",
    "shift_jis",
    "koi8-r",
    "gb18030",
    "cp1250",
    "utf-8-sig",
    "mac-roman",
)
CHARSET_LABELS = (
    "utf-8",
    "UTF-8",
    "iso-8859-1",
    "windows-1252",
    "latin1",
    "ascii",
    "utf-16",
    "shift_jis",
    "koi8-r",
    "x-unknown",
    "",
    "utf-8; foo",
    '"utf-8"',
    "ébc",
    "utf-7",
    "cp65001",
    "bogus" * 20,
)


@dataclass(slots=True)
class Input:
    """One generated input: its kind, file suffix and bytes, and how it was made."""

    kind: str
    suffix: str
    data: bytes
    how: list[str]


def input_for(seed: int, index: int) -> Input:
    """The ``index``-th input of a run with ``seed``: the kinds take turns."""
    rng = random.Random(f"{seed}:{index}")
    kind = KINDS[index % len(KINDS)]
    how: list[str] = []
    data, suffix = _MAKERS[kind](rng, how)
    if rng.random() < 0.35:
        data = mutate(rng, data, how)
    return Input(kind, suffix, data, how)


# ---------------------------------------------------------------------------
# text


def sentence(rng: random.Random) -> str:
    s = rng.choice(SENTENCES)
    r = rng.random()
    if r < 0.15:  # odd quote characters anywhere
        s = "".join(rng.choice(QUOTES) if c in "\"'“”‘’«»„" else c for c in s)
    elif r < 0.25:
        s = _sprinkle(rng, s, CONTROLS)
    elif r < 0.35:
        s = _sprinkle(rng, s, ODD)
    elif r < 0.40:
        s = rng.choice(QUOTES) * rng.randint(1, 50) + s
    return s


def _sprinkle(rng: random.Random, s: str, chars: list[str]) -> str:
    out = list(s)
    for _ in range(rng.randint(1, 6)):
        out.insert(rng.randint(0, len(out)), rng.choice(chars))
    return "".join(out)


def article(rng: random.Random, how: list[str]) -> str:
    paras = [
        " ".join(sentence(rng) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 12))
    ]
    r = rng.random()
    if r < 0.04:
        how.append("long_line")
        paras.append(" ".join(sentence(rng) for _ in range(rng.randint(200, 3000))))
    elif r < 0.06:
        how.append("long_word")
        paras.append("x" * rng.randint(10_000, 300_000))
    elif r < 0.08:
        how.append("many_lines")
        paras.extend(sentence(rng) for _ in range(rng.randint(500, 3000)))
    elif r < 0.10:
        how.append("only_quotes")
        paras = ["".join(rng.choice(QUOTES) for _ in range(rng.randint(1, 2000)))]
    elif r < 0.12:
        how.append("only_space")
        paras = [
            "".join(rng.choice(" \t\r\n\u00a0\u3000\u2028") for _ in range(rng.randint(0, 50)))
        ]
    newline = rng.choice(("\n\n", "\n", "\r\n", "\r", "\n\n\n\n", "\u2029"))
    return newline.join(paras)


def encode(rng: random.Random, text: str, how: list[str]) -> bytes:
    encoding = rng.choice(ENCODINGS)
    if encoding != "utf-8":
        how.append(f"enc={encoding}")
    data = text.encode(encoding, "replace")
    r = rng.random()
    if r < 0.08:
        how.append("bad_bytes")
        data = _insert(rng, data, rng.choice(BAD_BYTES), rng.randint(1, 5))
    elif r < 0.12:  # two encodings in one file
        how.append("mixed_enc")
        data += text.encode(rng.choice(("cp1252", "utf-8", "utf-16-le", "koi8-r")), "replace")
    elif r < 0.14:
        how.append("bom_lie")
        data = rng.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00")) + data
    return data


def make_text(rng: random.Random, how: list[str]) -> tuple[bytes, str]:
    return encode(rng, article(rng, how), how), ".txt"


# ---------------------------------------------------------------------------
# HTML


def page(rng: random.Random, how: list[str]) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in article(rng, how).split("\n") if p)
    title = rng.choice(SENTENCES)[:60]
    charset = rng.choice(CHARSET_LABELS)
    head = [f"<title>{title}</title>"]
    if rng.random() < 0.7:
        head.append(f'<meta charset="{charset}">')
    if rng.random() < 0.3:
        head.append(f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">')
    if rng.random() < 0.4:
        head.append(
            '<link rel="canonical" href="'
            + rng.choice(
                (
                    "https://news.example.org/2026/03/12/story",
                    "javascript:alert(1)",
                    "//x",
                    "",
                    "https://[::1",
                    "http://exa mple.org/a b",
                    "https://news.example.org/" + "a" * 3000,
                )
            )
            + '">'
        )
    if rng.random() < 0.4:
        head.append(
            '<meta property="article:published_time" content="'
            + rng.choice(
                (
                    "2026-03-12T08:30:00+00:00",
                    "9999-99-99",
                    "yesterday",
                    "",
                    "0000-00-00",
                    "2026-02-30",
                    "12/03/2026",
                    "1e400",
                    "2026-03-12T25:61:00Z",
                )
            )
            + '">'
        )
    if rng.random() < 0.2:
        head.append(
            '<script type="application/ld+json">'
            + rng.choice(
                (
                    '{"@type": "NewsArticle", "author": {"name": ["A", 1]}, "datePublished": 5}',
                    '{"@type": [null], "headline": {"a": 1}}',
                    "{not json",
                    "[" * 500,
                    '{"@graph": [{"@type": "Person", "name": null}]}',
                )
            )
            + "</script>"
        )
    structure = rng.random()
    if structure < 0.06:
        depth = rng.randint(100, 5000)
        how.append(f"nested={depth}")
        tag = rng.choice(("div", "span", "b", "table", "ul", "blockquote"))
        body = f"<{tag}>" * depth + body + f"</{tag}>" * rng.choice((depth, 0, depth // 2))
    elif structure < 0.10:
        size = rng.randint(10_000, 2_000_000)
        how.append(f"huge_attr={size}")
        body = f'<div data-x="{"a" * size}" class="{rng.choice(QUOTES) * 50}">' + body + "</div>"
    elif structure < 0.16:
        how.append("unclosed")
        body = body.replace("</p>", "").replace("<p>", rng.choice(("<p>", "<p", "<div><p>", "<")))
    elif structure < 0.20:
        how.append("odd_markup")
        body += rng.choice(
            (
                "<!-- never closed",
                "<![CDATA[ x ]]>",
                "<script>var s = '</script>';</script>",
                "&#0; &#xD800; &#x110000; &#99999999999; &bogus; &amp",
                "<?xml version='1.0'?>",
                "<svg><foreignObject><p>in svg</p></foreignObject></svg>",
                "<math><mi>x</mi>",
                "<p " + "a=b " * 5000 + ">",
                "<table><tr><td>" * 300,
                "</html></body><p>after</p>",
                "<frameset><frame src=x></frameset>",
                "<noscript><p>no</p></noscript>",
            )
        )
    lead = rng.choice(
        (
            "<!DOCTYPE html>",
            "",
            "<?xml version='1.0' encoding='utf-16'?>",
            "<!doctype html><!-- c -->",
            "\ufeff<!DOCTYPE html>",
        )
    )
    article_tag = rng.choice(("article", "main", "div", "section"))
    return (
        f'{lead}<html lang="{rng.choice(("en", "de", "xx", ""))}"><head>{"".join(head)}</head>'
        f"<body><nav><a href='/'>Home</a></nav><{article_tag}><h1>{title}</h1>{body}"
        f"</{article_tag}><footer>All rights reserved.</footer></body></html>"
    )


def make_html(rng: random.Random, how: list[str]) -> tuple[bytes, str]:
    data = encode(rng, page(rng, how), how)
    if rng.random() < 0.15:
        how.append("gz")
        data = gzip.compress(data)
        if rng.random() < 0.4:
            how.append("gz_truncated")
            data = data[: rng.randint(0, len(data) - 1)]
        return data, ".html.gz"
    return data, rng.choice((".html", ".html", ".htm", ".xhtml"))


# ---------------------------------------------------------------------------
# WARC


def _http_block(rng: random.Random, how: list[str]) -> bytes:
    body = encode(rng, page(rng, how), how)
    status = rng.choice(
        ("200 OK",) * 6
        + ("404 Not Found", "301 Moved", "500 Err", "2xx", "", "200", "abc def", "99999999999 OK")
    )
    ctype = rng.choice(
        ("text/html; charset=" + rng.choice(CHARSET_LABELS),) * 5
        + (
            "text/html",
            "application/xhtml+xml",
            "image/png",
            "",
            "text/plain",
            "TEXT/HTML;;;",
            "text/html; charset",
        )
    )
    headers = [f"Content-Type: {ctype}"]
    r = rng.random()
    if r < 0.08:
        how.append("chunked")
        headers.append("Transfer-Encoding: chunked")
        if rng.random() < 0.5:
            body = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
        else:
            body = rng.choice((b"zz\r\n", b"ffffffff\r\n", b"")) + body
    elif r < 0.16:
        how.append("content_encoding")
        encoding = rng.choice(("gzip", "deflate", "br", "x-bogus"))
        headers.append(f"Content-Encoding: {encoding}")
        if encoding == "gzip" and rng.random() < 0.6:
            body = gzip.compress(body)
            if rng.random() < 0.5:
                body = body[: len(body) // 2]
        elif encoding == "deflate" and rng.random() < 0.6:
            body = zlib.compress(body)
    if rng.random() < 0.5:
        headers.append(f"Content-Length: {rng.choice((len(body), len(body) + 7, 0, -3))}")
    if rng.random() < 0.05:
        how.append("http_garbage")
        headers.append(_garbage_line(rng))
    status_line = rng.choice(("HTTP/1.1 ", "HTTP/1.0 ", "HTTP/2 ", "", "ICY ")) + status
    return ("\r\n".join([status_line, *headers]) + "\r\n\r\n").encode("latin-1") + body


def _garbage_line(rng: random.Random) -> str:
    return rng.choice(
        (
            "no colon here",
            ": empty name",
            "X-Long: " + "v" * rng.randint(1000, 100_000),
            "Caf\u00e9: latin",
            "\x00\x01\x02: ctl",
            " folded continuation",
            "A" * 70_000,
            "Content-Length: 12abc",
            "Content-Length: 99999999999999999999",
            "WARC-Type",
        )
    )


def warc_record(rng: random.Random, how: list[str], n: int) -> bytes:
    r = rng.random()
    url = rng.choice(
        (
            f"https://news.example.org/2026/03/12/story-{n}",
            "",
            "not a uri",
            "https://news.example.org/" + "é" * 20,
            "dns:example.org",
        )
    )
    if r < 0.6:
        rec_type, ctype, block = "response", "application/http; msgtype=response", None
    elif r < 0.7:
        rec_type, ctype = "resource", rng.choice(("text/html", "text/plain", ""))
        block = encode(rng, page(rng, how), how)
    elif r < 0.85:  # not an HTTP response: requests, metadata, warcinfo, revisits, unknowns
        rec_type = rng.choice(
            (
                "request",
                "metadata",
                "warcinfo",
                "revisit",
                "conversion",
                "continuation",
                "bogus-type",
                "",
            )
        )
        how.append(f"rec={rec_type or 'none'}")
        ctype = rng.choice(
            (
                "application/http; msgtype=request",
                "text/plain",
                "application/warc-fields",
                "text/html",
            )
        )
        block = rng.choice(
            (
                b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                b"software: fuzz\r\n",
                encode(rng, page(rng, how), how),
                b"",
            )
        )
    else:  # a "response" whose block is not HTTP at all
        how.append("response_not_http")
        rec_type, ctype = "response", "application/http; msgtype=response"
        block = rng.choice(
            (
                b"",
                b"<html><p>no status line</p></html>",
                b"\r\n\r\n",
                b"HTTP/1.1",
                bytes(rng.randrange(256) for _ in range(200)),
            )
        )
    if block is None:
        block = _http_block(rng, how)
    length: object = len(block)
    if rng.random() < 0.12:
        how.append("lying_length")
        length = rng.choice(
            (
                len(block) + rng.randint(1, 500),
                max(0, len(block) - rng.randint(1, 500)),
                0,
                -1,
                "abc",
                "",
                10**18,
                " 12",
                "1e3",
            )
        )
    version = (
        "WARC/1.0"
        if rng.random() > 0.05
        else rng.choice(("WARC/1.1", "WARC/0.9", "WARC/", "warc/1.0", "HTTP/1.1", ""))
    )
    headers = [
        version,
        f"WARC-Type: {rec_type}",
        f"WARC-Target-URI: {url}",
        "WARC-Date: " + rng.choice(("2026-03-12T10:00:00Z", "", "yesterday", "9999")),
        f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{n:012d}>",
        f"Content-Type: {ctype}",
        f"Content-Length: {length}",
    ]
    if rng.random() < 0.06:
        how.append("warc_garbage_header")
        headers.insert(rng.randint(1, len(headers)), _garbage_line(rng))
    if rng.random() < 0.03:
        how.append("warc_no_length")
        headers = [h for h in headers if not h.startswith("Content-Length")]
    head = "\r\n".join(headers).encode("utf-8", "surrogateescape") + b"\r\n\r\n"
    return head + block + b"\r\n\r\n"


def make_warc(rng: random.Random, how: list[str]) -> tuple[bytes, str]:
    records = [warc_record(rng, how, n) for n in range(rng.randint(1, 6))]
    if rng.random() < 0.5:
        how.append("gz")
        members = [gzip.compress(r) for r in records]
        if rng.random() < 0.2:
            how.append("gz_truncated")
            k = rng.randrange(len(members))
            members[k] = members[k][: rng.randint(0, len(members[k]) - 1)]
        if rng.random() < 0.05:
            how.append("gz_uncompressed_member")
            members.insert(rng.randint(0, len(members)), records[0])
        data, suffix = b"".join(members), ".warc.gz"
    else:
        data, suffix = b"".join(records), ".warc"
    if rng.random() < 0.08:
        how.append("trailing_junk")
        data += rng.choice((b"\r\n", b"garbage", b"\x00" * 100, b"WARC/1.0\r\n", b"\x1f\x8b"))
    return data, suffix


# ---------------------------------------------------------------------------
# JSON Lines


def _json_value(rng: random.Random) -> object:
    return rng.choice(
        (
            None,
            True,
            0,
            -1,
            1.5,
            10**30,
            [],
            {},
            [1, "a"],
            {"a": None},
            "",
            float("nan"),
            "x" * 1000,
        )
    )


def jsonl_line(rng: random.Random, how: list[str], text_only: bool = False) -> bytes:
    r = rng.random()
    obj: dict[str, object] = {}
    if r < 0.55:
        obj["text"] = article(rng, how)
    elif r < 0.70:
        obj["html"] = page(rng, how)
    elif r < 0.80:
        how.append("wrong_types")
        for key in ("text", "html", "id", "url", "published", "title"):
            if rng.random() < 0.5:
                obj[key] = _json_value(rng)
    elif r < 0.88:
        how.append("not_object")
        return rng.choice(
            (
                b"[1, 2]",
                b"42",
                b'"a string"',
                b"null",
                b"true",
                b"[]",
                b'[{"text": "inside a list"}]',
            )
        )
    elif r < 0.96:
        how.append("bad_json")
        return rng.choice(
            (
                b'{"text": "unterminated',
                b"{'text': 'single quotes'}",
                b'{"text": "a",}',
                b'{"text": NaN}',
                b"{" * rng.randint(1, 200_000),
                b"[" * rng.randint(1, 200_000),
                b'{"text": "\\x41"}',
                b"}{",
                b'{"text": "a"} {"text": "b"}',
                b'{"text": "tab\there"}',
                b'\xef\xbb\xbf{"text": "bom line"}',
                b'{"text": "a", "id": ' + b"9" * 5000 + b"}",
                b'{"text": "a", "id": 1e400}',
                b'{"text": "a"}\x00',
                b'\x00{\x00"\x00',
                b'{"text": "a", "text": 5}',
                b'{"": "", "text": "\\u0000"}',
            )
        )
    else:
        how.append("bad_utf8")
        line = json.dumps({"text": article(rng, how)}).encode("utf-8")
        return _insert(rng, line, rng.choice(BAD_BYTES), rng.randint(1, 3))
    if rng.random() < 0.5:
        obj["id"] = rng.choice(("doc-1", 7, "", "a" * 500, -5, 1.0, True))
    if rng.random() < 0.4:
        obj["published"] = rng.choice(
            (
                "2026-03-12",
                "2026-13-45",
                "yesterday",
                "",
                "0000-00-00",
                "99999-01-01",
                "2026-03-12T10:00:00+25:00",
                "1e9",
                "in the year " + "9" * 5000,
                "-1-01-01",
                "2026-W53-8",
            )
        )
    for key in ("url", "title"):
        if rng.random() < 0.2:
            obj[key] = rng.choice(("https://news.example.org/x", "", "\x00", "title"))
    line = json.dumps(obj, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    if rng.random() < 0.05:
        how.append("surrogate_escape")
        line = line.replace(b'"text": "', b'"text": "\\ud800 \\udfff', 1)
    return line


def make_jsonl(rng: random.Random, how: list[str]) -> tuple[bytes, str]:
    lines = [jsonl_line(rng, how) for _ in range(rng.randint(1, 6))]
    if rng.random() < 0.1:
        how.append("blank_lines")
        lines.insert(rng.randint(0, len(lines)), rng.choice((b"", b"   ", b"\t\r")))
    if rng.random() < 0.02:
        how.append("huge_line")
        lines.append(json.dumps({"text": "word " * rng.randint(200_000, 1_300_000)}).encode())
    sep = rng.choice((b"\n", b"\n", b"\r\n", b"\n\n"))
    data = sep.join(lines) + rng.choice((sep, b""))
    return data, ".jsonl"


# ---------------------------------------------------------------------------
# generic mutations, applied to the bytes of any kind


def _insert(rng: random.Random, data: bytes, piece: bytes, times: int = 1) -> bytes:
    for _ in range(times):
        at = rng.randint(0, len(data))
        data = data[:at] + piece + data[at:]
    return data


def mutate(rng: random.Random, data: bytes, how: list[str]) -> bytes:
    """One to three random byte-level edits."""
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(_MUTATIONS)
        how.append(op.__name__.lstrip("_"))
        data = op(rng, data)
    return data


def _flip(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randint(0, len(data))]


def _chop_head(rng: random.Random, data: bytes) -> bytes:
    return data[rng.randint(0, len(data)) :]


def _bad_bytes(rng: random.Random, data: bytes) -> bytes:
    return _insert(rng, data, rng.choice(BAD_BYTES), rng.randint(1, 8))


def _duplicate(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, 4096))
    return data[:b] + data[a:b] * rng.randint(1, 20) + data[b:]


def _delete(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    a = rng.randrange(len(data))
    return data[:a] + data[a + rng.randint(1, 512) :]


def _controls(rng: random.Random, data: bytes) -> bytes:
    return _insert(rng, data, bytes([rng.randrange(32)]), rng.randint(1, 30))


def _random_bytes(rng: random.Random, data: bytes) -> bytes:
    return _insert(rng, data, bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))))


def _empty(rng: random.Random, data: bytes) -> bytes:
    return rng.choice((b"", b" ", b"\n", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe"))


def _splice(rng: random.Random, data: bytes) -> bytes:
    other, _ = _MAKERS[rng.choice(KINDS)](rng, [])
    return data[: rng.randint(0, len(data))] + other[rng.randint(0, len(other)) :]


_MUTATIONS: tuple[Callable[[random.Random, bytes], bytes], ...] = (
    _flip,
    _flip,
    _truncate,
    _truncate,
    _chop_head,
    _bad_bytes,
    _duplicate,
    _delete,
    _controls,
    _random_bytes,
    _empty,
    _splice,
)

_MAKERS: dict[str, Callable[[random.Random, list[str]], tuple[bytes, str]]] = {
    "html": make_html,
    "warc": make_warc,
    "jsonl": make_jsonl,
    "text": make_text,
}

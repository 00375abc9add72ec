"""Fictional pages and archives for the ingest tests (all text written for onrecord)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

ARTICLES = {
    "ferry": {
        "url": "https://news.example.org/2026/03/12/ferry-strike",
        "title": "Ferry Crews Vote To Strike Over Night Shifts",
        "author": "Nadia Orvell",
        "site": "Example Harbor News",
        "date": "2026-03-12",
        "paragraphs": [
            "Ferry crews in Port Alder voted on Wednesday to strike from next Monday, "
            "their union said, after talks over night shifts broke down.",
            '"We have run these boats short-handed for two winters," said Tomas Keld, '
            "the union's regional secretary. \"Nobody should cross the sound on a crew "
            'that has not slept."',
            "Harbor commissioner Ines Okafor said the city would keep the morning "
            "crossings running with relief crews and that talks could resume on Friday.",
            "According to the ferry operator, about 4,000 passengers use the route every "
            "weekday, most of them commuters to the mainland hospital.",
        ],
    },
    "library": {
        "url": "https://news.example.org/2026/02/03/library-roof",
        "title": "Valmont Library Closes Reading Room After Roof Leak",
        "author": "Peter Lund",
        "site": "Example Harbor News",
        "date": "2026-02-03",
        "paragraphs": [
            "The Valmont public library closed its main reading room on Monday after "
            "water came through the roof during the weekend storm.",
            "Library director Hana Sorvik said the collection was safe but that repairs "
            "would take at least six weeks.",
            '"The books are dry, the ceiling is not," Sorvik said. "We will reopen the '
            "children's wing first.\"",
            "Officials familiar with the inspection said the roof had not been replaced "
            "since 1987.",
        ],
    },
    "bridge": {
        "url": "https://news.example.org/2026/01/20/bridge-lights",
        "title": "Council Approves New Lights For The Old Toll Bridge",
        "author": "Nadia Orvell",
        "site": "Example Harbor News",
        "date": "2026-01-20",
        "paragraphs": [
            "The Port Alder council approved on Tuesday a plan to light the old toll "
            "bridge at night, ending a debate that ran for three years.",
            "Councillor Marek Hollis, who proposed the plan, said the lights would make "
            "the crossing safer for cyclists.",
            '"It is a small thing that people will notice every evening," Hollis said.',
            "The works are expected to start in the spring and to cost about 180,000 euros, "
            "according to the council's budget office.",
        ],
    },
}

GERMAN = (
    "Der Stadtrat von Port Alder hat am Dienstag beschlossen, die alte Mautbrücke nachts zu "
    "beleuchten. Damit endet eine Debatte, die drei Jahre gedauert hat. Die Arbeiten sollen "
    "im Frühjahr beginnen und rund 180.000 Euro kosten, teilte das Haushaltsbüro des Rates mit."
)


def article_html(key: str, *, with_canonical: bool = True) -> str:
    a = ARTICLES[key]
    paras = "\n".join(f"<p>{p}</p>" for p in a["paragraphs"])  # type: ignore[union-attr]
    canonical = f'<link rel="canonical" href="{a["url"]}">' if with_canonical else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{a["title"]} | {a["site"]}</title>
{canonical}
<meta property="og:title" content="{a["title"]}">
<meta property="og:site_name" content="{a["site"]}">
<meta name="author" content="{a["author"]}">
<meta property="article:published_time" content="{a["date"]}T08:30:00+00:00">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/local">Local</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<article><h1>{a["title"]}</h1>
<p class="byline">By {a["author"]}</p>
{paras}
</article>
<footer><p>Subscribe to our newsletter</p><p>All rights reserved.</p></footer>
</body></html>
"""


def german_html() -> str:
    return f"""<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Neue Lichter für die alte Mautbrücke</title>
<link rel="canonical" href="https://news.example.org/de/bruecke"></head>
<body><article><h1>Neue Lichter für die alte Mautbrücke</h1><p>{GERMAN}</p>
<p>{GERMAN}</p></article></body></html>"""


def no_article_html() -> str:
    links = "\n".join(f'<li><a href="/s/{i}">Section {i}</a></li>' for i in range(30))
    return f"""<!DOCTYPE html><html><head><title>Sections</title></head>
<body><nav><ul>{links}</ul></nav></body></html>"""


def write_warc(
    path: Path,
    pages: list[tuple[str, str | bytes]],
    *,
    gz: bool = True,
    extra: bool = True,
    date: str = "2026-03-12T10:00:00Z",
) -> None:
    """A WARC with a warcinfo, one request + response per page, and non-page records."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        writer.write_record(
            writer.create_warcinfo_record(path.name, {"software": "onrecord tests"})
        )

        def response(url: str, body: bytes, ctype: str, status: str = "200 OK") -> None:
            http = StatusAndHeaders(
                status,
                [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(record)

        for url, page in pages:
            body = page.encode("utf-8") if isinstance(page, str) else page
            req = StatusAndHeaders(
                "GET / HTTP/1.1", [("Host", "news.example.org")], is_http_request=True
            )
            writer.write_record(
                writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=req)
            )
            response(url, body, "text/html; charset=utf-8")
        if extra:
            response(
                "https://news.example.org/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png"
            )
            response(
                "https://news.example.org/gone",
                b"<html>Not found</html>",
                "text/html",
                "404 Not Found",
            )


def write_gz(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(data))


def write_jsonl(path: Path, rows: list[object]) -> None:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8"
    )

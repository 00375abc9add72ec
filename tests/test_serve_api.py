"""The HTTP API over a real DuckDB built by the real ingest (examples + a hostile article)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conftest import ROOT
from onrecord.store.database import Store
from onrecord.store.query import QueryFilter, quotes, quotes_total
from serve_helpers import HOSTILE_ID, HOSTILE_TEXT, HOSTILE_URL

pytestmark = pytest.mark.model

PORT_ALDER = "Port Alder Council Approves Harbor Budget After Late-Night Debate"


@pytest.fixture(scope="module")
def client(served: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served, timeout=60) as c:
        yield c


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: httpx.Response, status: int) -> str:
    """The one readable line of an error answer; never a traceback."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail"} and isinstance(body["detail"], str)
    assert "Traceback" not in response.text and 'File "' not in response.text
    return str(body["detail"])


# --------------------------------------------------------------------------- articles


def test_serve_api_articles_lists_every_article_with_total(client: httpx.Client) -> None:
    data = ok(client.get("/api/articles"))
    assert set(data) == {"items", "total"}
    assert data["total"] == 3 and len(data["items"]) == 3
    assert data["items"][0]["title"].startswith("Pier Vote")  # the only dated one: newest first
    assert {"id", "title", "published", "publisher", "url", "attributions"} <= set(data["items"][0])


def test_serve_api_articles_pages_with_limit_and_offset(client: httpx.Client) -> None:
    everything = [a["id"] for a in ok(client.get("/api/articles"))["items"]]
    pages = [ok(client.get("/api/articles", params={"limit": 1, "offset": n})) for n in range(4)]
    assert [p["total"] for p in pages] == [3, 3, 3, 3]
    assert [a["id"] for p in pages for a in p["items"]] == everything
    assert pages[3]["items"] == []


@pytest.mark.parametrize(
    ("params", "titles"),
    [
        ({"q": "reservoir"}, ["Water Utility Warns Of Summer Shortage In Valmont Valley"]),
        ({"q": "HARBOR budget"}, [PORT_ALDER]),  # every word, any case, title or text
        ({"q": "reservoirs"}, ["Water Utility Warns Of Summer Shortage In Valmont Valley"]),
        ({"q": "pier"}, ["Pier Vote", PORT_ALDER]),  # in the title and the text: first
        ({"q": "reservoir budget"}, []),  # no article has both
        ({"q": "'; DROP TABLE articles; --"}, []),  # words only, bound as parameters
        ({"since": "2026-04-01"}, ["Pier Vote"]),
        ({"until": "2026-04-01"}, []),  # undated articles are left out by a date filter
        ({"publisher": "Nobody Press"}, []),
    ],
)
def test_serve_api_articles_filters(
    client: httpx.Client, params: dict[str, str], titles: list[str]
) -> None:
    data = ok(client.get("/api/articles", params=params))
    assert data["total"] == len(titles)
    assert [a["title"].split(" <")[0] for a in data["items"]] == titles


def test_serve_api_article_is_the_whole_record(client: httpx.Client, serve_db: str) -> None:
    data = ok(client.get(f"/api/articles/{HOSTILE_ID}"))
    assert data["doc"] == HOSTILE_ID and data["url"] == HOSTILE_URL
    assert data["text"] == HOSTILE_TEXT and data["published"] == "2026-04-02"
    assert data["attributions"], "the hostile article has attributions to highlight"
    for a in data["attributions"]:
        assert (
            " … ".join(data["text"][s:e] for s, e in a["content"]["spans"])
            == (a["content"]["text"])
        )
    with Store(serve_db, read_only=True) as store:
        found = store.record(data["id"])
    assert found is not None and data["attributions"] == found[1].to_dict()["attributions"]


def test_serve_api_unknown_article_is_404(client: httpx.Client) -> None:
    assert "no article" in refused(client.get("/api/articles/0000nothing"), 404)


# --------------------------------------------------------------------------- quotes


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"speaker": "Njoku"},
        {"speaker": "halvard njoku", "kind": "direct"},
        {"about": "reservoir"},
        {"anonymous": "true"},
        {"kind": "according_to"},
        {"since": "2026-01-01", "until": "2026-12-31"},
        {"limit": "3", "offset": "2"},
        {"min_confidence": "0.9"},
    ],
)
def test_serve_api_quotes_are_the_cli_query(
    client: httpx.Client, serve_db: str, params: dict[str, str]
) -> None:
    data = ok(client.get("/api/quotes", params=params))
    values: dict[str, Any] = {k: v for k, v in params.items() if k in ("speaker", "about", "kind")}
    values |= {k: int(v) for k, v in params.items() if k in ("limit", "offset")}
    values |= {k: __import__("datetime").date.fromisoformat(v) for k, v in params.items()
               if k in ("since", "until")}  # fmt: skip
    values |= {k: float(v) for k, v in params.items() if k == "min_confidence"}
    values["anonymous"] = params.get("anonymous") == "true"
    f = QueryFilter(**values)
    with Store(serve_db, read_only=True) as store:
        expected, total = quotes(store, f), quotes_total(store, f)
    assert data["total"] == total and total > 0
    assert [(q["article_id"], q["attribution_id"]) for q in data["items"]] == [
        (q["article_id"], q["attribution_id"]) for q in expected
    ]


@pytest.mark.parametrize("value", ["-1", "1.01", "high"])
def test_serve_api_min_confidence_out_of_range_is_422(client: httpx.Client, value: str) -> None:
    assert client.get("/api/quotes", params={"min_confidence": value}).status_code == 422


def test_serve_api_quotes_speaker_filter_is_a_parameter(client: httpx.Client) -> None:
    data = ok(client.get("/api/quotes", params={"speaker": "x' OR 1=1 --"}))
    assert data == {"items": [], "total": 0}
    assert ok(client.get("/api/articles"))["total"] == 3


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"limit": "0"}, ["limit", "greater than or equal to 1"]),
        ({"limit": "201"}, ["limit", "less than or equal to 200"]),
        ({"offset": "-1"}, ["offset"]),
        ({"since": "yesterday"}, ["since", "date"]),
        ({"kind": "rumour"}, ["unknown kind 'rumour'", "direct"]),
        ({"since": "2026-05-01", "until": "2026-01-01"}, ["since 2026-05-01 is after"]),
        ({"anonymous": "maybe"}, ["anonymous", "boolean"]),
        ({"about": "x" * 501}, ["about", "500"]),
    ],
)
def test_serve_api_bad_values_are_422_with_a_readable_line(
    client: httpx.Client, params: dict[str, str], words: list[str]
) -> None:
    message = refused(client.get("/api/quotes", params=params), 422)
    assert all(w in message for w in words), message
    assert "\n" not in message


# --------------------------------------------------------------------------- speakers


def test_serve_api_speakers_rank_with_titles_and_anonymous_share(client: httpx.Client) -> None:
    data = ok(client.get("/api/speakers"))
    counts = [s["attributions"] for s in data["items"]]
    assert counts == sorted(counts, reverse=True)
    njoku = next(s for s in data["items"] if s["speaker"] == "Halvard Njoku")
    assert njoku["titles"] == ["Utility director"] and njoku["anonymous_share"] == 0
    assert data["totals"]["attributions"] >= sum(counts)


def test_serve_api_speaker_by_name(client: httpx.Client) -> None:
    data = ok(client.get("/api/speakers/Halvard Njoku", follow_redirects=True))
    assert [n["speaker"] for n in data["names"]] == ["Halvard Njoku"]
    statements = data["statements"]
    assert statements["total"] == len(statements["items"]) > 0
    assert {q["speaker"] for q in statements["items"]} == {"Halvard Njoku"}
    assert "no speaker" in refused(client.get("/api/speakers/Nobody%20Atall"), 404)


@pytest.fixture(scope="module")
def examples(examples_served: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=examples_served, timeout=60) as c:
        yield c


def test_serve_api_a_name_redirects_to_its_canonical_speaker(examples: httpx.Client) -> None:
    """An old link by name keeps working: it redirects to the speaker's id, with its query."""
    client = examples
    moved = client.get("/api/speakers/Brennan?limit=3")
    assert moved.status_code == 307
    target = moved.headers["location"]
    assert "/api/speakers/sp" in target and target.endswith("?limit=3")
    data = ok(client.get(target))
    assert data["name"] == "Orla Brennan" and data["kind"] == "person"
    assert data["aliases"] and data["titles"][0]["title"] == "Mayor"
    assert data["articles"] == 3 and len(data["statements"]["items"]) == 3
    assert {q["speaker_id"] for q in data["statements"]["items"]} == {data["id"]}
    reported = data["reported"]["items"]
    assert reported and reported[0]["outlets"] == ["Coastwire", "Harborline"]
    assert "no speaker" in refused(client.get("/api/speakers/sp0000000000dead"), 404)


def test_serve_api_statements_list_and_one(examples: httpx.Client) -> None:
    client = examples
    data = ok(client.get("/api/statements", params={"min_outlets": 2}))
    assert data["total"] == len(data["items"]) == 1
    st = data["items"][0]
    assert st["speaker"] == "Orla Brennan" and st["first_publisher"] == "Coastwire"
    assert (
        ok(client.get("/api/statements", params={"speaker": "Brennan", "min_outlets": 2})) == data
    )
    none = ok(client.get("/api/statements", params={"speaker": "Njoku", "min_outlets": 2}))
    assert none == {"items": [], "total": 0}
    found = ok(client.get("/api/statements", params={"about": "ferries piers", "min_outlets": 2}))
    assert [s["id"] for s in found["items"]] == [st["id"]]
    one = ok(client.get(f"/api/statements/{st['id']}"))
    dates = [o["published"] for o in one["occurrences"]]
    assert dates[:2] == ["2031-04-08", "2031-04-09"] and len(one["variants"]) >= 2
    ops = {d["op"] for v in one["variants"][1:] for d in v["differences"]}
    assert {"same", "added", "removed"} <= ops
    assert "no statement" in refused(client.get("/api/statements/st0000"), 404)
    assert refused(client.get("/api/statements", params={"min_outlets": -1}), 422)


# --------------------------------------------------------------------------- extract

TEXT = (
    "Harbor master Ines Okafor said on April 7 that the north pier would reopen in May.\n\n"
    '"We are not in a crisis yet," said Halvard Njoku, the utility director.'
)


def _speakers(record: dict[str, Any]) -> list[str | None]:
    return [a["source"]["name"] if a["source"] else None for a in record["attributions"]]


def test_serve_api_extract_json_text(client: httpx.Client) -> None:
    record = ok(client.post("/api/extract", json={"text": TEXT, "published": "2031-04-09"}))
    assert _speakers(record) == ["Ines Okafor", "Halvard Njoku"]
    assert record["attributions"][0]["time"]["value"] == "2031-04-07"
    assert ok(client.get("/api/articles"))["total"] == 3  # nothing stored


def test_serve_api_extract_plain_text_body(client: httpx.Client) -> None:
    response = client.post(
        "/api/extract",
        content=TEXT.encode(),
        params={"published": "2031-04-09"},
        headers={"content-type": "text/plain; charset=utf-8"},
    )
    record = ok(response)
    assert record["attributions"][0]["time"]["value"] == "2031-04-07"


def test_serve_api_extract_html_page(client: httpx.Client) -> None:
    from ingest_helpers import article_html

    record = ok(client.post("/api/extract", json={"html": article_html("ferry")}))
    assert record["title"] == "Ferry Crews Vote To Strike Over Night Shifts"
    assert record["published"] == "2026-03-12"
    assert "Tomas Keld" in _speakers(record)
    assert "Subscribe" not in record["text"]  # the page's footer is not the article


@pytest.mark.parametrize(
    ("kwargs", "status", "words"),
    [
        ({"json": {"text": "   "}}, 422, ["empty"]),
        ({"json": {}}, 422, ["exactly one of 'text' and 'html'"]),
        ({"json": {"text": "a", "html": "<p>a</p>"}}, 422, ["exactly one"]),
        ({"json": {"text": "a", "published": "soon"}}, 422, ["published", "date"]),
        ({"json": {"text": "a", "colour": "red"}}, 422, ["colour", "not permitted"]),
        ({"json": {"html": "<html><nav>Home</nav></html>"}}, 422, ["no article body"]),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 422,
         ["not JSON"]),
        ({"content": b"\xff\xfe", "headers": {"content-type": "text/plain"}}, 422, ["UTF-8"]),
        ({"content": b"[" * 100_000, "headers": {"content-type": "application/json"}}, 422,
         ["nested too deeply"]),
        ({"content": b'{"text": "Mayor Ana Ruiz said \\ud800 yes."}',
          "headers": {"content-type": "application/json"}}, 422, ["surrogate"]),
        ({"content": b"x", "headers": {"content-type": "image/png"}}, 415, ["text/plain"]),
    ],
)  # fmt: skip
def test_serve_api_extract_refuses_bad_input_in_one_line(
    client: httpx.Client, kwargs: dict[str, Any], status: int, words: list[str]
) -> None:
    message = refused(client.post("/api/extract", **kwargs), status)
    assert all(w in message for w in words), message


def test_serve_api_extract_body_over_the_cap_is_413(client: httpx.Client) -> None:
    from onrecord.serve.context import MAX_BODY

    big = b"a" * (MAX_BODY + 1)
    sized = client.post("/api/extract", content=big, headers={"content-type": "text/plain"})
    assert "limit" in refused(sized, 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams in
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"b" * 65536

    streamed = client.post("/api/extract", content=chunks(), headers={"content-type": "text/plain"})
    assert "limit" in refused(streamed, 413)


# --------------------------------------------------------------------------- the app


def test_serve_api_openapi_documents_every_endpoint(client: httpx.Client) -> None:
    paths = ok(client.get("/openapi.json"))["paths"]
    assert {
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/quotes",
        "/api/speakers",
        "/api/speakers/{name}",
        "/api/extract",
    } <= set(paths)
    body = paths["/api/extract"]["post"]["requestBody"]["content"]
    assert {"application/json", "text/plain", "text/html"} <= set(body)
    reference = client.get("/api")  # the same list as a page that works offline
    assert reference.status_code == 200 and "text/html" in reference.headers["content-type"]
    assert all(f"{p}</code>" in reference.text for p in paths)


def test_serve_api_unknown_path_and_method(client: httpx.Client) -> None:
    refused(client.get("/api/nothing"), 404)
    refused(client.delete("/api/articles"), 405)


def test_serve_pages_carry_security_headers(client: httpx.Client) -> None:
    response = client.get(f"/articles/{HOSTILE_ID}")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_serve_page_errors_are_pages_without_internals(client: httpx.Client) -> None:
    missing = client.get("/articles/0000nothing")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    bad = client.get("/quotes", params={"since": "<b>soon</b>"})
    assert bad.status_code == 400 and "not a date" in bad.text
    assert "<b>soon</b>" not in bad.text and "&lt;b&gt;soon&lt;/b&gt;" in bad.text


# --------------------------------------------------------------------------- the command


def test_serve_cli_missing_database_is_one_line_exit_2(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from onrecord.cli.main import main

    code = main(["serve", "--db", str(tmp_path / "none.duckdb")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "no such database" in err and "onrecord ingest" in err


def test_serve_cli_import_does_not_load_the_web_stack() -> None:
    code = "import sys, onrecord.cli.main; onrecord.cli.main.build_parser(); print(sorted("
    code += "m for m in ('fastapi', 'uvicorn', 'jinja2', 'starlette') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]"


def test_serve_cli_help_and_bad_port(capsys: pytest.CaptureFixture[str]) -> None:
    from onrecord.cli.main import main

    with pytest.raises(SystemExit) as info:
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and all(w in out for w in ("--db", "--host", "--port", "/api"))
    with pytest.raises(SystemExit) as info:
        main(["serve", "--port", "http"])
    assert info.value.code == 2 and "not a port number" in capsys.readouterr().err

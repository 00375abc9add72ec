"""The query commands on a small ingested corpus: the project's examples and fictional pages."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

import onrecord.pipeline
from conftest import EXAMPLES
from ingest_helpers import ARTICLES, article_html
from onrecord.cli.main import main
from onrecord.ingest.runner import IngestOptions, ingest

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, pipeline: Any) -> Iterator[str]:
    root = tmp_path_factory.mktemp("queries")
    corpus = root / "corpus"
    corpus.mkdir()
    for path in EXAMPLES.glob("*.txt"):
        (corpus / path.name).write_bytes(path.read_bytes())
    for key in ARTICLES:
        (corpus / f"{key}.html").write_text(article_html(key), encoding="utf-8")
    path = str(root / "q.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(onrecord.pipeline, "Pipeline", lambda *a, **k: pipeline)
        summary = ingest([str(corpus)], options=IngestOptions(db=path, workers=0))
    assert summary.articles == 5 and summary.errors == 0
    yield path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def as_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out = run(capsys, *args, "--format", "json")
    assert code == 0
    return json.loads(out)


def test_queries_quotes_table_is_readable(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "quotes", "--db", db, "--limit", "5")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["DATE", "SPEAKER", "KIND", "CUE", "CONTENT", "ARTICLE"]
    assert len(lines) == 2 + 5
    assert lines[2].startswith("2026-03-12")  # newest article first


@pytest.mark.parametrize("name", ["Keld", "keld", "Tomas Keld", "TOMAS  KELD"])
def test_queries_speaker_by_name_or_surname(
    db: str, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    rows = as_json(capsys, "quotes", "--db", db, "--speaker", name)
    assert rows and {r["speaker"] for r in rows} == {"Tomas Keld"}
    assert rows[0]["speaker_title"] == "union's regional secretary"


def test_queries_speaker_matches_no_first_name_or_part(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert as_json(capsys, "quotes", "--db", db, "--speaker", "Tomas") == []
    assert as_json(capsys, "quotes", "--db", db, "--speaker", "Kel") == []


def test_queries_about_is_full_text_and_stemmed(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = as_json(capsys, "quotes", "--db", db, "--about", "night shift")
    assert rows and all("night shifts" in r["content"] for r in rows)
    rows = as_json(capsys, "quotes", "--db", db, "--about", "books ceiling")
    assert [r["speaker"] for r in rows] == ["Hana Sorvik"]
    assert as_json(capsys, "quotes", "--db", db, "--about", "submarine") == []
    assert as_json(capsys, "quotes", "--db", db, "--about", 'OR "NEAR(') == []


def test_queries_dates_kind_anonymous_limit(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    rows = as_json(capsys, "quotes", "--db", db, "--since", "2026-02-01", "--until", "2026-02-28")
    assert rows and {r["published"] for r in rows} == {"2026-02-03"}
    rows = as_json(capsys, "quotes", "--db", db, "--kind", "direct", "--limit", "100")
    assert rows and {r["kind"] for r in rows} == {"direct"}
    rows = as_json(capsys, "quotes", "--db", db, "--anonymous", "--limit", "100")
    assert rows and all(r["anonymous"] for r in rows)
    assert any(r["speaker"] == "Officials familiar with the inspection" for r in rows)
    assert len(as_json(capsys, "quotes", "--db", db, "--limit", "3")) == 3
    # text articles have no date: a date filter leaves them out
    rows = as_json(capsys, "quotes", "--db", db, "--since", "2000-01-01", "--limit", "500")
    assert all(r["published"] for r in rows)


def test_queries_quotes_csv(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "quotes", "--db", db, "--speaker", "Sorvik", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and {r["speaker"] for r in rows} == {"Hana Sorvik"}
    assert {"article_id", "content", "cue", "kind", "published", "url"} <= set(rows[0])


def test_queries_bad_options_are_usage_errors(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quotes", "--db", db, "--since", "2026-05-01", "--until", "2026-01-01"]) == 2
    assert "after --until" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["quotes", "--db", db, "--since", "May"])
    assert main(["quotes", "--db", db + ".missing"]) == 2
    assert "no such database" in capsys.readouterr().err


def test_queries_speakers(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = as_json(capsys, "speakers", "--db", db, "--limit", "50")
    rows = {r["speaker"]: r for r in data["speakers"]}
    assert rows["Tomas Keld"]["quoted"] >= 1 and rows["Tomas Keld"]["articles"] == 1
    assert "Harbor commissioner" in rows["Ines Okafor"]["titles"]
    assert rows["officials familiar with the inspection"]["anonymous_share"] == 1.0
    counts = [r["attributions"] for r in data["speakers"]]
    assert counts == sorted(counts, reverse=True)
    totals = data["totals"]
    assert totals["attributions"] >= sum(counts[:5]) and 0 < totals["anonymous_share"] < 1
    code, out = run(capsys, "speakers", "--db", db)
    assert code == 0 and out.splitlines()[0].split()[:2] == ["SPEAKER", "ATTRIB."]
    assert "from anonymous sources" in out.splitlines()[-1]


def test_queries_article_by_id_url_or_name(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = ARTICLES["ferry"]["url"]
    data = as_json(capsys, "article", url, "--db", db)
    assert data["url"] == url and data["doc"] == "ferry" and data["author"] == "Nadia Orvell"
    assert any(a["source"]["name"] == "Tomas Keld" for a in data["attributions"] if a["source"])
    # the stored record has the record's shape: offsets index the stored text
    for a in data["attributions"]:
        for s, e in a["content"]["spans"]:
            assert data["text"][s:e] in a["content"]["text"]
    code, out = run(capsys, "article", data["id"][:6], "--db", db)
    assert code == 0 and out.startswith(f"== {ARTICLES['ferry']['title']}")
    assert f"url: {url}" in out
    code, out = run(capsys, "article", "valmont-water-warning", "--db", db)
    assert code == 0 and "Halvard Njoku" in out
    assert main(["article", "no-such-article", "--db", db]) == 2


def test_queries_export_parquet(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "export", "--parquet", str(tmp_path / "pq"), "--db", db)
    assert code == 0 and "attributions.parquet" in out
    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM '{tmp_path / 'pq' / 'articles.parquet'}'").fetchone()
    assert n == (5,)
    src = duckdb.connect(db, read_only=True)
    for table in ("articles", "attributions", "entities", "times", "errors", "sources", "meta"):
        want = [r[0] for r in src.execute(f"DESCRIBE {table}").fetchall()]
        got = [
            r[0]
            for r in con.execute(
                f"DESCRIBE SELECT * FROM '{tmp_path / 'pq' / table}.parquet'"
            ).fetchall()
        ]
        assert got == want
    src.close()


def test_queries_speakers_leave_out_unresolved_pronouns(tmp_path: Path) -> None:
    from onrecord.record import Source
    from onrecord.store.database import BatchRows, Store
    from onrecord.store.query import QueryFilter, quotes, speakers
    from test_store import record

    rec = record("p1")
    rec.attributions[1].source = Source("it", [(0, 2)], entity=None, name=None)
    rows = BatchRows()
    rows.add_article(rec, id="p1", doc="p1", url=None, source="p1.txt")
    with Store(tmp_path / "s.duckdb") as store:
        store.write(rows)
        ranked, totals = speakers(store, QueryFilter())
        assert [r["speaker"] for r in ranked] == ["Ines Okafor"]
        assert totals["attributions"] == 1
        # quotes still list it: the attribution is there, only its speaker is unknown
        assert len(quotes(store, QueryFilter())) == 2


def test_queries_min_confidence_leaves_out_the_unsure(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    every = as_json(capsys, "quotes", "--db", db, "--limit", "500", "--min-confidence", "0")
    floor = sorted(r["confidence"] for r in every)[len(every) // 2]
    sure = as_json(capsys, "quotes", "--db", db, "--limit", "500", "--min-confidence", str(floor))
    assert 0 < len(sure) < len(every)
    assert all(r["confidence"] >= floor for r in sure)
    assert {(r["article_id"], r["attribution_id"]) for r in sure} == {
        (r["article_id"], r["attribution_id"]) for r in every if r["confidence"] >= floor
    }
    everyone = as_json(capsys, "speakers", "--db", db, "--min-confidence", "0")["totals"]
    surest = as_json(capsys, "speakers", "--db", db, "--min-confidence", str(floor))["totals"]
    assert 0 < surest["attributions"] < everyone["attributions"]


@pytest.mark.parametrize("value", ["-0.1", "1.5"])
def test_queries_min_confidence_out_of_range_is_a_usage_error(
    db: str, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    assert main(["quotes", "--db", db, "--min-confidence", value]) == 2
    assert "--min-confidence must be between 0 and 1" in capsys.readouterr().err


def test_queries_to_whom_and_where_are_stored_and_filtered(
    tmp_path: Path, pipeline: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "told.jsonl"
    lines = [
        {"id": "t1", "published": "2031-04-09", "text": "Pier to reopen\n\nMayor Ilse Varga "
         "told reporters on Friday that the north pier would reopen in May."},
        {"id": "t2", "published": "2031-04-10", "text": "Cranes idle\n\nIn a statement, port "
         "director Mara Quist said the cranes would stay idle until June."},
    ]  # fmt: skip
    corpus.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    db = str(tmp_path / "t.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(onrecord.pipeline, "Pipeline", lambda *a, **k: pipeline)
        assert ingest([str(corpus)], options=IngestOptions(db=db, workers=0)).articles == 2
    told = as_json(capsys, "quotes", "--db", db, "--to", "reporters")
    assert [(r["speaker"], r["addressee"]) for r in told] == [("Ilse Varga", "reporters")]
    every = {r["speaker"]: r for r in as_json(capsys, "quotes", "--db", db)}
    assert every["Mara Quist"]["setting"] == "In a statement"
    assert every["Mara Quist"]["addressee"] is None
    assert as_json(capsys, "quotes", "--db", db, "--to", "council") == []

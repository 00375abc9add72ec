"""`onrecord check`: a consistent store says so; broken derived data is found and repaired;
broken tables are found and left alone. Fictional examples only."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from onrecord.cli.main import main

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("check") / "made.duckdb"
    assert main(["ingest", str(ROOT / "examples"), "--db", str(db), "--no-progress"]) == 0
    return db


@pytest.fixture
def db(made: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "store.duckdb"
    shutil.copy(made, copy)
    if Path(f"{made}.fts").exists():
        shutil.copy(f"{made}.fts", f"{copy}.fts")
    return copy


def report(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["check", "--db", str(db), "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_check_a_consistent_store(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data = report(db, capsys)
    assert code == 0 and data["ok"] and not data["findings"]


def test_check_finds_and_repairs_the_full_text_index(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report(db, capsys)  # the index is made
    with sqlite3.connect(f"{db}.fts") as fts:
        fts.execute("DELETE FROM quotes WHERE rowid IN (SELECT rowid FROM quotes LIMIT 5)")
        fts.execute(
            "INSERT INTO quotes (content, article_id, attribution_id) VALUES ('x', 'no', 'a1')"
        )
    code, data = report(db, capsys)
    assert code == 1 and [f["check"] for f in data["findings"]] == ["full-text index out of step"]
    assert data["findings"][0]["count"] == 6 and data["findings"][0]["repairable"]
    code, data = report(db, capsys, "--repair")
    assert code == 0 and data["ok"] and data["repaired"]
    assert main(["quotes", "--db", str(db), "--about", "ferries"]) == 0


def test_check_replaces_an_index_file_sqlite_cannot_read(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    Path(f"{db}.fts").write_bytes(b"not a database, " * 100)
    code, data = report(db, capsys)
    assert code == 1 and data["findings"][0]["check"] == "full-text index unreadable"
    code, data = report(db, capsys, "--repair")
    assert code == 0 and data["ok"]


def test_check_finds_and_repairs_the_corpus_layer(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    con = duckdb.connect(str(db))
    con.execute("UPDATE attributions SET speaker_id = NULL WHERE speaker_id IS NOT NULL")
    con.execute("DELETE FROM statements WHERE id IN (SELECT id FROM statements LIMIT 2)")
    con.close()
    code, data = report(db, capsys)
    checks = {f["check"] for f in data["findings"]}
    assert code == 1 and "layer attributions without a speaker" in checks
    code, data = report(db, capsys, "--repair")
    assert code == 0 and "corpus layer rebuilt" in data["repaired"]


def test_check_reports_broken_tables_and_leaves_them(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    con = duckdb.connect(str(db))
    con.execute("DELETE FROM articles WHERE id IN (SELECT id FROM articles LIMIT 1)")
    con.close()
    code, data = report(db, capsys, "--repair")
    checks = {f["check"]: f for f in data["findings"]}
    assert code == 1 and not checks["orphan rows"]["repairable"]
    assert checks["orphan rows"]["count"] > 0
    assert "ledger entries without their row" in checks


def test_check_of_a_missing_database_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "no such database" in capsys.readouterr().err

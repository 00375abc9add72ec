"""Databases users already have keep working: a store made by onrecord 0.1.0 (schema version 1)
is migrated in one transaction, and its records read back with the new fields empty."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from corpus_helpers import layer
from onrecord.cli.main import main
from onrecord.errors import OnrecordError
from onrecord.store.database import SCHEMA_VERSION, Store
from onrecord.store.schema import SCHEMA

#: made by `onrecord ingest examples/` with onrecord 0.1.0 (schema version 1), gzipped
V1 = ROOT / "tests" / "data" / "store-v1.duckdb.gz"


@pytest.fixture
def v1(tmp_path: Path) -> Path:
    path = tmp_path / "old.duckdb"
    with gzip.open(V1, "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def version(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def test_migrate_a_previous_release_store_opens_and_keeps_its_records(v1: Path) -> None:
    assert version(v1) == 1
    con = duckdb.connect(str(v1), read_only=True)
    before = con.execute(
        "SELECT article_id, id, content FROM attributions ORDER BY 1, 2"
    ).fetchall()
    con.close()
    with Store(v1) as store:
        assert store.migrated_from == 1
        columns = [
            r[0]
            for r in store.con.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_name = 'attributions' ORDER BY ordinal_position"
            ).fetchall()
        ]
        assert columns == SCHEMA["attributions"].names  # the columns of a new store, in order
        after = store.con.execute(
            "SELECT article_id, id, content FROM attributions ORDER BY 1, 2"
        ).fetchall()
        assert after == before and after
        article = store.con.execute("SELECT id FROM articles LIMIT 1").fetchone()
        assert article is not None
        found = store.record(article[0])
        assert found is not None
        _, record = found
        assert record.attributions
        assert all(a.addressee is None and a.setting is None for a in record.attributions)
    assert version(v1) == SCHEMA_VERSION


def test_migrate_a_read_only_open_says_what_to_run(v1: Path) -> None:
    with pytest.raises(OnrecordError, match="onrecord migrate --db"):
        Store(v1, read_only=True)
    assert version(v1) == 1  # nothing changed


def test_migrate_command(v1: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--db", str(v1)]) == 0
    assert capsys.readouterr().out.strip() == (
        f"{v1}: migrated from schema version 1 to {SCHEMA_VERSION}"
    )
    assert main(["migrate", "--db", str(v1)]) == 0
    assert "already at schema version" in capsys.readouterr().out
    assert main(["quotes", "--db", str(v1), "--limit", "1"]) == 0


def test_migrate_a_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(OnrecordError, match="version 99"):
        Store(path)


def test_migrate_load_of_parquet_made_before_the_new_columns(v1: Path, tmp_path: Path) -> None:
    """`onrecord load` of an earlier release's Parquet output (no addressee or setting
    columns): the new columns load as NULL."""
    out = tmp_path / "old-parquet"
    out.mkdir()
    con = duckdb.connect(str(v1), read_only=True)
    for table in ("articles", "entities", "attributions", "times", "errors", "sources"):
        con.execute(f"COPY {table} TO '{out / table}.parquet' (FORMAT parquet)")
    con.close()
    target = tmp_path / "fresh.duckdb"
    assert main(["load", str(out), "--db", str(target)]) == 0
    with Store(target, read_only=True) as store:
        row = store.con.execute(
            "SELECT count(*), count(addressee), count(setting) FROM attributions"
        ).fetchone()
    assert row is not None and row[0] > 0 and row[1:] == (0, 0)


def test_migrate_recalibrates_the_stored_confidences(v1: Path) -> None:
    from onrecord.stages.calibrate import calibration

    con = duckdb.connect(str(v1), read_only=True)
    raw = dict(
        ((a, i), c)
        for a, i, c in con.execute("SELECT article_id, id, confidence FROM attributions").fetchall()
    )
    con.close()
    with Store(v1) as store:
        now = dict(
            ((a, i), c)
            for a, i, c in store.con.execute(
                "SELECT article_id, id, confidence FROM attributions"
            ).fetchall()
        )
    fast = calibration("fast")
    assert raw and set(now) == set(raw)
    for key, value in raw.items():
        assert now[key] == pytest.approx(fast(value), abs=1e-9)


#: made by `onrecord ingest examples/` with the release before the corpus layer (schema
#: version 2), gzipped
V2 = ROOT / "tests" / "data" / "store-v2.duckdb.gz"


@pytest.fixture
def v2(tmp_path: Path) -> Path:
    path = tmp_path / "v2.duckdb"
    with gzip.open(V2, "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def test_migrate_the_previous_release_gains_the_corpus_layer(v2: Path, tmp_path: Path) -> None:
    """A store of the release before the corpus layer opens, migrates in one transaction, and
    has the speakers and statements a fresh ingest of the same articles has, with the same
    ids."""
    assert version(v2) == 2
    with Store(v2) as store:
        assert store.migrated_from == 2
        assert store.migrated_layer is not None and store.migrated_layer.speakers > 0
    assert version(v2) == SCHEMA_VERSION
    fresh = tmp_path / "fresh.duckdb"
    # the store was made from the examples of its day: the text articles
    texts = sorted(str(p) for p in (ROOT / "examples").glob("*.txt"))
    assert main(["ingest", *texts, "--db", str(fresh), "--no-progress"]) == 0
    speakers, statements, attributions = layer(v2)
    assert speakers and statements
    assert any(sid for _, _, _, sid, _ in attributions)
    assert (speakers, statements, attributions) == layer(fresh)

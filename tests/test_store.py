"""The DuckDB store: schema, one-transaction batches, idempotence, records back, Parquet, FTS.

Records are built by hand here (no model): the store only sees their fields.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from onrecord.errors import OnrecordError
from onrecord.record import (
    Attribution,
    Content,
    Cue,
    Entity,
    Record,
    Removed,
    Source,
    TimeExpression,
    TimeRef,
)
from onrecord.store.database import SCHEMA_VERSION, TABLES, BatchRows, Store

TEXT = (
    "Harbor commissioner Ines Okafor said the morning crossings would keep running.\n\n"
    '"Nobody should cross on a tired crew," said Tomas Keld on Monday.'
)


def record(doc: str = "a") -> Record:
    okafor = TEXT.index("Ines Okafor")
    keld = TEXT.index("Tomas Keld")
    content_start = TEXT.index("the morning")
    quote_end = TEXT.index(" said Tomas")
    monday = TEXT.index("Monday")
    return Record(
        doc=doc,
        text=TEXT,
        title="Ferry crews vote to strike",
        published="2026-03-12",
        credits=["Wire"],
        removed=[Removed("Subscribe now", "subscribe")],
        entities=[
            Entity("e1", "Ines Okafor", "person", ["Harbor commissioner"], [(okafor, okafor + 11)]),
            Entity("e2", "Tomas Keld", "person", [], [(keld, keld + 10)]),
        ],
        attributions=[
            Attribution(
                id="a1",
                kind="indirect",
                content=Content(
                    "the morning crossings would keep running",
                    [(content_start, content_start + 40)],
                ),
                cue=Cue("said", "say", [(okafor + 12, okafor + 16)]),
                source=Source(
                    "Harbor commissioner Ines Okafor",
                    [(0, okafor + 11)],
                    entity="e1",
                    name="Ines Okafor",
                    kind="person",
                ),
                confidence=0.91,
            ),
            Attribution(
                id="a2",
                kind="direct",
                content=Content(
                    TEXT[TEXT.index('"Nobody') : quote_end],
                    [(TEXT.index('"Nobody'), quote_end)],
                ),
                quotes=[(TEXT.index('"Nobody'), quote_end)],
                cue=Cue("said", "say", [(quote_end + 1, quote_end + 5)]),
                source=Source("Tomas Keld", [(keld, keld + 10)], entity="e2", name="Tomas Keld"),
                time=TimeRef("Monday", "2026-03-09"),
            ),
        ],
        times=[TimeExpression("Monday", [(monday, monday + 6)], "2026-03-09", True)],
    )


def batch(*ids: str, source_prefix: str = "file.warc.gz@") -> BatchRows:
    rows = BatchRows()
    for n, aid in enumerate(ids):
        rows.add_article(
            record(aid),
            id=aid,
            doc=f"doc-{aid}",
            url=f"https://news.example.org/{aid}",
            publisher="Example Harbor News",
            author="Nadia Orvell",
            language="en",
            source=f"{source_prefix}{n}",
            source_path="file.warc.gz",
            fetched="2026-03-12T10:00:00Z",
        )
    return rows


def test_store_creates_every_table_with_a_schema_version(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        tables = {r[0] for r in store.con.execute("SHOW TABLES").fetchall()}
        assert tables == set(TABLES)
        meta = dict(store.con.execute("SELECT key, value FROM meta").fetchall())
        assert meta["schema_version"] == str(SCHEMA_VERSION) and meta["store_id"] == store.id


def test_store_refuses_another_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        store.con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(OnrecordError, match="schema version 999"):
        Store(path)


def test_store_read_only_needs_an_existing_database(tmp_path: Path) -> None:
    with pytest.raises(OnrecordError, match="no such database"):
        Store(tmp_path / "nope.duckdb", read_only=True)


def test_store_write_one_batch_every_table(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        rows = batch("x1", "x2")
        rows.add_error(
            source="file.warc.gz@9", reason="no_article", message="no body", path="file.warc.gz"
        )
        written = store.write(rows)
        assert (written.articles, written.errors, written.duplicates) == (2, 1, 0)
        assert written.reasons == {"no_article": 1}
        counts = store.counts()
        assert counts["articles"] == 2 and counts["entities"] == 4
        assert counts["attributions"] == 4 and counts["times"] == 2
        assert counts["errors"] == 1 and counts["sources"] == 3
        row = store.con.execute(
            "SELECT published, fetched_at, credits, removed, batch FROM articles WHERE id = 'x1'"
        ).fetchone()
        assert row is not None
        assert row[0] == date(2026, 3, 12) and row[1] == datetime(2026, 3, 12, 10, 0)
        assert row[2] == ["Wire"] and row[3] == [{"text": "Subscribe now", "reason": "subscribe"}]
        assert row[4] >= 1
        att = store.con.execute(
            "SELECT kind, source_name, anonymous, content_spans, time_value FROM attributions "
            "WHERE article_id = 'x1' AND id = 'a2'"
        ).fetchone()
        assert att is not None and att[:3] == ("direct", "Tomas Keld", False)
        assert att[3] == [[TEXT.index('"Nobody'), TEXT.index(" said Tomas")]]
        assert att[4] == "2026-03-09"


def test_store_is_idempotent(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        store.write(batch("x1", "x2"))
        before = store.counts()
        again = store.write(batch("x1", "x2"))  # the same input records
        assert (again.articles, again.already) == (0, 2)
        other = store.write(batch("x1", source_prefix="copy.warc.gz@"))  # same article elsewhere
        assert (other.articles, other.duplicates) == (0, 1)
        after = store.counts()
        assert {k: v for k, v in after.items() if k != "sources"} == {
            k: v for k, v in before.items() if k != "sources"
        }
        assert after["sources"] == before["sources"] + 1
        outcome = store.con.execute(
            "SELECT outcome, article_id FROM sources WHERE source = 'copy.warc.gz@0'"
        ).fetchone()
        assert outcome == ("duplicate", "x1")
        assert store.done(["file.warc.gz@0", "file.warc.gz@7"]) == {"file.warc.gz@0"}


def test_store_a_failed_batch_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        rows = batch("x1")
        original = store._insert

        def failing(table: str, cols: dict[str, list[object]]) -> None:
            if table == "times":
                raise RuntimeError("disk full")
            original(table, cols)

        monkeypatch.setattr(store, "_insert", failing)
        with pytest.raises(RuntimeError):
            store.write(rows)
        counts = store.counts()
        assert counts["articles"] == counts["entities"] == counts["sources"] == 0


def test_store_record_round_trip(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        store.write(batch("x1"))
        found = store.record("x1")
        assert found is not None
        meta, rec = found
        assert meta["url"] == "https://news.example.org/x1" and meta["author"] == "Nadia Orvell"
        expected = record("x1").to_dict()
        assert rec.to_dict() == expected
        # by URL, by input name, by a unique id prefix
        for key in ("https://news.example.org/x1", "doc-x1", "x"):
            hit = store.record(key)
            assert hit is not None and hit[0]["id"] == "x1"
        assert store.record("zzz") is None


def test_store_export_parquet_has_the_same_columns(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        store.write(batch("x1", "x2"))
        files = store.export_parquet(tmp_path / "out")
    assert set(files) == set(TABLES)
    con = duckdb.connect()
    for table, (cols, _) in TABLES.items():
        path = str(files[table])
        names = [
            r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
        ]
        assert names == [c for c, _ in cols]
    n = con.execute(f"SELECT count(*) FROM read_parquet('{files['attributions']}')").fetchone()
    assert n == (4,)


def test_store_full_text_search_catches_up_after_a_missed_sync(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        store.write(batch("x1"))  # written, never synced (as after a crash between the two)
    with Store(path, read_only=True) as store:
        hits = list(store.search("crossings keep running"))
        assert [(a, b) for a, b, _ in hits] == [("x1", "a1")]
        assert list(store.search("cross")) != []  # stemmed: "cross" finds "cross"
        assert list(store.search("submarine")) == []
        assert list(store.search('"); DROP')) == []  # FTS syntax is never passed through
    assert Path(f"{path}.fts").exists()


def test_store_full_text_index_of_another_database_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        store.write(batch("x1"))
        store.sync_fts()
    path.unlink()
    with Store(path) as store:  # a new database under the same name
        store.write(batch("y1"))
        assert {a for a, _, _ in store.search("crossings")} == {"y1"}


def test_store_index_follows_each_batch_and_catches_up_after_a_gap(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        w1 = store.write(batch("x1"))
        assert store.sync_fts(w1) == 2  # the batch's own rows, no query
        w2 = store.write(batch("x2", source_prefix="b.warc.gz@"))
        w3 = store.write(batch("x3", source_prefix="c.warc.gz@"))  # its sync was missed
        assert w3.previous_top == w2.batch
        assert store.sync_fts(w3) == 4  # x2's and x3's rows, read back from DuckDB
        assert {a for a, _, _ in store.search("crossings")} == {"x1", "x2", "x3"}
        assert store.sync_fts() == 0


# --------------------------------------------------------------------------- one declaration


def test_store_schema_is_declared_once(tmp_path: Path) -> None:
    """The tables DuckDB makes, ``TABLES`` and the rows of a batch all follow ``SCHEMA``."""
    from onrecord.store.schema import SCHEMA

    assert {
        name: (tuple((c.name, c.sql) for c in t.columns), t.key) for name, t in SCHEMA.items()
    } == TABLES
    rows = batch("x1")
    for name, cols in rows.tables.items():
        assert list(cols) == [c.name for c in SCHEMA[name].made], name
    with Store(tmp_path / "s.duckdb") as store:
        for name, table in SCHEMA.items():
            stored = store.con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = ? ORDER BY ordinal_position",
                [name],
            ).fetchall()
            types = [
                store.con.execute(f"SELECT typeof(NULL::{c.sql})").fetchone() for c in table.columns
            ]
            assert stored == [
                (c.name, t[0]) for c, t in zip(table.columns, types, strict=True) if t
            ], name


def test_store_export_parquet_types_are_the_declared_arrow_types(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from onrecord.store.schema import SCHEMA, arrow_schema

    with Store(tmp_path / "s.duckdb") as store:
        store.write(batch("x1"))
        files = store.export_parquet(tmp_path / "out")
    for name, table in SCHEMA.items():
        theirs = pq.read_schema(files[name])
        ours = arrow_schema(table)
        assert theirs.names == ours.names, name
        assert [f.type for f in theirs] == [f.type for f in ours], name


def test_store_record_round_trip_without_cue_source_or_time(tmp_path: Path) -> None:
    rec = record("x1")
    rec.attributions[0].cue = None
    rec.attributions[0].source = None
    rec.published = None
    rec.credits = []
    rows = BatchRows()
    rows.add_article(rec, id="x1", doc=None, url=None, source="s@0", fetched="not a date")
    with Store(tmp_path / "s.duckdb") as store:
        store.write(rows)
        found = store.record("x1")
        assert found is not None
        meta, back = found
        assert meta["published"] is None and meta["fetched_at"] is None
        assert back.to_dict() == {**rec.to_dict(), "doc": "x1"}
        row = store.con.execute(
            "SELECT cue, cue_spans, source, anonymous, time_text FROM attributions WHERE id = 'a1'"
        ).fetchone()
        assert row == (None, None, None, None, None)


def test_store_both_indexes_sync_and_search_alike(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        store.write(batch("x1", "x2"))
        assert store.sync_article_index() == 2
        assert store.sync_article_index() == 0
        assert [a for a, _ in store.search_articles("ferry strike")] in (["x1", "x2"], ["x2", "x1"])
        assert store.search_articles("!!") == []
        assert {(a, b) for a, b, _ in store.search("tired crew")} == {("x1", "a2"), ("x2", "a2")}
    # an index file made before the articles' index existed gets its mark, and catches up
    import sqlite3

    fts = sqlite3.connect(f"{path}.fts")
    fts.execute("DELETE FROM article_texts")
    fts.execute("DELETE FROM state WHERE key = 'article_batch'")
    fts.commit()
    fts.close()
    with Store(path, read_only=True) as store:
        assert {a for a, _ in store.search_articles("ferry")} == {"x1", "x2"}


def test_before_commit_runs_while_other_connections_still_see_the_old_store(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        store.write(batch("x1"))
        reader = store.con.cursor()  # another connection to the same database
        seen: list[int] = []

        def count() -> None:
            row = reader.execute("SELECT count(*) FROM articles").fetchone()
            seen.append(int(row[0]) if row else -1)

        store.write(batch("x2", "x3", source_prefix="other.warc.gz@"), before_commit=count)
        assert seen == [1]  # called once, before the two new articles were visible
        count()
        assert seen == [1, 3]

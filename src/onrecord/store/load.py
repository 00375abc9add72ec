"""Load Parquet datasets (``onrecord spark`` output, or ``onrecord export --parquet``) into a store.

``load_parquet(store, DIR)`` reads ``DIR/<table>/*.parquet`` (a dataset
folder, as Spark writes) or ``DIR/<table>.parquet`` (one file, as ``export``
writes) for ``articles``, ``entities``, ``attributions``, ``times``,
``errors`` and ``sources``, and inserts them in **one transaction**, with the
store's rules: an article id already stored adds nothing (its record becomes
a ``duplicate`` in the ledger), an input record the ledger has is skipped, so
loading the same output twice adds nothing. The loaded articles get one new
batch number; in the same transaction the corpus layer is brought up to date
for them as for an ingested batch (``store.corpus``: the output's own
``speakers`` and ``statements`` describe that output alone, so they are not
copied); the full-text index is synced after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from onrecord.errors import InputError
from onrecord.store import corpus
from onrecord.store.database import Store
from onrecord.store.schema import SCHEMA, columns

if TYPE_CHECKING:
    import duckdb

#: the tables a load reads, parents first
LOADED = ("articles", "entities", "attributions", "times", "errors", "sources")


@dataclass(slots=True)
class Loaded:
    """What one load added."""

    articles: int = 0
    duplicates: int = 0
    errors: int = 0
    sources: int = 0
    indexed: int = 0
    #: what the load changed in the corpus layer
    corpus: corpus.CorpusChange | None = None


def dataset(directory: Path, table: str) -> str | None:
    """The ``read_parquet`` argument for a table of ``directory``, or None when absent."""
    folder = directory / table
    if folder.is_dir() and any(folder.glob("*.parquet")):
        return str(folder / "*.parquet")
    single = directory / f"{table}.parquet"
    return str(single) if single.is_file() else None


def load_parquet(store: Store, directory: str | Path) -> Loaded:
    """Insert the datasets of ``directory`` into ``store`` (see the module's docstring)."""
    root = Path(directory)
    found = {t: dataset(root, t) for t in LOADED}
    if found["articles"] is None and found["errors"] is None:
        raise InputError(
            f"{root}: no articles or errors dataset in it (articles/*.parquet or "
            "articles.parquet); give the --out folder of onrecord spark"
        )
    con = store.con
    out = Loaded()
    with store.transaction("the loaded datasets"):
        load = _Load(con, found)
        out.articles = load.articles()
        out.errors = load.errors()
        out.sources, out.duplicates = load.ledger()
        ids = [r[0] for r in con.execute("SELECT id FROM _load_articles").fetchall()]
        con.execute("DROP TABLE _load_articles")
        if ids:
            # the layer over the whole store, as a batch of these articles would update it
            # (an earlier onrecord's output has no speaker keys: they are made first)
            store.key_speakers(ids)
            out.corpus = corpus.update(store, ids)
    store._top = None  # the highest batch changed behind the store's back
    out.indexed = store.sync_fts()
    return out


class _Load:
    """The steps of one load, inside its transaction."""

    def __init__(self, con: duckdb.DuckDBPyConnection, found: dict[str, str | None]) -> None:
        self.con = con
        self.found = found

    def source(self, table: str) -> str:
        """What to select a table's rows from: its dataset, or an empty table of its shape."""
        path = self.found[table]
        if path is None:
            cols = ", ".join(f"NULL::{c.sql} AS {c.name}" for c in SCHEMA[table].columns)
            return f"(SELECT {cols} LIMIT 0)"
        parquet = "read_parquet('" + path.replace("'", "''") + "')"
        # output of an earlier onrecord lacks the columns added since: they load as NULL
        present = {r[0] for r in self.con.execute(f"DESCRIBE SELECT * FROM {parquet}").fetchall()}
        cols = ", ".join(
            c.name if c.name in present else f"NULL::{c.sql} AS {c.name}"
            for c in SCHEMA[table].columns
        )
        return f"(SELECT {cols} FROM {parquet})"

    def count(self, sql: str) -> int:
        row = self.con.execute(sql).fetchone()
        return int(row[0]) if row else 0

    def articles(self) -> int:
        """Insert the new articles (under one new batch number) and their rows; return how
        many. They stay in the temporary table ``_load_articles`` for the ledger."""
        con = self.con
        batch = self.count("SELECT nextval('batch_seq')")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _load_articles AS "
            f"SELECT * FROM {self.source('articles')} "
            "WHERE id NOT IN (SELECT id FROM articles) "
            "AND source NOT IN (SELECT source FROM sources) "
            "QUALIFY row_number() OVER (PARTITION BY id ORDER BY source) = 1"
        )
        cols = columns("articles")
        picked = ", ".join("$1 AS batch" if c == "batch" else c for c in cols)
        con.execute(
            f"INSERT INTO articles ({', '.join(cols)}) SELECT {picked} FROM _load_articles",
            [batch],
        )
        for child in ("entities", "attributions", "times"):
            names = ", ".join(columns(child))
            con.execute(
                f"INSERT OR IGNORE INTO {child} ({names}) SELECT {names} "
                f"FROM {self.source(child)} WHERE article_id IN (SELECT id FROM _load_articles)"
            )
        return self.count("SELECT count(*) FROM _load_articles")

    def errors(self) -> int:
        """Insert the errors of input records the ledger lacks; return how many."""
        names = ", ".join(columns("errors"))
        before = self.count("SELECT count(*) FROM errors")
        self.con.execute(
            f"INSERT OR IGNORE INTO errors ({names}) SELECT {names} FROM {self.source('errors')} "
            "WHERE source NOT IN (SELECT source FROM sources)"
        )
        return self.count("SELECT count(*) FROM errors") - before

    def ledger(self) -> tuple[int, int]:
        """Insert the ledger entries; return how many, and how many are duplicates."""
        # the input's own (spark writes sources), else made from articles and errors;
        # a record whose article was not loaded now (stored before) is a duplicate
        if self.found["sources"] is not None:
            ledger = f"SELECT source, outcome, article_id, seen_at FROM {self.source('sources')}"
        else:
            ledger = (
                "SELECT source, 'article' AS outcome, id AS article_id, ingested_at AS seen_at "
                f"FROM {self.source('articles')} UNION ALL SELECT source, 'error', NULL, "
                f"failed_at FROM {self.source('errors')}"
            )
        before = self.count("SELECT count(*) FROM sources")
        dups = self.count("SELECT count(*) FROM sources WHERE outcome = 'duplicate'")
        self.con.execute(
            "INSERT OR IGNORE INTO sources (source, outcome, article_id, seen_at) "
            "SELECT l.source, CASE WHEN l.outcome = 'article' AND l.article_id NOT IN "
            "(SELECT id FROM _load_articles) THEN 'duplicate' ELSE l.outcome END, "
            f"l.article_id, coalesce(l.seen_at, now()::TIMESTAMP) FROM ({ledger}) l"
        )
        added = self.count("SELECT count(*) FROM sources") - before
        return added, self.count("SELECT count(*) FROM sources WHERE outcome = 'duplicate'") - dups

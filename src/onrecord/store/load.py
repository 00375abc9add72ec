"""Load Parquet datasets (``onrecord spark`` output, or ``onrecord export --parquet``) into a store.

``load_parquet(store, DIR)`` reads ``DIR/<table>/*.parquet`` (a dataset
folder, as Spark writes) or ``DIR/<table>.parquet`` (one file, as ``export``
writes) for ``articles``, ``entities``, ``attributions``, ``times``,
``errors`` and ``sources``, and inserts them in **one transaction**, with the
store's rules: an article id already stored adds nothing (its record becomes
a ``duplicate`` in the ledger), an input record the ledger has is skipped, so
loading the same output twice adds nothing. The loaded articles get one new
batch number; the full-text index is synced after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from onrecord.errors import InputError
from onrecord.store.database import TABLES, Store, _columns

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

    def source(table: str) -> str:
        path = found[table]
        if path is None:  # an empty table of the right shape
            cols = ", ".join(f"NULL::{t} AS {c}" for c, t in TABLES[table][0])
            return f"(SELECT {cols} LIMIT 0)"
        return "read_parquet('" + path.replace("'", "''") + "')"

    def count(sql: str) -> int:
        row = con.execute(sql).fetchone()
        return int(row[0]) if row else 0

    con.execute("BEGIN TRANSACTION")
    try:
        batch = count("SELECT nextval('batch_seq')")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _load_articles AS "
            f"SELECT * FROM {source('articles')} "
            "WHERE id NOT IN (SELECT id FROM articles) "
            "AND source NOT IN (SELECT source FROM sources) "
            "QUALIFY row_number() OVER (PARTITION BY id ORDER BY source) = 1"
        )
        cols = _columns("articles")
        picked = ", ".join("$1 AS batch" if c == "batch" else c for c in cols)
        con.execute(
            f"INSERT INTO articles ({', '.join(cols)}) SELECT {picked} FROM _load_articles",
            [batch],
        )
        out.articles = count("SELECT count(*) FROM _load_articles")
        for child in ("entities", "attributions", "times"):
            names = ", ".join(_columns(child))
            con.execute(
                f"INSERT OR IGNORE INTO {child} ({names}) SELECT {names} FROM {source(child)} "
                "WHERE article_id IN (SELECT id FROM _load_articles)"
            )
        names = ", ".join(_columns("errors"))
        before = count("SELECT count(*) FROM errors")
        con.execute(
            f"INSERT OR IGNORE INTO errors ({names}) SELECT {names} FROM {source('errors')} "
            "WHERE source NOT IN (SELECT source FROM sources)"
        )
        out.errors = count("SELECT count(*) FROM errors") - before
        # the ledger: the input's own (spark writes sources), else made from articles and errors;
        # a record whose article was not loaded now (stored before) is a duplicate
        if found["sources"] is not None:
            ledger = f"SELECT source, outcome, article_id, seen_at FROM {source('sources')}"
        else:
            ledger = (
                "SELECT source, 'article' AS outcome, id AS article_id, ingested_at AS seen_at "
                f"FROM {source('articles')} UNION ALL SELECT source, 'error', NULL, failed_at "
                f"FROM {source('errors')}"
            )
        before = count("SELECT count(*) FROM sources")
        dups = count("SELECT count(*) FROM sources WHERE outcome = 'duplicate'")
        con.execute(
            "INSERT OR IGNORE INTO sources (source, outcome, article_id, seen_at) "
            "SELECT l.source, CASE WHEN l.outcome = 'article' AND l.article_id NOT IN "
            "(SELECT id FROM _load_articles) THEN 'duplicate' ELSE l.outcome END, "
            f"l.article_id, coalesce(l.seen_at, now()::TIMESTAMP) FROM ({ledger}) l"
        )
        out.sources = count("SELECT count(*) FROM sources") - before
        out.duplicates = count("SELECT count(*) FROM sources WHERE outcome = 'duplicate'") - dups
        con.execute("DROP TABLE _load_articles")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    store._top = None  # the highest batch changed behind the store's back
    out.indexed = store.sync_fts()
    return out

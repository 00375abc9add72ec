"""``onrecord check --db FILE``: is the store consistent, and can what is derived be repaired?

The tables a batch writes (articles and their rows, errors, the ledger) are
written in one transaction each, so they cannot disagree unless something
outside onrecord changed them; the checks say so if they do. The derived data
can lag or break on its own — the full-text index beside the database (another
file, synced after each commit) and, less likely, the corpus layer — and
``--repair`` rebuilds it: the index from the tables, the layer with
``Store.rebuild_corpus``.

Each check is one SQL question whose answer should be zero; a finding names
the check and how many rows it counts.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from onrecord.store import fts
from onrecord.store.corpus import CORPUS_MIN_CONFIDENCE

if TYPE_CHECKING:
    from onrecord.store.database import Store

#: (name, what a non-zero count means, SQL counting the offending rows)
TABLE_CHECKS = (
    (
        "orphan rows",
        "entity, attribution or time rows whose article is not stored",
        "SELECT (SELECT count(*) FROM entities WHERE article_id NOT IN (SELECT id FROM articles))"
        " + (SELECT count(*) FROM attributions WHERE article_id NOT IN (SELECT id FROM articles))"
        " + (SELECT count(*) FROM times WHERE article_id NOT IN (SELECT id FROM articles))",
    ),
    (
        "articles without a ledger entry",
        "articles no input record of the ledger made",
        "SELECT count(*) FROM articles WHERE id NOT IN "
        "(SELECT article_id FROM sources WHERE article_id IS NOT NULL)",
    ),
    (
        "ledger entries without their row",
        "input records the ledger calls an article or an error that is not stored",
        "SELECT (SELECT count(*) FROM sources WHERE outcome IN ('article', 'duplicate') AND "
        "article_id NOT IN (SELECT id FROM articles)) + (SELECT count(*) FROM sources WHERE "
        "outcome = 'error' AND source NOT IN (SELECT source FROM errors))",
    ),
)
LAYER_CHECKS = (
    (
        "attributions of an unknown speaker or statement",
        "speaker_id or statement_id not in speakers or statements",
        "SELECT count(*) FROM attributions WHERE (speaker_id IS NOT NULL AND speaker_id NOT IN "
        "(SELECT id FROM speakers)) OR (statement_id IS NOT NULL AND statement_id NOT IN "
        "(SELECT id FROM statements))",
    ),
    (
        "layer attributions without a speaker",
        "attributions with a speaker key at the layer's floor but no speaker",
        "SELECT count(*) FROM attributions WHERE speaker_key IS NOT NULL AND confidence >= "
        f"{CORPUS_MIN_CONFIDENCE} AND (speaker_id IS NULL OR statement_id IS NULL)",
    ),
    (
        "speakers counting wrong",
        "speakers whose attribution count differs from their attributions",
        "SELECT count(*) FROM speakers s LEFT JOIN (SELECT speaker_id, count(*) n FROM "
        "attributions GROUP BY speaker_id) a ON a.speaker_id = s.id "
        "WHERE coalesce(a.n, 0) <> s.attributions",
    ),
    (
        "statements counting wrong",
        "statements whose occurrence count differs from their attributions",
        "SELECT count(*) FROM statements s LEFT JOIN (SELECT statement_id, count(*) n FROM "
        "attributions GROUP BY statement_id) a ON a.statement_id = s.id "
        "WHERE coalesce(a.n, 0) <> s.attributions",
    ),
)


@dataclass(slots=True)
class Finding:
    check: str
    meaning: str
    count: int
    repairable: bool


@dataclass(slots=True)
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def _count(store: Store, sql: str) -> int:
    row = store.con.execute(sql).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _index_findings(store: Store) -> list[Finding]:
    """The full-text indexes against the tables: rows missing, extra, or a watermark past the
    store's batches (an index of another database of the same name)."""
    out = []
    con = store._fts_con()
    for index, key_sql, table in (
        (fts.QUOTES, "SELECT article_id || '/' || id FROM attributions", "attributions"),
        (fts.ARTICLE_TEXTS, "SELECT id FROM articles", "articles"),
    ):
        fts.sync(con, store.con, index)  # what a query would do first
        wanted = {r[0] for r in store.con.execute(key_sql).fetchall()}
        cols = " || '/' || ".join(index.returned)
        have_rows = con.execute(f"SELECT {cols} FROM {index.table}").fetchall()
        have = [r[0] for r in have_rows]
        missing = len(wanted - set(have))
        extra = len(set(have) - wanted) + (len(have) - len(set(have)))
        if missing or extra:
            out.append(
                Finding(
                    f"{index.label} out of step",
                    f"{missing} {table} not indexed, {extra} index rows of no {table} (or twice)",
                    missing + extra,
                    True,
                )
            )
    return out


def rebuild_index(store: Store) -> int:
    """Empty the full-text indexes (a file SQLite cannot read is replaced) and index every
    stored row again; return the rows."""
    try:
        con = store._fts_con()
        con.execute("SELECT count(*) FROM state").fetchone()
    except sqlite3.Error:
        if store._fts is not None:
            store._fts.close()
        store._fts = None
        for suffix in ("", "-wal", "-shm"):
            Path(store.fts_path + suffix).unlink(missing_ok=True)
        con = store._fts_con()
    with fts._transaction(con):
        for index in fts.INDEXES:
            con.execute(f"DELETE FROM {index.table}")
            con.execute("UPDATE state SET value = '0' WHERE key = ?", (index.mark,))
    return sum(fts.sync(con, store.con, index) for index in fts.INDEXES)


def check(store: Store, *, repair: bool = False) -> CheckReport:
    """Check a store (open for writing when ``repair``); with ``repair``, rebuild what is
    derived and out of step, then check again."""
    report = CheckReport()
    for name, meaning, sql in TABLE_CHECKS:
        if n := _count(store, sql):
            report.findings.append(Finding(name, meaning, n, False))
    layer = [
        Finding(name, meaning, n, True)
        for name, meaning, sql in LAYER_CHECKS
        if (n := _count(store, sql))
    ]
    try:
        index = _index_findings(store)
    except sqlite3.Error as exc:
        index = [Finding("full-text index unreadable", str(exc), 1, True)]
    if repair and (layer or index):
        if layer:
            store.rebuild_corpus()
            report.repaired.append("corpus layer rebuilt")
        if index:
            n = rebuild_index(store)
            report.repaired.append(f"full-text indexes rebuilt ({n:,} rows)")
        again = check(store)
        report.findings.extend(again.findings)
        return report
    report.findings.extend(layer + index)
    return report

"""The full-text index: SQLite FTS5 tables in a file beside the database (``<db>.fts``).

DuckDB's ``fts`` extension is downloaded by ``INSTALL fts``, which cannot work
offline, hence SQLite. The index is derived data, one FTS5 table per
``Index``: ``QUOTES`` (the content of every attribution) and ``ARTICLE_TEXTS``
(the title and text of every article). Each has a watermark in the ``state``
table, the highest batch of articles it holds; ``sync`` indexes every batch
past it in one SQLite transaction, so a crash between the two databases only
delays indexing until the next sync (ingest syncs the quotes after each batch;
the first article search syncs the articles' texts; queries sync before
searching). ``search`` finds the rows holding every word of a text.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

    from onrecord.store.rows import Written

_TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Index:
    """One FTS5 table: what it indexes, how its rows are read from the store."""

    #: the FTS5 table
    table: str
    #: the columns searched, then the ones only returned (UNINDEXED)
    searched: tuple[str, ...]
    returned: tuple[str, ...]
    #: its watermark's key in ``state``
    mark: str
    #: the DuckDB query of its rows (searched, then returned) for batches in (``?``, ``?``]
    rows_sql: str
    #: rows read from DuckDB at a time
    chunk: int
    #: what the index is called in a warning
    label: str
    #: the rows of a batch just written, when ``Written`` carries them
    written_rows: Callable[[Written], list[tuple[Any, ...]]] | None = None

    def create_sql(self) -> str:
        cols = [*self.searched, *(f"{c} UNINDEXED" for c in self.returned)]
        return (
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table} USING fts5("
            f"{', '.join(cols)}, {_TOKENIZE})"
        )

    def insert_sql(self) -> str:
        cols = (*self.searched, *self.returned)
        marks = ", ".join("?" for _ in cols)
        return f"INSERT INTO {self.table} ({', '.join(cols)}) VALUES ({marks})"

    def search_sql(self) -> str:
        rank = f"bm25({self.table})"
        return (
            f"SELECT {', '.join(self.returned)}, {rank} FROM {self.table} "
            f"WHERE {self.table} MATCH ? ORDER BY {rank}"
        )


def _index_rows(written: Written) -> list[tuple[Any, ...]]:
    return list(written.index_rows)


#: the content of every attribution: (article_id, attribution_id, rank) by search
QUOTES = Index(
    table="quotes",
    searched=("content",),
    returned=("article_id", "attribution_id"),
    mark="batch",
    rows_sql=(
        "SELECT a.content, a.article_id, a.id FROM attributions a "
        "JOIN articles r ON r.id = a.article_id WHERE r.batch > ? AND r.batch <= ?"
    ),
    chunk=10_000,
    label="full-text index",
    written_rows=_index_rows,
)
#: the title and text of every article: (article_id, rank) by search
ARTICLE_TEXTS = Index(
    table="article_texts",
    searched=("title", "text"),
    returned=("article_id",),
    mark="article_batch",
    rows_sql=("SELECT coalesce(title, ''), text, id FROM articles WHERE batch > ? AND batch <= ?"),
    chunk=1_000,
    label="articles' index",
)
INDEXES = (QUOTES, ARTICLE_TEXTS)


def fts_terms(text: str) -> list[str]:
    """The words of a search text (FTS5 syntax characters dropped)."""
    return _WORD.findall(text)


def open_index(path: str, store_id: str) -> sqlite3.Connection:
    """The index file of the store ``store_id``, created (or emptied, when another database of
    the same name left it) as needed."""
    # the server may open a store in one thread and use or close it in another;
    # a Store is never used by two threads at once (see serve/context.py)
    fts = sqlite3.connect(path, check_same_thread=False, timeout=30)
    if path != ":memory:":  # readers go on while a batch is indexed (onrecord serve + ingest)
        fts.execute("PRAGMA journal_mode=WAL")
    fts.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)")
    for index in INDEXES:
        fts.execute(index.create_sql())
    owner = fts.execute("SELECT value FROM state WHERE key = 'store_id'").fetchone()
    if owner is None or owner[0] != store_id:
        # a new index, or one left by another database of the same name: start over
        for index in INDEXES:
            fts.execute(f"DELETE FROM {index.table}")
        fts.execute("DELETE FROM state")
        fts.execute("INSERT INTO state VALUES ('store_id', ?)", (store_id,))
    # an index added later than the file was made starts with no mark
    for index in INDEXES:
        fts.execute("INSERT OR IGNORE INTO state VALUES (?, '0')", (index.mark,))
    fts.commit()
    return fts


def _top_batch(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(batch), 0) FROM articles").fetchone()
    return int(row[0]) if row else 0


def sync(
    fts: sqlite3.Connection,
    con: duckdb.DuckDBPyConnection,
    index: Index,
    written: Written | None = None,
) -> int:
    """Index the rows of the batches written since the index's watermark; return how many.

    Given the ``Written`` of the batch just written, an index that was up to
    date before it, and an index that takes its rows from ``Written``, only
    that batch's rows are added (no query of the database); otherwise every
    batch past the watermark is read back from DuckDB (after a crash, or for a
    store written elsewhere).
    """
    # the watermark is read inside the write transaction (BEGIN IMMEDIATE): two syncs at once
    # (the server's threads, a writer beside them) take turns and never index a batch twice
    with _transaction(fts, immediate=True):
        row = fts.execute("SELECT value FROM state WHERE key = ?", (index.mark,)).fetchone()
        mark = int(row[0]) if row else 0
        if (
            written is not None
            and index.written_rows is not None
            and written.batch
            and mark >= written.previous_top
        ):
            rows = index.written_rows(written)
            fts.executemany(index.insert_sql(), rows)
            _set_mark(fts, index, max(mark, written.batch))
            return len(rows)
        top = _top_batch(con)
        if top <= mark:
            return 0
        cursor = con.execute(index.rows_sql, [mark, top])
        n = 0
        while chunk := cursor.fetchmany(index.chunk):
            fts.executemany(index.insert_sql(), chunk)
            n += len(chunk)
        _set_mark(fts, index, top)
        return n


def search(fts: sqlite3.Connection, index: Index, text: str) -> list[tuple[Any, ...]]:
    """The returned columns and the rank of the rows whose searched columns hold every word of
    ``text``: stemmed (Porter), in any order; lower rank is better (SQLite's bm25)."""
    words = fts_terms(text)
    if not words:
        return []
    query = " ".join(f'"{w}"' for w in words)
    return fts.execute(index.search_sql(), (query,)).fetchall()


def _set_mark(fts: sqlite3.Connection, index: Index, batch: int) -> None:
    fts.execute("UPDATE state SET value = ? WHERE key = ?", (str(batch), index.mark))


@contextlib.contextmanager
def _transaction(fts: sqlite3.Connection, *, immediate: bool = False) -> Iterator[None]:
    """Commit what the block did, or roll it back on any exception (interrupts too). With
    ``immediate``, the block holds the index's write lock from its first read."""
    if immediate:
        if fts.in_transaction:
            fts.commit()
        fts.execute("BEGIN IMMEDIATE")
    try:
        yield
        fts.commit()
    except BaseException:
        fts.rollback()
        raise

"""The store: an embedded DuckDB database of records, with a full-text index beside it.

Tables (declared once in ``store.schema``, documented in docs/store.md):
``articles``, ``entities``, ``attributions``, ``times`` (one row per item of a
``Record``), ``errors`` (one row per input record that failed, with its
reason), ``sources`` (one row per input record ever processed: the ledger that
makes ingestion resumable) and ``meta`` (schema version, store id).

Writing: workers turn records into column lists (``store.rows.BatchRows``,
plain Python data that pickles cheaply); the one writing process hands each
batch to ``Store.write``, which inserts it in **one transaction**: an article
and all its rows, and the ledger entry saying its input record is done, land
together or not at all. Article ids are stable hashes, so a batch whose
articles are already stored adds nothing (``duplicate`` in the ledger).

Full-text search: a SQLite FTS5 index in a file beside the database
(``<db>.fts``, see ``store.fts``); ``sync_fts`` indexes the attributions of
every batch past its watermark (ingest syncs after each batch; queries sync
before searching).

duckdb is imported lazily: ``import onrecord`` does not load it.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onrecord.errors import OnrecordError
from onrecord.store import corpus, fts
from onrecord.store.fts import fts_terms
from onrecord.store.rows import BatchRows, Written
from onrecord.store.schema import (
    ARTICLE_TABLES,
    DEFAULT_DB,
    MIGRATIONS,
    SCHEMA,
    SCHEMA_VERSION,
    TABLES,
    columns,
    create_sql,
)

if TYPE_CHECKING:
    import duckdb

    from onrecord.record import Record

log = logging.getLogger(__name__)

# names other modules import from here
__all__ = [
    "DEFAULT_DB",
    "SCHEMA_VERSION",
    "TABLES",
    "BatchRows",
    "Store",
    "StoreLocked",
    "Written",
    "fts_terms",
]


class StoreLocked(OnrecordError):
    """Another process holds the database file (DuckDB allows one writer and no reader
    beside it)."""

    reason = "locked"


#: the order a child table's rows are read back in (entities e2 before e10)
_ITEM_ORDER = "try_cast(substr(id, 2) AS INTEGER), id"
_READ_ORDER = {"entities": _ITEM_ORDER, "attributions": _ITEM_ORDER, "times": "n"}


def _calibrated_sql(column: str = "confidence") -> str:
    """SQL for fast mode's calibration of ``column`` (``onrecord.stages.calibrate``): the same
    piecewise-linear map, as one CASE expression."""
    from onrecord.stages.calibrate import calibration

    cal = calibration("fast")
    xs, ys = cal.raw, cal.calibrated
    parts = [f"WHEN {column} IS NULL THEN NULL", f"WHEN {column} <= {xs[0]!r} THEN {ys[0]!r}"]
    for x0, x1, y0, y1 in zip(xs, xs[1:], ys, ys[1:], strict=False):
        slope = (y1 - y0) / (x1 - x0)
        parts.append(f"WHEN {column} <= {x1!r} THEN {y0!r} + ({column} - {x0!r}) * {slope!r}")
    return f"(CASE {' '.join(parts)} ELSE {ys[-1]!r} END)"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------- the store


class Store:
    """An onrecord database: open (creating it if needed), write batches, query, export."""

    def __init__(self, path: str | Path = DEFAULT_DB, *, read_only: bool = False) -> None:
        import duckdb

        self.path = str(path)
        self.read_only = read_only
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise OnrecordError(
                f"{self.path}: no such database; create it with `onrecord ingest PATH --db "
                f"{self.path}`"
            )
        if not read_only and self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con: duckdb.DuckDBPyConnection = duckdb.connect(self.path, read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreLocked(
                    f"{self.path}: another process has the database open ({exc}); stop it, "
                    "or ingest while `onrecord serve` has it open (ingest hands its batches "
                    "to the server)"
                ) from exc
            raise OnrecordError(f"{self.path}: cannot open the database ({exc})") from exc
        except duckdb.Error as exc:
            raise OnrecordError(
                f"{self.path}: not a DuckDB database, or a damaged one ({exc})"
            ) from exc
        self._fts: sqlite3.Connection | None = None
        self._top: int | None = None  # highest articles.batch, once known
        self._synced: set[str] = set()  # the indexes brought up to date since this store opened
        #: the schema version this store had when opened, when it was migrated
        self.migrated_from: int | None = None
        #: what the migration that added the corpus layer computed, when it ran
        self.migrated_layer: corpus.CorpusChange | None = None
        self.id = self._init_schema()

    # -- schema --------------------------------------------------------------

    def _init_schema(self) -> str:
        con = self.con
        has_meta = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
        ).fetchone()
        if has_meta and has_meta[0]:
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            version = int(meta.get("schema_version", "0"))
            if version != SCHEMA_VERSION:
                self._migrate(version)
            return str(meta.get("store_id", ""))
        if self.read_only:
            raise OnrecordError(f"{self.path}: not an onrecord database (no meta table)")
        from onrecord import __version__

        store_id = uuid.uuid4().hex
        con.execute("BEGIN")
        for sql in create_sql():
            con.execute(sql)
        con.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("schema_version", str(SCHEMA_VERSION)),
                ("store_id", store_id),
                ("created_at", _now().isoformat(timespec="seconds")),
                ("created_by", f"onrecord {__version__}"),
            ],
        )
        con.execute("COMMIT")
        return store_id

    def _migrate(self, version: int) -> None:
        """Bring a store of an older schema version up to this one, in one transaction."""
        if version > SCHEMA_VERSION or (version not in MIGRATIONS and version < SCHEMA_VERSION):
            raise OnrecordError(
                f"{self.path}: store schema version {version}, this onrecord reads version "
                f"{SCHEMA_VERSION}; use the onrecord that made it, or ingest into a new database"
            )
        if self.read_only:
            raise OnrecordError(
                f"{self.path}: store schema version {version}, this onrecord reads version "
                f"{SCHEMA_VERSION}; run `onrecord migrate --db {self.path}` once to upgrade it"
            )
        con = self.con
        self.migrated_from = version
        con.execute("BEGIN")
        try:
            while version < SCHEMA_VERSION:
                for sql in MIGRATIONS[version]:
                    con.execute(sql)
                if version == 1:
                    # version 1 stored the cue model's raw probability: map it as fast mode
                    # (the default) calibrates it now
                    con.execute(f"UPDATE attributions SET confidence = {_calibrated_sql()}")
                if version == 2:
                    # the corpus layer: every stored attribution's speaker key, then the layer
                    self.migrated_layer = self._key_speakers()
                version += 1
            con.execute(
                "UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            self.migrated_from = None
            raise
        log.info("%s: store migrated to schema version %d", self.path, SCHEMA_VERSION)

    def _key_speakers(self) -> corpus.CorpusChange:
        """Give every stored attribution its speaker key, then build the corpus layer."""
        self.key_speakers(None)
        return corpus.update(self, None)

    def key_speakers(self, article_ids: list[str] | None) -> int:
        """(Re)compute the speaker key of the attributions of these articles (None: all) from
        their stored source; return how many changed. Run inside a transaction."""
        from onrecord.corpus.names import speaker_key

        where, params = "", []
        if article_ids is not None:
            where, params = "AND a.article_id IN (SELECT unnest($1::VARCHAR[]))", [article_ids]
        rows = self.con.execute(
            "SELECT a.article_id, a.id, a.source, a.source_kind, a.anonymous, e.name, "
            "a.source_name, a.speaker_key FROM attributions a LEFT JOIN entities e ON "
            "e.article_id = a.article_id AND e.id = a.source_entity "
            f"WHERE a.source IS NOT NULL {where}",
            params,
        ).fetchall()
        keyed = [
            (r[0], r[1], key)
            for r in rows
            if (key := speaker_key(r[2], r[3], anonymous=bool(r[4]), entity_name=r[5], name=r[6]))
            != r[7]
        ]
        corpus.set_column(self, "speaker_key", keyed)
        return len(keyed)

    def rebuild_corpus(self) -> corpus.CorpusChange:
        """Compute speaker keys, speakers and statements again from every stored attribution,
        in one transaction (to take in the rules of a newer onrecord)."""
        with self.transaction("the corpus layer"):
            self.key_speakers(None)
            change = corpus.update(self, None)
        return change

    @contextlib.contextmanager
    def transaction(
        self, what: str, before_commit: Callable[[], None] | None = None
    ) -> Iterator[None]:
        """One transaction: committed whole, or rolled back whole. A write the database
        cannot make (a full disk, a file turned read-only) is one ``OnrecordError`` line
        saying nothing of ``what`` was stored. ``before_commit`` is called just before the
        commit (other connections see the old state until then)."""
        import duckdb

        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            yield
            if before_commit is not None:
                before_commit()
            con.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(duckdb.Error):  # a failed commit has ended it already
                con.execute("ROLLBACK")
            cannot = (
                duckdb.IOException,
                duckdb.TransactionException,
                duckdb.OutOfMemoryException,
                duckdb.PermissionException,
            )
            if isinstance(exc, cannot):
                reason = " ".join(str(exc).split())[:200]
                raise OnrecordError(
                    f"{self.path}: cannot write {what} ({reason}); nothing of it was stored: "
                    "free disk space or make the file writable, then run the same command again"
                ) from exc
            raise

    def close(self) -> None:
        if self._fts is not None:
            self._fts.close()
            self._fts = None
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -------------------------------------------------------------

    def done(self, sources: list[str]) -> set[str]:
        """Which of these input records an earlier run already processed."""
        if not sources:
            return set()
        rows = self.con.execute(
            "SELECT source FROM sources WHERE source IN (SELECT unnest($1::VARCHAR[]))",
            [sources],
        ).fetchall()
        return {r[0] for r in rows}

    def stored(self, ids: list[str]) -> set[str]:
        """Which of these article ids are stored."""
        if not ids:
            return set()
        rows = self.con.execute(
            "SELECT id FROM articles WHERE id IN (SELECT unnest($1::VARCHAR[]))", [ids]
        ).fetchall()
        return {r[0] for r in rows}

    def write(self, rows: BatchRows, before_commit: Callable[[], None] | None = None) -> Written:
        """Insert one batch in one transaction; return what it added. ``before_commit``: as
        in ``transaction``."""
        con = self.con
        out = Written()
        articles = rows.tables["articles"]
        errors = rows.tables["errors"]
        all_sources = [*articles["source"], *errors["source"], *(s for s, _, _ in rows.ledger)]
        with self.transaction("the batch", before_commit):
            done = self.done(all_sources)
            out.already = len(done)
            now = _now()
            batch = con.execute("SELECT nextval('batch_seq')").fetchone()
            out.batch = int(batch[0]) if batch else 0
            out.previous_top = self._top_batch()
            ledger = self._write_articles(rows, done, now, out)
            ledger.extend(self._write_errors(errors, done, now, out))
            for src, outcome, aid in rows.ledger:
                if src not in done:
                    ledger.append((src, outcome, aid))
                    out.duplicates += outcome == "duplicate"
            self._write_ledger(ledger, now)
            if out.article_ids:
                out.corpus = corpus.update(self, out.article_ids)
        if out.articles:
            self._top = out.batch
        return out

    def _write_articles(
        self, rows: BatchRows, done: set[str], now: datetime, out: Written
    ) -> list[tuple[str, str, str | None]]:
        """Insert the batch's new articles and their rows; return their ledger entries."""
        articles = rows.tables["articles"]
        stored = self.stored(articles["id"])
        ledger: list[tuple[str, str, str | None]] = []
        keep_ids: set[str] = set()
        keep_rows: list[int] = []
        for i, (aid, src) in enumerate(zip(articles["id"], articles["source"], strict=True)):
            if src in done:
                continue
            if aid in stored or aid in keep_ids:
                ledger.append((src, "duplicate", aid))
                out.duplicates += 1
                continue
            keep_ids.add(aid)
            keep_rows.append(i)
            ledger.append((src, "article", aid))
        if keep_rows:
            cols = {c: [v[i] for i in keep_rows] for c, v in articles.items()}
            cols["ingested_at"] = [now] * len(keep_rows)
            cols["batch"] = [out.batch] * len(keep_rows)
            self._insert("articles", cols)
            for table in ARTICLE_TABLES[1:]:
                child = rows.tables[table]
                picked = [i for i, a in enumerate(child["article_id"]) if a in keep_ids]
                if picked:
                    self._insert(table, {c: [v[i] for i in picked] for c, v in child.items()})
                if table == "attributions":
                    out.index_rows = [
                        (child["content"][i], child["article_id"][i], child["id"][i])
                        for i in picked
                    ]
        out.articles = len(keep_rows)
        out.article_ids = [articles["id"][i] for i in keep_rows]
        return ledger

    def _write_errors(
        self, errors: dict[str, list[Any]], done: set[str], now: datetime, out: Written
    ) -> list[tuple[str, str, str | None]]:
        """Insert the batch's new errors; return their ledger entries."""
        fresh = [i for i, s in enumerate(errors["source"]) if s not in done]
        if fresh:
            cols = {c: [v[i] for i in fresh] for c, v in errors.items()}
            cols["failed_at"] = [now] * len(fresh)
            self._insert("errors", cols)
            for i in fresh:
                reason = errors["reason"][i]
                out.reasons[reason] = out.reasons.get(reason, 0) + 1
        out.errors = len(fresh)
        return [(errors["source"][i], "error", None) for i in fresh]

    def _write_ledger(self, ledger: list[tuple[str, str, str | None]], now: datetime) -> None:
        if ledger:
            self._insert(
                "sources",
                {
                    "source": [s for s, _, _ in ledger],
                    "outcome": [o for _, o, _ in ledger],
                    "article_id": [a for _, _, a in ledger],
                    "seen_at": [now] * len(ledger),
                },
            )

    def _top_batch(self) -> int:
        if self._top is None:
            row = self.con.execute("SELECT coalesce(max(batch), 0) FROM articles").fetchone()
            self._top = int(row[0]) if row else 0
        return self._top

    def _insert(self, table: str, cols: dict[str, list[Any]]) -> None:
        types = SCHEMA[table].types
        names = list(cols)
        select = ", ".join(f"unnest(${i + 1}::{types[c]}[])" for i, c in enumerate(names))
        self.con.execute(
            f"INSERT INTO {table} ({', '.join(names)}) SELECT {select}",
            [cols[c] for c in names],
        )

    # -- reading -------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        out = {}
        for table in TABLES:
            row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()
            out[table] = int(row[0]) if row else 0
        return out

    def record(self, article_id: str) -> tuple[dict[str, Any], Record] | None:
        """One article's metadata and its ``Record``, by id, URL or input name (or a prefix of
        its id that only it has)."""
        meta = self._article(article_id)
        if meta is None:
            return None
        return meta, self._record(meta)

    def _article(self, article_id: str) -> dict[str, Any] | None:
        """The ``articles`` row of an id, URL, input name or unique id prefix."""
        cols = ", ".join(columns("articles"))
        # the id first, alone: a primary-key lookup (~1 ms), where the OR below scans the table
        row = self.con.execute(
            f"SELECT {cols} FROM articles WHERE id = $1", [article_id]
        ).fetchone()
        if row is None:
            row = self.con.execute(
                f"SELECT {cols} FROM articles WHERE url = $1 OR doc = $1 LIMIT 1", [article_id]
            ).fetchone()
        if row is None:
            matches = self.con.execute(
                "SELECT id FROM articles WHERE starts_with(id, $1) LIMIT 2", [article_id]
            ).fetchall()
            if len(matches) != 1:
                return None
            return self._article(matches[0][0])
        return dict(zip(columns("articles"), row, strict=True))

    def _children(self, table: str, article_id: str) -> list[dict[str, Any]]:
        """An article's rows of a child table, in the record's order, as their JSON form."""
        names = columns(table)
        result = self.con.execute(
            f"SELECT {', '.join(names)} FROM {table} WHERE article_id = ? "
            f"ORDER BY {_READ_ORDER[table]}",
            [article_id],
        ).fetchall()
        return [SCHEMA[table].record_dict(dict(zip(names, r, strict=True))) for r in result]

    def _record(self, meta: dict[str, Any]) -> Record:
        """The ``Record`` of an ``articles`` row (its ``doc`` is the article id)."""
        from onrecord.record import Record

        aid = meta["id"]
        data = SCHEMA["articles"].record_dict(meta)
        data["doc"] = aid
        for table in ("entities", "attributions", "times"):
            data[table] = self._children(table, aid)
        return Record.from_dict(data)

    # -- export --------------------------------------------------------------

    def export_parquet(self, directory: str | Path) -> dict[str, Path]:
        """Every table as ``DIR/<table>.parquet``, with the same columns."""
        out_dir = Path(directory)
        out_dir.mkdir(parents=True, exist_ok=True)
        written = {}
        for table in TABLES:
            target = out_dir / f"{table}.parquet"
            quoted = str(target).replace("'", "''")
            self.con.execute(f"COPY {table} TO '{quoted}' (FORMAT parquet)")
            written[table] = target
        return written

    # -- full-text search ------------------------------------------------------

    @property
    def fts_path(self) -> str:
        return ":memory:" if self.path == ":memory:" else f"{self.path}.fts"

    def _fts_con(self) -> sqlite3.Connection:
        if self._fts is None:
            self._fts = fts.open_index(self.fts_path, self.id)
        return self._fts

    def sync_fts(self, written: Written | None = None) -> int:
        """Index the attributions of batches written since the last sync; return how many.

        Given the ``Written`` of the batch just written, and an index that was
        up to date before it, only that batch's rows are added (no query of
        the database); otherwise every batch past the index's watermark is
        read back from DuckDB (after a crash, or for a store written elsewhere).
        """
        return fts.sync(self._fts_con(), self.con, fts.QUOTES, written)

    def sync_article_index(self) -> int:
        """Index the titles and texts of articles written since the last sync; return how many.

        Unlike the quotes' index, the ingest does not update this one after each
        batch: the first article search does (the server: at start), reading
        the new articles back from DuckDB in one SQLite transaction.
        """
        return fts.sync(self._fts_con(), self.con, fts.ARTICLE_TEXTS)

    def search(self, text: str) -> Iterator[tuple[str, str, float]]:
        """``(article_id, attribution_id, rank)`` of contents with every word of ``text``.

        Words are matched after Porter stemming, in any order; lower rank is
        better (SQLite's bm25).
        """
        return iter(self._search(fts.QUOTES, text))

    def search_articles(self, text: str) -> list[tuple[str, float]]:
        """``(article_id, rank)`` of articles whose title or text holds every word of ``text``.

        Stemmed, any order, lower rank better (bm25), like ``search``.
        """
        return self._search(fts.ARTICLE_TEXTS, text)

    def _search(self, index: fts.Index, text: str) -> list[Any]:
        """Bring ``index`` up to date, then search it (``fts.search``)."""
        if not fts_terms(text):
            return []
        try:
            # a read-only store cannot change while it is open (DuckDB lets no other process
            # write meanwhile): one sync is enough
            if not (self.read_only and index.table in self._synced):
                fts.sync(self._fts_con(), self.con, index)
                self._synced.add(index.table)
        except sqlite3.Error as exc:  # a read-only index still answers, maybe a batch behind
            log.warning("%s: cannot update the %s (%s)", self.fts_path, index.label, exc)
        return fts.search(self._fts_con(), index, text)

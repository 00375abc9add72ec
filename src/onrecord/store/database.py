"""The store: an embedded DuckDB database of records, with a full-text index beside it.

Tables (columns in ``TABLES``, documented in docs/store.md): ``articles``,
``entities``, ``attributions``, ``times`` (one row per item of a ``Record``),
``errors`` (one row per input record that failed, with its reason),
``sources`` (one row per input record ever processed: the ledger that makes
ingestion resumable) and ``meta`` (schema version, store id).

Writing: workers turn records into column lists (``BatchRows``, plain Python
data that pickles cheaply); the one writing process hands each batch to
``Store.write``, which inserts it in **one transaction**: an article and all
its rows, and the ledger entry saying its input record is done, land
together or not at all. Article ids are stable hashes, so a batch whose
articles are already stored adds nothing (``duplicate`` in the ledger).

Full-text search: DuckDB's ``fts`` extension is downloaded by ``INSTALL fts``,
which cannot work offline, so the index is a SQLite FTS5 table in a file
beside the database (``<db>.fts``). It is derived data: ``sync_fts`` indexes
the attributions of every batch past its watermark, in one SQLite
transaction, so a crash between the two databases only delays indexing until
the next sync (ingest syncs after each batch; queries sync before searching).

duckdb is imported lazily: ``import onrecord`` does not load it.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onrecord.errors import OnrecordError

if TYPE_CHECKING:
    import duckdb

    from onrecord.record import Record

log = logging.getLogger(__name__)

DEFAULT_DB = "onrecord.duckdb"
#: bump when a table changes; a store of another version is refused, not migrated silently
SCHEMA_VERSION = 1

_SPANS = "INTEGER[][]"
_REMOVED = "STRUCT(text VARCHAR, reason VARCHAR)[]"

#: every table: (column, DuckDB type) in order, then the primary key
TABLES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    "meta": ((("key", "VARCHAR"), ("value", "VARCHAR")), ("key",)),
    "articles": (
        (
            ("id", "VARCHAR"),
            ("doc", "VARCHAR"),
            ("url", "VARCHAR"),
            ("title", "VARCHAR"),
            ("published", "DATE"),
            ("publisher", "VARCHAR"),
            ("author", "VARCHAR"),
            ("language", "VARCHAR"),
            ("text", "VARCHAR"),
            ("credits", "VARCHAR[]"),
            ("removed", _REMOVED),
            ("source", "VARCHAR"),
            ("source_path", "VARCHAR"),
            ("fetched_at", "TIMESTAMP"),
            ("ingested_at", "TIMESTAMP"),
            ("batch", "BIGINT"),
        ),
        ("id",),
    ),
    "entities": (
        (
            ("article_id", "VARCHAR"),
            ("id", "VARCHAR"),
            ("name", "VARCHAR"),
            ("type", "VARCHAR"),
            ("titles", "VARCHAR[]"),
            ("mentions", _SPANS),
        ),
        ("article_id", "id"),
    ),
    "attributions": (
        (
            ("article_id", "VARCHAR"),
            ("id", "VARCHAR"),
            ("kind", "VARCHAR"),
            ("content", "VARCHAR"),
            ("content_spans", _SPANS),
            ("quotes", _SPANS),
            ("cue", "VARCHAR"),
            ("cue_lemma", "VARCHAR"),
            ("cue_spans", _SPANS),
            ("source", "VARCHAR"),
            ("source_spans", _SPANS),
            ("source_entity", "VARCHAR"),
            ("source_name", "VARCHAR"),
            ("anonymous", "BOOLEAN"),
            ("source_kind", "VARCHAR"),
            ("via", "VARCHAR"),
            ("time_text", "VARCHAR"),
            ("time_value", "VARCHAR"),
            ("confidence", "DOUBLE"),
        ),
        ("article_id", "id"),
    ),
    "times": (
        (
            ("article_id", "VARCHAR"),
            ("n", "INTEGER"),
            ("text", "VARCHAR"),
            ("spans", _SPANS),
            ("value", "VARCHAR"),
            ("anchored", "BOOLEAN"),
        ),
        ("article_id", "n"),
    ),
    "errors": (
        (
            ("source", "VARCHAR"),
            ("path", "VARCHAR"),
            ("record", "VARCHAR"),
            ("doc", "VARCHAR"),
            ("reason", "VARCHAR"),
            ("message", "VARCHAR"),
            ("failed_at", "TIMESTAMP"),
        ),
        ("source",),
    ),
    "sources": (
        (
            ("source", "VARCHAR"),
            ("outcome", "VARCHAR"),
            ("article_id", "VARCHAR"),
            ("seen_at", "TIMESTAMP"),
        ),
        ("source",),
    ),
}
#: the tables a batch writes rows to, children of articles last
_ARTICLE_TABLES = ("articles", "entities", "attributions", "times")
#: columns the writer fills, not the workers
_WRITER_COLUMNS = {"articles": ("ingested_at", "batch"), "errors": ("failed_at",)}


def _columns(table: str) -> list[str]:
    return [c for c, _ in TABLES[table][0]]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _timestamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _spans(spans: list[tuple[int, int]]) -> list[list[int]]:
    return [[int(s), int(e)] for s, e in spans]


# --------------------------------------------------------------------------- batch rows


class BatchRows:
    """One batch's rows, as column lists per table, built where records are made."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, list[Any]]] = {
            t: {c: [] for c in _columns(t) if c not in _WRITER_COLUMNS.get(t, ())}
            for t in (*_ARTICLE_TABLES, "errors")
        }
        #: (source, outcome, article_id) for the ledger; articles are added by the writer
        self.ledger: list[tuple[str, str, str | None]] = []

    def __len__(self) -> int:
        return len(self.tables["articles"]["id"]) + len(self.ledger)

    def add_article(
        self,
        record: Record,
        *,
        id: str,
        doc: str | None,
        url: str | None,
        publisher: str | None = None,
        author: str | None = None,
        language: str | None = None,
        source: str,
        source_path: str | None = None,
        fetched: str | None = None,
    ) -> None:
        a = self.tables["articles"]
        values: dict[str, Any] = {
            "id": id,
            "doc": doc,
            "url": url,
            "title": record.title,
            "published": date.fromisoformat(record.published) if record.published else None,
            "publisher": publisher,
            "author": author,
            "language": language,
            "text": record.text,
            "credits": list(record.credits),
            "removed": [{"text": r.text, "reason": r.reason} for r in record.removed],
            "source": source,
            "source_path": source_path,
            "fetched_at": _timestamp(fetched),
        }
        for key, value in values.items():
            a[key].append(value)
        e = self.tables["entities"]
        for ent in record.entities:
            row: tuple[tuple[str, Any], ...] = (
                ("article_id", id),
                ("id", ent.id),
                ("name", ent.name),
                ("type", ent.type),
                ("titles", list(ent.titles)),
                ("mentions", _spans(ent.mentions)),
            )
            for key, value in row:
                e[key].append(value)
        t = self.tables["attributions"]
        for att in record.attributions:
            src, cue, tm = att.source, att.cue, att.time
            fields: tuple[tuple[str, Any], ...] = (
                ("article_id", id),
                ("id", att.id),
                ("kind", att.kind),
                ("content", att.content.text),
                ("content_spans", _spans(att.content.spans)),
                ("quotes", _spans(att.quotes)),
                ("cue", cue.text if cue else None),
                ("cue_lemma", cue.lemma if cue else None),
                ("cue_spans", _spans(cue.spans) if cue else None),
                ("source", src.text if src else None),
                ("source_spans", _spans(src.spans) if src else None),
                ("source_entity", src.entity if src else None),
                ("source_name", src.name if src else None),
                ("anonymous", src.anonymous if src else None),
                ("source_kind", src.kind if src else None),
                ("via", att.via),
                ("time_text", tm.text if tm else None),
                ("time_value", tm.value if tm else None),
                ("confidence", round(float(att.confidence), 4)),
            )
            for key, value in fields:
                t[key].append(value)
        x = self.tables["times"]
        for n, tx in enumerate(record.times):
            items: tuple[tuple[str, Any], ...] = (
                ("article_id", id),
                ("n", n),
                ("text", tx.text),
                ("spans", _spans(tx.spans)),
                ("value", tx.value),
                ("anchored", tx.anchored),
            )
            for key, value in items:
                x[key].append(value)

    def add_error(
        self,
        *,
        source: str,
        reason: str,
        message: str,
        path: str | None = None,
        record: str | None = None,
        doc: str | None = None,
    ) -> None:
        e = self.tables["errors"]
        for key, value in (
            ("source", source),
            ("path", path),
            ("record", record),
            ("doc", doc),
            ("reason", reason),
            ("message", message),
        ):
            e[key].append(value)

    def add_duplicate(self, *, source: str, article_id: str) -> None:
        """An input record whose article another record of the batch already gave."""
        self.ledger.append((source, "duplicate", article_id))


@dataclass(slots=True)
class Written:
    """What one ``Store.write`` added."""

    articles: int = 0
    duplicates: int = 0
    errors: int = 0
    already: int = 0  # input records already in the ledger (another run did them)
    reasons: dict[str, int] = field(default_factory=dict)  # the new errors, by reason
    batch: int = 0  # the batch number the rows were written under
    previous_top: int = 0  # the highest batch number among articles before this write
    #: (content, article_id, attribution id) of the attributions written, for the index
    index_rows: list[tuple[str, str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- the store


def _create_sql() -> list[str]:
    out = []
    for table, (cols, key) in TABLES.items():
        body = ",\n  ".join(f"{c} {t}" for c, t in cols)
        out.append(
            f"CREATE TABLE IF NOT EXISTS {table} (\n  {body},\n  PRIMARY KEY ({', '.join(key)})\n)"
        )
    out.append("CREATE SEQUENCE IF NOT EXISTS batch_seq START 1")
    return out


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
            raise OnrecordError(
                f"{self.path}: cannot open the database ({exc}); is another onrecord "
                "process writing to it?"
            ) from exc
        except duckdb.Error as exc:
            raise OnrecordError(
                f"{self.path}: not a DuckDB database, or a damaged one ({exc})"
            ) from exc
        self._fts: sqlite3.Connection | None = None
        self._top: int | None = None  # highest articles.batch, once known
        self._fts_synced = False  # the index was brought up to date since this store opened
        self._articles_synced = False  # the same, for the articles' index
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
                raise OnrecordError(
                    f"{self.path}: store schema version {version}, this onrecord writes "
                    f"version {SCHEMA_VERSION}; export it with the onrecord that made it, or "
                    "ingest into a new database"
                )
            return str(meta.get("store_id", ""))
        if self.read_only:
            raise OnrecordError(f"{self.path}: not an onrecord database (no meta table)")
        from onrecord import __version__

        store_id = uuid.uuid4().hex
        con.execute("BEGIN")
        for sql in _create_sql():
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

    def write(self, rows: BatchRows) -> Written:
        """Insert one batch in one transaction; return what it added."""
        con = self.con
        out = Written()
        articles = rows.tables["articles"]
        errors = rows.tables["errors"]
        all_sources = [*articles["source"], *errors["source"], *(s for s, _, _ in rows.ledger)]
        con.execute("BEGIN TRANSACTION")
        try:
            done = self.done(all_sources)
            out.already = len(done)
            stored = self.stored(articles["id"])
            now = _now()
            batch = con.execute("SELECT nextval('batch_seq')").fetchone()
            out.batch = int(batch[0]) if batch else 0
            out.previous_top = self._top_batch()
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
                for table in _ARTICLE_TABLES[1:]:
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
            fresh = [i for i, s in enumerate(errors["source"]) if s not in done]
            if fresh:
                cols = {c: [v[i] for i in fresh] for c, v in errors.items()}
                cols["failed_at"] = [now] * len(fresh)
                self._insert("errors", cols)
                ledger.extend((errors["source"][i], "error", None) for i in fresh)
                for i in fresh:
                    reason = errors["reason"][i]
                    out.reasons[reason] = out.reasons.get(reason, 0) + 1
            out.errors = len(fresh)
            for src, outcome, aid in rows.ledger:
                if src not in done:
                    ledger.append((src, outcome, aid))
                    out.duplicates += outcome == "duplicate"
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
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        if out.articles:
            self._top = out.batch
        return out

    def _top_batch(self) -> int:
        if self._top is None:
            row = self.con.execute("SELECT coalesce(max(batch), 0) FROM articles").fetchone()
            self._top = int(row[0]) if row else 0
        return self._top

    def _insert(self, table: str, cols: dict[str, list[Any]]) -> None:
        types = dict(TABLES[table][0])
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
        """One article's metadata and its ``Record``, by id, URL or input name."""
        from onrecord.record import Record

        cols = _columns("articles")
        # the id first, alone: a primary-key lookup (~1 ms), where the OR below scans the table
        row = self.con.execute(
            f"SELECT {', '.join(cols)} FROM articles WHERE id = $1", [article_id]
        ).fetchone()
        if row is None:
            row = self.con.execute(
                f"SELECT {', '.join(cols)} FROM articles WHERE url = $1 OR doc = $1 LIMIT 1",
                [article_id],
            ).fetchone()
        if row is None:
            matches = self.con.execute(
                "SELECT id FROM articles WHERE starts_with(id, $1) LIMIT 2", [article_id]
            ).fetchall()
            if len(matches) != 1:
                return None
            return self.record(matches[0][0])
        meta = dict(zip(cols, row, strict=True))
        aid = meta["id"]

        def rows(table: str, order: str) -> list[dict[str, Any]]:
            names = _columns(table)
            result = self.con.execute(
                f"SELECT {', '.join(names)} FROM {table} WHERE article_id = ? ORDER BY {order}",
                [aid],
            ).fetchall()
            return [dict(zip(names, r, strict=True)) for r in result]

        def sp(value: Any) -> list[list[int]]:
            return [list(s) for s in value] if value else []

        attributions = []
        for a in rows("attributions", "try_cast(substr(id, 2) AS INTEGER), id"):
            attributions.append(
                {
                    "id": a["id"],
                    "kind": a["kind"],
                    "content": {"text": a["content"], "spans": sp(a["content_spans"])},
                    "quotes": sp(a["quotes"]),
                    "cue": (
                        {"text": a["cue"], "lemma": a["cue_lemma"], "spans": sp(a["cue_spans"])}
                        if a["cue"] is not None
                        else None
                    ),
                    "source": (
                        {
                            "text": a["source"],
                            "spans": sp(a["source_spans"]),
                            "entity": a["source_entity"],
                            "name": a["source_name"],
                            "anonymous": bool(a["anonymous"]),
                            "kind": a["source_kind"],
                        }
                        if a["source"] is not None
                        else None
                    ),
                    "via": a["via"],
                    "time": (
                        {"text": a["time_text"], "value": a["time_value"]}
                        if a["time_text"] is not None
                        else None
                    ),
                    "confidence": a["confidence"],
                }
            )
        data = {
            "doc": aid,
            "title": meta["title"],
            "published": meta["published"].isoformat() if meta["published"] else None,
            "text": meta["text"],
            "credits": meta["credits"] or [],
            "removed": meta["removed"] or [],
            "entities": [
                {
                    "id": e["id"],
                    "name": e["name"],
                    "type": e["type"],
                    "titles": e["titles"] or [],
                    "mentions": sp(e["mentions"]),
                }
                for e in rows("entities", "try_cast(substr(id, 2) AS INTEGER), id")
            ],
            "attributions": attributions,
            "times": [
                {
                    "text": t["text"],
                    "spans": sp(t["spans"]),
                    "value": t["value"],
                    "anchored": bool(t["anchored"]),
                }
                for t in rows("times", "n")
            ],
        }
        return meta, Record.from_dict(data)

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
            # the server may open a store in one thread and use or close it in another;
            # a Store is never used by two threads at once (see serve/context.py)
            fts = sqlite3.connect(self.fts_path, check_same_thread=False)
            fts.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT)")
            fts.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS quotes USING fts5("
                "content, article_id UNINDEXED, attribution_id UNINDEXED, "
                "tokenize = 'porter unicode61 remove_diacritics 2')"
            )
            fts.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS article_texts USING fts5("
                "title, text, article_id UNINDEXED, "
                "tokenize = 'porter unicode61 remove_diacritics 2')"
            )
            owner = fts.execute("SELECT value FROM state WHERE key = 'store_id'").fetchone()
            if owner is None or owner[0] != self.id:
                # a new index, or one left by another database of the same name: start over
                fts.execute("DELETE FROM quotes")
                fts.execute("DELETE FROM article_texts")
                fts.execute("DELETE FROM state")
                fts.execute("INSERT INTO state VALUES ('store_id', ?), ('batch', '0')", (self.id,))
            # the articles' index came later than the quotes' (an older .fts lacks its mark)
            fts.execute("INSERT OR IGNORE INTO state VALUES ('article_batch', '0')")
            fts.commit()
            self._fts = fts
        return self._fts

    def sync_fts(self, written: Written | None = None) -> int:
        """Index the attributions of batches written since the last sync; return how many.

        Given the ``Written`` of the batch just written, and an index that was
        up to date before it, only that batch's rows are added (no query of
        the database); otherwise every batch past the index's watermark is
        read back from DuckDB (after a crash, or for a store written elsewhere).
        """
        fts = self._fts_con()
        row = fts.execute("SELECT value FROM state WHERE key = 'batch'").fetchone()
        mark = int(row[0]) if row else 0
        if written is not None and written.batch and mark >= written.previous_top:
            try:
                fts.executemany(
                    "INSERT INTO quotes (content, article_id, attribution_id) VALUES (?, ?, ?)",
                    written.index_rows,
                )
                fts.execute(
                    "UPDATE state SET value = ? WHERE key = 'batch'",
                    (str(max(mark, written.batch)),),
                )
                fts.commit()
            except BaseException:
                fts.rollback()
                raise
            return len(written.index_rows)
        top_row = self.con.execute("SELECT coalesce(max(batch), 0) FROM articles").fetchone()
        top = int(top_row[0]) if top_row else 0
        if top <= mark:
            return 0
        cursor = self.con.execute(
            "SELECT a.content, a.article_id, a.id FROM attributions a "
            "JOIN articles r ON r.id = a.article_id WHERE r.batch > ? AND r.batch <= ?",
            [mark, top],
        )
        n = 0
        try:
            while chunk := cursor.fetchmany(10_000):
                fts.executemany(
                    "INSERT INTO quotes (content, article_id, attribution_id) VALUES (?, ?, ?)",
                    chunk,
                )
                n += len(chunk)
            fts.execute("UPDATE state SET value = ? WHERE key = 'batch'", (str(top),))
            fts.commit()
        except BaseException:
            fts.rollback()
            raise
        return n

    def search(self, text: str) -> Iterator[tuple[str, str, float]]:
        """``(article_id, attribution_id, rank)`` of contents with every word of ``text``.

        Words are matched after Porter stemming, in any order; lower rank is
        better (SQLite's bm25).
        """
        words = fts_terms(text)
        if not words:
            return iter(())
        try:
            # a read-only store cannot change while it is open (DuckDB lets no other process
            # write meanwhile): one sync is enough
            if not (self.read_only and self._fts_synced):
                self.sync_fts()
                self._fts_synced = True
        except sqlite3.Error as exc:  # a read-only index still answers, maybe a batch behind
            log.warning("%s: cannot update the full-text index (%s)", self.fts_path, exc)
        fts = self._fts_con()
        query = " ".join(f'"{w}"' for w in words)
        return iter(
            fts.execute(
                "SELECT article_id, attribution_id, bm25(quotes) FROM quotes "
                "WHERE quotes MATCH ? ORDER BY bm25(quotes)",
                (query,),
            ).fetchall()
        )

    def sync_article_index(self) -> int:
        """Index the titles and texts of articles written since the last sync; return how many.

        Unlike the quotes' index, the ingest does not update this one after each
        batch: the first article search does (the server: at start), reading
        the new articles back from DuckDB in one SQLite transaction.
        """
        fts = self._fts_con()
        row = fts.execute("SELECT value FROM state WHERE key = 'article_batch'").fetchone()
        mark = int(row[0]) if row else 0
        top_row = self.con.execute("SELECT coalesce(max(batch), 0) FROM articles").fetchone()
        top = int(top_row[0]) if top_row else 0
        if top <= mark:
            return 0
        cursor = self.con.execute(
            "SELECT coalesce(title, ''), text, id FROM articles WHERE batch > ? AND batch <= ?",
            [mark, top],
        )
        n = 0
        try:
            while chunk := cursor.fetchmany(1_000):
                fts.executemany(
                    "INSERT INTO article_texts (title, text, article_id) VALUES (?, ?, ?)", chunk
                )
                n += len(chunk)
            fts.execute("UPDATE state SET value = ? WHERE key = 'article_batch'", (str(top),))
            fts.commit()
        except BaseException:
            fts.rollback()
            raise
        return n

    def search_articles(self, text: str) -> list[tuple[str, float]]:
        """``(article_id, rank)`` of articles whose title or text holds every word of ``text``.

        Stemmed, any order, lower rank better (bm25), like ``search``.
        """
        words = fts_terms(text)
        if not words:
            return []
        try:
            if not (self.read_only and self._articles_synced):
                self.sync_article_index()
                self._articles_synced = True
        except sqlite3.Error as exc:  # a read-only index still answers, maybe a batch behind
            log.warning("%s: cannot update the articles' index (%s)", self.fts_path, exc)
        query = " ".join(f'"{w}"' for w in words)
        return (
            self._fts_con()
            .execute(
                "SELECT article_id, bm25(article_texts) FROM article_texts "
                "WHERE article_texts MATCH ? ORDER BY bm25(article_texts)",
                (query,),
            )
            .fetchall()
        )


_WORD = re.compile(r"\w+")


def fts_terms(text: str) -> list[str]:
    """The words of a search text (FTS5 syntax characters dropped)."""
    return _WORD.findall(text)

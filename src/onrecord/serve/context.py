"""What the API and the pages share: the read-only store, the templates, the extractor, the caps.

Endpoints that read the store are plain functions, which FastAPI runs in its
thread pool; each thread opens its own ``Store`` (``Context.store``: a DuckDB
connection to the one database instance of the process, and its own SQLite
connection to the full-text index), so two requests query in parallel (DuckDB
releases the GIL while it works). Extraction is slow (a parse) and runs one
document at a time behind a lock: the spaCy pipeline is loaded on the first
extraction, not at start.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from onrecord.serve.cache import DEFAULT_MB, AnswerCache
from onrecord.serve.view import safe_url
from onrecord.store.database import BatchRows, Store, Written

if TYPE_CHECKING:
    import jinja2

    from onrecord.pipeline import Pipeline
    from onrecord.read.document import RawDocument
    from onrecord.record import Record

log = logging.getLogger(__name__)

#: the largest request body ``POST /api/extract`` takes, in bytes (documented in docs/serve.md)
MAX_BODY = 5_000_000
#: the most rows one API call returns
MAX_LIMIT = 200
#: rows on one page of the web interface
PAGE_SIZE = 50
#: the longest search text or name taken from a query string
MAX_QUERY = 500
#: the most statements a speaker page lists (its timeline counts the same ones)
MAX_STATEMENTS = 1000


class Context:
    """The state of one running app; ``close()`` releases the store."""

    def __init__(
        self,
        db: str,
        *,
        pipeline: Pipeline | None = None,
        max_body: int = MAX_BODY,
        writable: bool = False,
        cache_mb: float = DEFAULT_MB,
    ) -> None:
        self.db = db
        #: answers kept until the next batch is written (``serve.cache``)
        self.answers = AnswerCache(int(cache_mb * 1_000_000))
        #: the process has the database open for writing: ``onrecord ingest`` hands it
        #: batches (``serve.handoff``), written by ``write`` one at a time
        self.writable = writable and _can_write(db)
        if writable and not self.writable:
            log.warning("%s: not writable here; serving it read-only", db)
        if self.writable and db != ":memory:" and not Path(db).exists():
            Store(db, read_only=True)  # says, in one line, that there is no such database
        first = self._open()  # a missing or foreign database fails here, at start
        try:  # index what was ingested since the last search, once, before serving
            first.sync_fts()
            first.sync_article_index()
        except sqlite3.Error as exc:
            log.warning("%s: full-text index not updated (%s)", first.fts_path, exc)
        self._stores = [first]
        self._local = threading.local()
        self._local.store = first
        self._stores_lock = threading.Lock()
        self.max_body = max_body
        self.templates = _templates()
        self._pipeline = pipeline
        self._lock = threading.Lock()
        self._writer: Store | None = None
        self._write_lock = threading.Lock()
        #: the token ``onrecord ingest`` must show to hand batches over (None: it cannot)
        self.token: str | None = None

    def _open(self) -> Store:
        return Store(self.db, read_only=not self.writable)

    @property
    def store(self) -> Store:
        """This thread's store (opened on the thread's first request)."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = self._open()
            with self._stores_lock:
                self._stores.append(store)
        return store

    def write(self, rows: BatchRows) -> Written:
        """Write one batch an ingest handed over, in one transaction, and index it; batches
        are written one at a time. Readers see it when it commits, and no answer kept from
        before it is given after it (``serve.cache``)."""
        with self._write_lock:
            if self._writer is None:
                self._writer = self._open()
                with self._stores_lock:
                    self._stores.append(self._writer)
            try:  # answers kept so far hold until the batch commits
                written = self._writer.write(rows, before_commit=self.answers.begin_write)
                try:
                    self._writer.sync_fts(written)
                except sqlite3.Error as exc:  # derived: the next search catches up
                    log.warning("%s: full-text index not updated (%s)", self._writer.fts_path, exc)
            finally:
                self.answers.end_write()
            return written

    def ledger(self) -> Store:
        """A store to answer an ingest's ledger questions (done, stored) with."""
        return self.store

    def close(self) -> None:
        with self._stores_lock:
            for store in self._stores:
                store.close()
            self._stores.clear()

    def render(self, template: str, **values: Any) -> str:
        return self.templates.get_template(template).render(**values)

    def extract(
        self, item: str | RawDocument, *, published: date | None, clean: bool = True
    ) -> Record:
        """The record of one text or extracted page; raises ``OnrecordError`` for bad input."""
        with self._lock:
            if self._pipeline is None:
                from onrecord.pipeline import Pipeline

                self._pipeline = Pipeline()
            return next(self._pipeline.pipe([item], published=published, clean=clean, batch_size=1))


def _can_write(db: str) -> bool:
    """Whether this process may open ``db`` for writing (the file, or its folder when it
    does not exist yet)."""
    if db == ":memory:":
        return True
    path = Path(db)
    return os.access(path if path.exists() else path.parent, os.W_OK)


def _templates() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("onrecord.serve", "templates"),
        autoescape=True,  # every value is escaped unless a template says otherwise (none does)
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["safe_url"] = safe_url
    env.filters["path"] = lambda value: quote(str(value), safe="")
    env.filters["percent"] = lambda value: f"{float(value or 0):.0%}"
    env.filters["number"] = lambda value: f"{int(value or 0):,}"
    env.globals["PAGE_SIZE"] = PAGE_SIZE
    return env

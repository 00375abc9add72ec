"""The ingest run: read -> prepare -> pipeline -> store, streaming, on every core.

The main process reads the inputs (cheap: bytes and metadata), groups them in
batches, drops the input records an earlier run already finished (the
store's ``sources`` ledger), and hands each batch to a worker. Each worker
loads the pipeline once (``Pipeline`` in the pool's initializer) and turns a
batch into rows (``process_batch``: extraction, language check, one
``Pipeline.pipe`` call per batch and cleaning mode). The main process writes
each finished batch in one transaction. At most ``2 * workers`` batches are in
flight, so memory does not grow with the corpus.

The parse runs in worker processes even with one worker: a process with any
other thread in it (DuckDB starts several as soon as a database is open, the
progress bar one) parses about a sixth slower than a single-threaded one,
measured on the 606 pages of the shared WARC (docs/performance.md). So the
workers start with numpy's BLAS on one thread (no idle BLAS threads), and
they follow their parent's death through the kernel (``PR_SET_PDEATHSIG``),
not a watcher thread. ``workers=0`` runs everything in the calling process
(no pool, no pickling: for debugging, and for tests that share one model).

An ingest into a database that ``onrecord serve`` has open hands its batches to the
server (``store.handoff``) and lowers its own CPU priority (``INGEST_NICENESS``, inherited by
its workers): the server's answers to readers come first, and the ingest runs at full speed
whenever they leave the cores idle.

Crash safety comes from the store: a batch is written whole or not at all,
with the ledger entries of its input records, so a run killed at any point
is finished by running it again (already finished records are skipped
before any work is done on them; an article id that is already stored adds
no rows).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol
from urllib.parse import urlsplit

from onrecord.errors import InputError, OnrecordError
from onrecord.options import PipelineOptions
from onrecord.read.document import RawDocument, RecordError
from onrecord.store.database import DEFAULT_DB, BatchRows, Store, StoreLocked, Written

if TYPE_CHECKING:
    from onrecord.ingest.prepare import Prepared
    from onrecord.pipeline import Pipeline

log = logging.getLogger(__name__)

#: loggers of the extraction libraries, silenced (unless logging at DEBUG): a page they
#: complain about becomes an error row with its reason anyway
NOISY_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer")


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def host_of(url: str | None) -> str | None:
    """A page's outlet when nothing else names it: its URL's host, without ``www.``."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


@dataclass(slots=True)
class IngestOptions:
    """How to ingest; the CLI fills it once from its arguments."""

    db: str = DEFAULT_DB
    #: worker processes, each with its own model; 0 runs everything in this process
    workers: int = field(default_factory=default_workers)
    #: documents per batch: one nlp.pipe call and one transaction each
    batch_size: int = 16
    #: the pipeline each worker builds (default: fast mode, settings from the environment)
    pipeline: PipelineOptions = field(default_factory=PipelineOptions.from_env)
    #: batches handed out but not yet written; default 2 per worker
    max_in_flight: int | None = None
    log_level: int = logging.WARNING
    #: run the line-level text cleaner on plain text (False: keep the text exactly, so that
    #: offsets index the input, as ``onrecord extract --no-clean``)
    clean: bool = True


@dataclass(slots=True)
class Summary:
    """What one run did."""

    records: int = 0  # input records read (documents and unreadable records)
    articles: int = 0  # new articles stored
    duplicates: int = 0  # records whose article was already stored
    errors: int = 0  # new error rows
    already: int = 0  # records an earlier run had finished (skipped)
    reasons: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # not documents (WARC requests...)
    seconds: float = 0.0
    #: of which the writer spent bringing the corpus layer up to date (``store.corpus``)
    corpus_seconds: float = 0.0

    def add(self, written: Written) -> None:
        self.articles += written.articles
        if written.corpus is not None:
            self.corpus_seconds += written.corpus.seconds
        self.duplicates += written.duplicates
        self.errors += written.errors
        self.already += written.already
        for reason, n in written.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + n

    def to_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "articles": self.articles,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "already_done": self.already,
            "errors_by_reason": dict(sorted(self.reasons.items())),
            "skipped": dict(sorted(self.skipped.items())),
            "seconds": round(self.seconds, 2),
            "corpus_seconds": round(self.corpus_seconds, 2),
        }


#: an unreadable input record, as plain data (exceptions with keyword-only
#: arguments do not survive pickling)
ErrorItem = tuple[str, str, str, str | None, str | None]  # source, reason, message, path, record


def _error_item(exc: RecordError) -> ErrorItem:
    record = None
    if "@" in exc.source.removeprefix(exc.path):
        record = exc.source.rsplit("@", 1)[1]
    elif exc.line:
        record = str(exc.line)
    return (exc.source, exc.reason, str(exc), exc.path, record)


# --------------------------------------------------------------------------- workers

_pipeline: Pipeline | None = None
_init_error: OnrecordError | None = None  # why this worker has no pipeline (a missing model)


def _init_worker(options: PipelineOptions, log_level: int, parent: int) -> None:
    global _pipeline, _init_error
    _exit_with_parent(parent)
    logging.basicConfig(level=log_level, format="onrecord[worker]: %(message)s")
    quiet_libraries(log_level)
    from onrecord.pipeline import Pipeline

    try:
        _pipeline = Pipeline(options=options)
    except OnrecordError as exc:  # a failing initializer breaks the pool with no message
        _init_error = exc


def _exit_with_parent(parent: int, poll_seconds: float = 1.0) -> None:
    """End this worker when the ingest process ``parent`` dies (``kill -9`` included).

    A pool worker waits on a queue whose write end it holds itself, so it
    would never notice the parent's death and would linger, model loaded. On
    Linux the kernel kills it with its parent (``PR_SET_PDEATHSIG``); elsewhere
    a thread polls the parent's pid (a thread costs the parse some speed, see
    the module's docstring).
    """
    if _die_with_parent():
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)
        return
    import threading

    def watch() -> None:
        while True:
            time.sleep(poll_seconds)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="onrecord-parent-watch", daemon=True).start()


def _die_with_parent() -> bool:
    """Ask the kernel for SIGKILL when the parent process ends; False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        return int(libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def quiet_libraries(level: int) -> None:
    """Extraction libraries log (and warn about) every odd page: errors only, unless debugging.

    What matters about a page reaches the user as its error row and reason.
    """
    import warnings

    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(level if level <= logging.DEBUG else logging.CRITICAL)
    if level > logging.DEBUG:
        # dateutil warns about time zone names in page dates ("EST"); the date is still read
        warnings.filterwarnings("ignore", module=r"dateutil(\..*)?$")


def _worker_batch(batch: Batch) -> BatchRows:
    if _init_error is not None:
        raise _init_error  # the main process reports it as it is (ModelNotFoundError...)
    assert _pipeline is not None, "worker not initialized"
    return process_batch(_pipeline, *batch)


def process_batch(
    pipeline: Pipeline,
    docs: list[RawDocument],
    errors: list[ErrorItem] | None = None,
    duplicates: list[tuple[str, str]] | None = None,
) -> BatchRows:
    """Prepare and run one batch; every document ends as an article, duplicate or error row.

    ``errors`` are input records that could not be read; ``duplicates``
    ``(source, article_id)`` records whose article the store already has
    (found before any work on them).
    """
    rows = BatchRows()
    for source, reason, message, path, record in errors or ():
        rows.add_error(source=source, reason=reason, message=message, path=path, record=record)
    for source, article in duplicates or ():
        rows.add_duplicate(source=source, article_id=article)
    run = _BatchRun(pipeline, rows)
    run.prepare_documents(docs)
    run.run_pipeline()
    return rows


class _BatchRun:
    """One batch's documents on their way to ``rows``: prepared, then run through the
    pipeline, each failure recorded as an error row of its document."""

    def __init__(self, pipeline: Pipeline, rows: BatchRows) -> None:
        self.pipeline = pipeline
        self.rows = rows
        #: the prepared documents by article id, and the input record of each
        self.ready: dict[str, Prepared] = {}
        self.sources: dict[str, RawDocument] = {}
        #: ids that became an article or an error row
        self.finished: set[str] = set()

    def fail(self, doc: RawDocument, reason: str, message: str) -> None:
        """Record ``doc`` as an error row."""
        self.rows.add_error(
            source=doc.source or doc.doc,
            reason=reason,
            message=message,
            path=doc.path,
            record=_record_of(doc),
            doc=doc.doc,
        )

    # -- prepare ---------------------------------------------------------------

    def prepare_documents(self, docs: list[RawDocument]) -> None:
        """Extract and check every document; keep the ones the pipeline can take, once per
        article id."""
        # spaCy refuses longer texts (nlp.max_length, 1,000,000 by default) for the whole batch
        nlp = getattr(self.pipeline, "nlp", None)
        max_chars = int(getattr(nlp, "max_length", 1_000_000))
        for doc in docs:
            prep = self._prepare_one(doc)
            if prep is None:
                continue
            if prep.id in self.ready:
                self.rows.add_duplicate(source=doc.source or doc.doc, article_id=prep.id)
                continue
            if len(prep.doc.text) > max_chars:
                self.fail(
                    doc,
                    "too_large",
                    f"{doc.source}: {len(prep.doc.text):,} characters, over the parser's limit "
                    f"of {max_chars:,} for one document; split it",
                )
                continue
            self.ready[prep.id] = prep
            self.sources[prep.id] = doc

    def _prepare_one(self, doc: RawDocument) -> Prepared | None:
        """``prepare(doc)``, or None with the failure recorded."""
        from onrecord.ingest.prepare import prepare

        try:
            return prepare(doc)
        except InputError as exc:
            self.fail(doc, exc.reason, str(exc))
        except Exception as exc:  # a bug on one document must not lose the batch
            log.exception("preparing %s failed", doc.source)
            self.fail(doc, "internal", f"{doc.source}: {type(exc).__name__}: {exc}")
        return None

    # -- the pipeline ----------------------------------------------------------

    def run_pipeline(self) -> None:
        """One pipeline call per cleaning mode; when the pipeline raises past ``on_error``,
        the group again document by document."""
        for clean in (False, True):
            group = [p for p in self.ready.values() if p.doc.extracted != clean]
            if not group:
                continue
            try:
                self._run(group, clean)
            except Exception:  # the pipeline raised past on_error: find the document
                log.exception("a batch failed in the pipeline; retrying its documents one by one")
                self._run_one_by_one(group, clean)

    def _run_one_by_one(self, group: list[Prepared], clean: bool) -> None:
        for prep in group:
            if prep.id in self.finished:
                continue
            try:
                self._run([prep], clean)
            except Exception as exc:
                log.exception("%s failed in the pipeline", prep.doc.source)
                self.fail(prep.doc, "internal", f"{prep.doc.source}: {type(exc).__name__}: {exc}")

    def _run(self, group: list[Prepared], clean: bool) -> None:
        stream = (replace(p.doc, doc=p.id) for p in group)
        for result in self.pipeline.pipe(
            stream, clean=clean, batch_size=max(1, len(group)), on_error=self._on_error
        ):
            prep = self.ready[result.doc]
            d = prep.doc
            self.rows.add_article(
                result,
                id=prep.id,
                doc=d.doc,
                url=d.url,
                publisher=d.publisher or host_of(d.url),
                author=d.author,
                language=prep.language,
                source=d.source or d.doc,
                source_path=d.path,
                fetched=d.fetched,
            )
            self.finished.add(prep.id)

    def _on_error(self, name: str, exc: BaseException) -> None:
        """A document the pipeline failed on (it goes on with the others)."""
        doc = self.sources[name]
        reason = getattr(exc, "reason", None) or "internal"
        message = str(exc) if str(exc).startswith(str(doc.source)) else f"{doc.source}: {exc}"
        self.fail(doc, reason, message)
        self.finished.add(name)


def _record_of(doc: RawDocument) -> str | None:
    source, path = doc.source or "", doc.path or ""
    rest = source.removeprefix(path)
    return rest[1:] if rest[:1] in (":", "@") else None


# --------------------------------------------------------------------------- the run


#: documents to prepare, unreadable records, records of articles already stored
Batch = tuple[list[RawDocument], list[ErrorItem], list[tuple[str, str]]]


class Ledger(Protocol):
    """What ``make_batches`` asks of the store: which records are done, which articles stored."""

    def done(self, sources: list[str]) -> set[str]: ...

    def stored(self, ids: list[str]) -> set[str]: ...


def make_batches(
    items: Iterable[RawDocument | RecordError], store: Ledger, size: int, summary: Summary
) -> Iterator[Batch]:
    """Group input records in batches of ``size``, leaving out records ``store`` has done and
    marking those whose article it has as duplicates (before any extraction or parse)."""
    buffer: list[RawDocument | RecordError] = []

    from onrecord.ingest.prepare import early_id

    def flush() -> Batch:
        keys = [i.source or i.doc if isinstance(i, RawDocument) else i.source for i in buffer]
        done = store.done([k for k in keys if k])
        summary.already += len(done)
        ids = {
            key: early_id(item)
            for item, key in zip(buffer, keys, strict=True)
            if isinstance(item, RawDocument) and key not in done
        }
        stored = store.stored([i for i in ids.values() if i])
        docs: list[RawDocument] = []
        errors: list[ErrorItem] = []
        duplicates: list[tuple[str, str]] = []
        for item, key in zip(buffer, keys, strict=True):
            if key in done:
                continue
            if isinstance(item, RecordError):
                errors.append(_error_item(item))
            elif (found := ids.get(key)) in stored and found is not None:
                duplicates.append((key, found))  # neither extracted nor parsed again
            else:
                docs.append(item)
        return docs, errors, duplicates

    for item in items:
        summary.records += 1
        buffer.append(item)
        if len(buffer) >= size:
            batch = flush()
            buffer = []
            if any(batch):
                yield batch
    if buffer:
        batch = flush()
        if any(batch):
            yield batch


Progress = Callable[[Summary], None]


class Writable(Protocol):
    """What an ingest asks of a store: the ledger, batch writes, the index (a ``Store``, or a
    ``store.handoff.RemoteStore`` when ``onrecord serve`` has the database open)."""

    path: str

    def done(self, sources: list[str]) -> set[str]: ...
    def stored(self, ids: list[str]) -> set[str]: ...
    def write(self, rows: BatchRows) -> Written: ...
    def sync_fts(self, written: Written | None = None) -> int: ...
    def close(self) -> None: ...


def open_for_ingest(db: str) -> Writable:
    """The store to ingest into: the database itself, or, when ``onrecord serve`` has it
    open, the server (batches handed over loopback, ``store.handoff``)."""
    from onrecord.store.handoff import RemoteStore

    try:
        return Store(db)
    except StoreLocked:
        remote = RemoteStore.find(db)
        if remote is None:
            raise
        log.info("%s is open in onrecord serve (%s): batches go to it", db, remote.url)
        _yield_to_server()
        return remote


#: how much lower the CPU priority of an ingest that hands its batches to a running server is
#: (``os.nice``): the server's answers come first, the ingest takes the CPU they leave
INGEST_NICENESS = 10


def _yield_to_server() -> None:
    """Lower this process's CPU priority (its workers, started after, inherit it)."""
    try:
        os.nice(INGEST_NICENESS)
    except (AttributeError, OSError) as exc:  # not on this platform: the ingest runs as it is
        log.info("CPU priority not lowered (%s)", exc)


def ingest(
    paths: Iterable[str],
    *,
    options: IngestOptions | None = None,
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
) -> Summary:
    """Ingest every input record under ``paths`` into the store; return the summary."""
    from onrecord.read.sources import ReadStats, iter_documents

    options = options or IngestOptions()
    summary = Summary()
    stats = ReadStats()
    started = time.perf_counter()
    quiet_libraries(options.log_level)
    store = open_for_ingest(options.db)
    try:
        items = iter_documents(paths, stats=stats, stdin=stdin)
        if not options.clean:  # plain text kept as it is: like an extracted body
            items = (
                replace(d, extracted=True) if isinstance(d, RawDocument) and d.html is None else d
                for d in items
            )
        batches = make_batches(items, store, max(1, options.batch_size), summary)

        def written(rows: BatchRows) -> None:
            result = store.write(rows)
            summary.add(result)
            log.info(
                "batch written: %d articles, %d duplicates, %d errors",
                result.articles,
                result.duplicates,
                result.errors,
            )
            try:
                store.sync_fts(result)
            except Exception:  # the index is derived: a query re-syncs it
                log.warning("full-text index not updated; a query will catch up", exc_info=True)
            summary.seconds = time.perf_counter() - started
            if progress is not None:
                progress(summary)

        if options.workers <= 0:
            from onrecord.pipeline import Pipeline

            pipeline: Pipeline | None = None  # loaded when there is work: a re-run may have none
            for batch in batches:
                if pipeline is None:
                    pipeline = Pipeline(options=options.pipeline)
                written(process_batch(pipeline, *batch))
        else:
            _pool_run(batches, options, written)
    finally:
        summary.skipped = stats.all_skipped()
        summary.seconds = time.perf_counter() - started
        store.close()
    return summary


def _pool_run(
    batches: Iterator[Batch], options: IngestOptions, written: Callable[[BatchRows], None]
) -> None:
    limit = options.max_in_flight or 2 * options.workers
    # a worker's numpy starts no BLAS threads (it would start one per core, idle, that slow
    # the parse; the model's products run on one thread anyway, see onrecord.nlp.blas); the
    # variable is read when numpy loads, so it must be in the environment the workers inherit
    from onrecord.nlp.blas import BLAS_THREAD_VARIABLES

    for name in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    pool = ProcessPoolExecutor(
        max_workers=options.workers,
        # spawn, not fork: the parent holds a DuckDB connection and its threads
        mp_context=get_context("spawn"),
        initializer=_init_worker,
        initargs=(options.pipeline, options.log_level, os.getpid()),
    )
    pending: set[Future[BatchRows]] = set()
    try:
        for batch in batches:
            while len(pending) >= limit:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    written(future.result())
            pending.add(pool.submit(_worker_batch, batch))
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                written(future.result())
    except BrokenProcessPool as exc:
        pool.shutdown(wait=False, cancel_futures=True)
        raise OnrecordError(
            "a worker process died (out of memory, or a crash in a native library); the "
            "batches written so far are kept. Run the same command again to resume; if it "
            "dies at the same place, run it with --workers 0 -v to see the document"
        ) from exc
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)

"""Fuzz the readers and the extractor with generated and mutated inputs; count every outcome.

    .venv/bin/python -m bench.robustness.fuzz --count 100000 --seed 1 [--jobs 2] [--json FILE]
    .venv/bin/python -m bench.robustness.fuzz --seed 1 --index 4711   # one input, with traceback

Inputs (``bench.robustness.inputs``) take turns among four kinds: HTML pages, WARC archives,
JSON Lines files and plain text, each built from news sentences and pages and then broken
(encodings, control characters, lone surrogates as bytes, deep nesting, huge attributes,
lying ``Content-Length``, truncated gzip members, wrong JSON types, random byte edits).
Input ``i`` of a seed is always the same bytes.

Every input is written to a file with its kind's suffix and read the way ``onrecord ingest``
and ``onrecord extract`` read it: ``onrecord.read.sources.read_input`` (the reader by suffix,
pages not yet extracted), then ``onrecord.ingest.prepare.prepare`` on each document (body
extraction with trafilatura, language check, date check). Each document that comes out is a
record, and each ``InputError`` an error with its reason. The extractor (``Pipeline`` in
fast mode, the spaCy parse) is the slow part: it sees a sample, the documents of every
``--extract-every``-th input up to ``--extract-max-chars`` characters (prepared, or as read
when only the language or date check refused them, as ``onrecord extract`` would still run
them), half with the text cleaner and half without, and each record it makes is written as
JSON the way the CLI writes it.

Failures, counted apart from errors:

- ``crash``: an exception that is not an ``InputError`` (``OnrecordError`` for the
  extractor) escaped a reader, ``prepare`` or the extractor, or a record could not be
  written as UTF-8 JSON;
- ``crash`` too: a document with a lone surrogate in a field (nothing can write it as
  UTF-8);
- ``lost``: outcomes that do not add up to the input's records (a text or HTML file gives
  exactly one; a JSON Lines file one per non-blank line, or one ``empty`` error; a WARC
  file one per record, counting the records skipped as not pages; no file gives nothing);
- ``timeout``: one input took over ``--timeout`` seconds;
- ``printed``: the readers wrote to stderr themselves (only the CLI may print, one line per
  bad input).

The exit code is 1 if there was any failure. ``--save DIR`` keeps the bytes of each failing
input; ``--index`` reruns one input and prints what happened to it.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import multiprocessing
import os
import platform
import re
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.robustness.inputs import KINDS, Input, input_for
from onrecord.read.warc import one_line

_SURROGATE = re.compile("[\ud800-\udfff]")
#: documents sent to the extractor at once
EXTRACT_BATCH = 32


class Timeout(Exception):
    pass


@dataclass(slots=True)
class Tally:
    """What one kind of input gave (or the extractor, under ``extract``)."""

    inputs: int = 0
    bytes: int = 0
    documents: int = 0
    records: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def merge(self, other: Tally) -> None:
        self.inputs += other.inputs
        self.bytes += other.bytes
        self.documents += other.documents
        self.records += other.records
        self.errors.update(other.errors)
        self.skipped.update(other.skipped)
        self.failures.update(other.failures)
        self.seconds += other.seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "megabytes": round(self.bytes / 1e6, 1),
            "documents": self.documents,
            "records": self.records,
            "errors": dict(self.errors.most_common()),
            "skipped": dict(self.skipped.most_common()),
            "failures": dict(self.failures.most_common()),
            "seconds": round(self.seconds, 1),
        }


@dataclass(slots=True)
class Report:
    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in KINDS})
    extract: Tally = field(default_factory=Tally)
    failures: list[dict[str, Any]] = field(default_factory=list)
    slowest: list[tuple[float, int, str]] = field(default_factory=list)

    def merge(self, other: Report) -> None:
        for kind, tally in other.tallies.items():
            self.tallies[kind].merge(tally)
        self.extract.merge(other.extract)
        self.failures.extend(other.failures)
        self.slowest = sorted(self.slowest + other.slowest, reverse=True)[:10]


class Fuzzer:
    """Runs inputs through the readers, ``prepare`` and (a sample) the extractor."""

    def __init__(
        self,
        *,
        seed: int,
        extract_every: int,
        extract_max_chars: int,
        timeout: float,
        save: Path | None,
        workdir: Path,
        verbose: bool = False,
    ) -> None:
        self.seed = seed
        self.extract_every = extract_every
        self.extract_max_chars = extract_max_chars
        self.timeout = timeout
        self.save = save
        self.workdir = workdir
        self.verbose = verbose
        self.report = Report()
        self._batch: list[tuple[int, str, Any]] = []
        self._pipeline: Any = None

    # -- one input ---------------------------------------------------------------

    def run(self, index: int) -> None:
        inp = input_for(self.seed, index)
        tally = self.report.tallies[inp.kind]
        tally.inputs += 1
        tally.bytes += len(inp.data)
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        printed = io.StringIO()
        try:
            with contextlib.redirect_stderr(printed):
                docs = self._read(index, inp, tally)
        except Timeout:
            docs = []
            self._fail(tally, index, inp, "timeout", f"over {self.timeout:.0f} s")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if printed.getvalue():
            self._fail(tally, index, inp, "printed", one_line(printed.getvalue()))
        elapsed = time.perf_counter() - start
        tally.seconds += elapsed
        self.report.slowest = sorted(
            [*self.report.slowest, (elapsed, index, inp.kind)], reverse=True
        )[:10]
        if self.extract_every and index % self.extract_every == 0:
            # a name of its own, so that an error the pipeline reports names its input
            for k, d in enumerate(docs):
                if len(d.text) > self.extract_max_chars:
                    self.report.extract.skipped["over_max_chars"] += 1
                    continue
                self._batch.append(
                    (index, inp.kind, dataclasses.replace(d, doc=f"fuzz-{index}-{k}"))
                )
            if len(self._batch) >= EXTRACT_BATCH:
                self.flush()

    def _read(self, index: int, inp: Input, tally: Tally) -> list[Any]:
        from onrecord.errors import InputError
        from onrecord.ingest.prepare import prepare
        from onrecord.read.document import RawDocument, RecordError
        from onrecord.read.sources import ReadStats, read_input

        path = self.workdir / f"input{inp.suffix}"
        path.write_bytes(inp.data)
        stats = ReadStats()
        items: list[Any] = []
        try:
            for item in read_input(str(path), stats):
                items.append(item)
        except Timeout:
            raise
        except Exception as exc:
            self._fail(tally, index, inp, "crash", _describe(exc, "read"))
            return []
        for item in items:
            if not isinstance(item, RawDocument | RecordError):
                self._fail(tally, index, inp, "crash", f"read: yielded a {type(item).__name__}")
        errors = [i for i in items if isinstance(i, RecordError)]
        for error in errors:
            if not str(error).strip() or "\n" in str(error).strip():
                self._fail(tally, index, inp, "crash", f"read: not a one-line message: {error!r}")
            tally.errors[error.reason] += 1
        skipped = sum(stats.warc.skipped.values()) + sum(stats.skipped.values())
        tally.skipped.update(stats.all_skipped())
        lost = _lost(inp, items, stats.warc.records, skipped)
        if lost:
            self._fail(tally, index, inp, "lost", lost)

        sample: list[Any] = []
        for doc in items:
            if not isinstance(doc, RawDocument):
                continue
            tally.documents += 1
            for name in ("doc", "text", "title", "url", "published", "author", "publisher"):
                value = getattr(doc, name, None)
                if isinstance(value, str) and _SURROGATE.search(value):
                    # no record holding it can be written as UTF-8: a crash further on
                    self._fail(tally, index, inp, "crash", f"read: a lone surrogate in {name}")
            try:
                prepared = prepare(doc)
            except Timeout:
                raise
            except InputError as exc:
                tally.errors[exc.reason] += 1
                if doc.html is None and exc.reason in ("unsupported_language", "bad_date"):
                    sample.append(doc)  # onrecord extract runs these through the pipeline
                continue
            except Exception as exc:
                self._fail(tally, index, inp, "crash", _describe(exc, "prepare"))
                continue
            tally.records += 1
            sample.append(prepared.doc)
        return sample

    # -- the extractor -----------------------------------------------------------

    def flush(self) -> None:
        """Run the extractor over the documents sampled so far."""
        batch, self._batch = self._batch, []
        if not batch:
            return
        if self._pipeline is None:
            self._pipeline = _pipeline()
        tally = self.report.extract
        start = time.perf_counter()
        for clean in (True, False):
            part = [b for i, b in enumerate(batch) if (i % 2 == 0) == clean]
            if part:
                self._extract(part, clean=clean)
        tally.seconds += time.perf_counter() - start

    def _extract(self, batch: list[tuple[int, str, Any]], *, clean: bool) -> None:
        from onrecord.errors import OnrecordError

        tally = self.report.extract
        failed: list[tuple[str, BaseException]] = []
        records = 0
        tally.inputs += len(batch)
        by_name = {doc.doc: (index, kind) for index, kind, doc in batch}
        try:
            for record in self._pipeline.pipe(
                [d for _, _, d in batch], clean=clean, on_error=lambda n, e: failed.append((n, e))
            ):
                records += 1
                try:
                    json.dumps(record.to_dict(), ensure_ascii=False).encode("utf-8")
                except Exception as exc:
                    index, kind = by_name.get(record.doc, (-1, "?"))
                    self._fail(tally, index, None, "crash", _describe(exc, "write"), kind=kind)
        except Exception as exc:
            if len(batch) == 1:
                index, kind, _ = batch[0]
                self._fail(tally, index, None, "crash", _describe(exc, "extract"), kind=kind)
                return
            tally.inputs -= len(batch)
            for one in batch:  # find the document that broke the stream
                self._extract([one], clean=clean)
            return
        tally.records += records
        for name, problem in failed:
            if isinstance(problem, OnrecordError):
                tally.errors[problem.reason] += 1
            else:
                index, kind = by_name.get(name, (-1, "?"))
                self._fail(tally, index, None, "crash", _describe(problem, "extract"), kind=kind)
        if records + len(failed) != len(batch):
            self._fail(
                tally,
                batch[0][0],
                None,
                "lost",
                f"extract: {len(batch)} documents gave {records} records and {len(failed)} errors",
                kind=batch[0][1],
            )

    # -- failures ----------------------------------------------------------------

    def _fail(
        self,
        tally: Tally,
        index: int,
        inp: Input | None,
        what: str,
        detail: str,
        *,
        kind: str | None = None,
    ) -> None:
        tally.failures[what] += 1
        inp = inp or input_for(self.seed, index)
        entry = {
            "index": index,
            "kind": kind or inp.kind,
            "failure": what,
            "detail": detail,
            "how": inp.how,
            "bytes": len(inp.data),
        }
        self.report.failures.append(entry)
        if self.verbose:
            print(f"{what} at input {index} ({entry['kind']}): {detail}", file=sys.stderr)
        if self.save is not None:
            self.save.mkdir(parents=True, exist_ok=True)
            (self.save / f"{self.seed}-{index}{inp.suffix}").write_bytes(inp.data)


def _describe(exc: BaseException, stage: str) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    return f"{stage}: {type(exc).__name__}: {str(exc)[:200]}{where}"


def _lost(inp: Input, items: list[Any], records: int, skipped: int) -> str | None:
    """Why the outcomes do not account for the input's records, or None."""
    from onrecord.read.document import RecordError

    if inp.kind in ("text", "html"):
        return None if len(items) == 1 else f"{len(items)} outcomes for one file"
    if inp.kind == "jsonl":
        lines = sum(1 for line in inp.data.split(b"\n") if line.strip())
        if len(items) != max(lines, 1):  # a file without lines is one "empty" error
            return f"{len(items)} outcomes for {lines} non-blank lines"
    if inp.kind == "warc":
        per_record = [i for i in items if not (isinstance(i, RecordError) and i.line > records)]
        if len(per_record) + skipped != records:
            return f"{len(per_record)} outcomes and {skipped} skipped for {records} records"
    if not items and not skipped:
        return f"nothing at all from {len(inp.data):,} bytes"
    return None


_PIPELINE: Any = None


def _pipeline() -> Any:
    """One fast-mode pipeline per process (the model loads once)."""
    global _PIPELINE
    if _PIPELINE is None:
        from onrecord.pipeline import Pipeline

        _PIPELINE = Pipeline(mode="fast")
    return _PIPELINE


def _alarm(signum: int, frame: Any) -> None:
    raise Timeout


@dataclass(slots=True, frozen=True)
class Settings:
    seed: int
    extract_every: int
    extract_max_chars: int
    timeout: float
    save: str | None


def _worker(args: tuple[Settings, list[int]]) -> Report:
    settings, indices = args
    with tempfile.TemporaryDirectory(prefix="onrecord-fuzz-") as tmp:
        fuzzer = _fuzzer(settings, Path(tmp))
        for index in indices:
            fuzzer.run(index)
        fuzzer.flush()
    return fuzzer.report


def _fuzzer(settings: Settings, workdir: Path, verbose: bool = False) -> Fuzzer:
    import logging

    logging.disable(logging.CRITICAL)  # the pipeline logs each failure it is handed
    signal.signal(signal.SIGALRM, _alarm)
    return Fuzzer(
        seed=settings.seed,
        extract_every=settings.extract_every,
        extract_max_chars=settings.extract_max_chars,
        timeout=settings.timeout,
        save=Path(settings.save) if settings.save else None,
        workdir=workdir,
        verbose=verbose,
    )


def _chunks(start: int, count: int, size: int) -> Iterator[list[int]]:
    for lo in range(start, start + count, size):
        yield list(range(lo, min(lo + size, start + count)))


def _cpu() -> dict[str, Any]:
    model = ""
    flags: set[str] = set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and not model:
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags |= {f for f in line.split(":", 1)[1].split() if f in ("avx2", "avx512_vnni")}
    except OSError:
        pass
    return {"model": model or platform.processor(), "flags": sorted(flags), "cores": os.cpu_count()}


def print_report(report: Report, out: Any = sys.stdout) -> None:
    rows = [*report.tallies.items(), ("extract*", report.extract)]
    print(
        f"{'kind':<9} {'inputs':>7} {'docs':>7} {'records':>7} {'errors':>7} "
        f"{'skipped':>7} {'crashes':>7} {'lost':>5} {'timeout':>7} {'printed':>7} {'s':>7}",
        file=out,
    )
    for kind, t in rows:
        print(
            f"{kind:<9} {t.inputs:>7} {t.documents:>7} {t.records:>7} "
            f"{sum(t.errors.values()):>7} {sum(t.skipped.values()):>7} "
            f"{t.failures['crash']:>7} {t.failures['lost']:>5} {t.failures['timeout']:>7} "
            f"{t.failures['printed']:>7} {t.seconds:>7.0f}",
            file=out,
        )
    print(
        "* extract: the documents of a sample of the inputs, through Pipeline(mode='fast')",
        file=out,
    )
    for kind, t in rows:
        if t.errors:
            reasons = ", ".join(f"{r} {n}" for r, n in t.errors.most_common())
            print(f"errors {kind}: {reasons}", file=out)
    for kind, t in rows:
        if t.skipped:
            reasons = ", ".join(f"{r} {n}" for r, n in t.skipped.most_common())
            print(f"skipped {kind}: {reasons}", file=out)
    slow = ", ".join(f"#{i} {k} {s:.1f}s" for s, i, k in report.slowest[:5])
    print(f"slowest inputs: {slow}", file=out)
    for f in report.failures[:50]:
        print(
            f"FAILURE {f['failure']} input {f['index']} ({f['kind']}, {f['bytes']:,} bytes, "
            f"{'+'.join(f['how']) or 'plain'}): {f['detail']}",
            file=out,
        )
    if len(report.failures) > 50:
        print(f"... and {len(report.failures) - 50} more failures", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="number of inputs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="index of the first input")
    parser.add_argument("--index", type=int, help="run this one input, verbosely")
    parser.add_argument(
        "--extract-every",
        type=int,
        default=25,
        help="feed the extractor the documents of every Nth input (0: none)",
    )
    parser.add_argument(
        "--extract-max-chars",
        type=int,
        default=20_000,
        help="longer documents are not fed to the extractor (counted as skipped)",
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per input")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--save", help="folder to keep the bytes of failing inputs in")
    parser.add_argument("--json", type=Path, help="write the report as JSON here")
    args = parser.parse_args(argv)
    settings = Settings(
        args.seed, args.extract_every, args.extract_max_chars, args.timeout, args.save
    )

    if args.index is not None:
        with tempfile.TemporaryDirectory(prefix="onrecord-fuzz-") as tmp:
            one = dataclasses.replace(settings, extract_every=1)
            fuzzer = _fuzzer(one, Path(tmp), verbose=True)
            inp = input_for(args.seed, args.index)
            print(
                f"input {args.index}: {inp.kind}{inp.suffix}, {len(inp.data):,} bytes, "
                f"{'+'.join(inp.how) or 'plain'}: {inp.data[:200]!r}"
            )
            fuzzer.run(args.index)
            fuzzer.flush()
        print_report(fuzzer.report)
        return 1 if fuzzer.report.failures else 0

    start = time.perf_counter()
    report = Report()
    chunks = list(_chunks(args.start, args.count, 250))
    jobs = [(settings, c) for c in chunks]
    done = 0
    with multiprocessing.get_context("fork").Pool(args.jobs, maxtasksperchild=20) as pool:
        for part in pool.imap_unordered(_worker, jobs):
            report.merge(part)
            done += sum(t.inputs for t in part.tallies.values())
            failures = len(report.failures)
            print(
                f"{done:,}/{args.count:,} inputs, {time.perf_counter() - start:,.0f} s, "
                f"{failures} failures",
                file=sys.stderr,
                flush=True,
            )
    wall = time.perf_counter() - start
    print_report(report)
    print(f"{args.count:,} inputs in {wall:,.0f} s with {args.jobs} worker(s)")
    if args.json:
        data = {
            "seed": args.seed,
            "start": args.start,
            "count": args.count,
            "extract_every": args.extract_every,
            "extract_max_chars": args.extract_max_chars,
            "jobs": args.jobs,
            "seconds": round(wall, 1),
            "cpu": _cpu(),
            "python": platform.python_version(),
            "kinds": {k: t.to_dict() for k, t in report.tallies.items()},
            "extract": report.extract.to_dict(),
            "failures": sorted(report.failures, key=lambda f: f["index"]),
            "slowest": [
                {"index": i, "kind": k, "seconds": round(s, 2)} for s, i, k in report.slowest
            ],
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""``onrecord extract`` (records of articles, printed) and ``onrecord eval`` (scored against
PolNeAR gold)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from onrecord.cli.format import format_text
from onrecord.errors import InputError
from onrecord.options import PipelineOptions

if TYPE_CHECKING:
    from onrecord.read.document import RawDocument
    from onrecord.record import Record


class _Failures:
    """Counts documents that failed, and says so on stderr, one line each."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, name: str, exc: BaseException) -> None:
        self.count += 1
        reason = getattr(exc, "reason", type(exc).__name__)
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if not message.startswith(name):
            message = f"{name}: {message}"
        print(f"onrecord: {message} [{reason}]", file=sys.stderr)


def _documents(paths: list[str], failures: _Failures) -> Iterator[RawDocument]:
    """Every document under ``paths``, read as ``onrecord ingest`` reads them: text, JSON Lines,
    HTML pages (their article, extracted), WARC files, Parquet, folders of them, ``-``."""
    from onrecord.ingest.prepare import prepare
    from onrecord.read.document import RecordError
    from onrecord.read.sources import iter_documents

    for item in iter_documents(paths):
        if isinstance(item, RecordError):
            failures(item.source, item)
            continue
        if item.html is not None:
            try:
                item = prepare(item).doc  # the page's article, title, URL and date
            except InputError as exc:
                failures(item.source or item.doc, exc)
                continue
        elif item.encoding.replace("-", "").lower() not in ("utf8", "ascii", "utf8sig", ""):
            print(f"onrecord: {item.path}: not UTF-8, decoded as {item.encoding}", file=sys.stderr)
        yield item


def _write(record: Record, fmt: str, out: TextIO, first: bool, many: bool = False) -> None:
    if fmt == "jsonl":
        out.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
    elif fmt == "json":
        body = json.dumps(record.to_dict(), ensure_ascii=False, indent=2)
        if many:
            # several records: one JSON array, streamed element by element
            body = ("[\n" if first else ",\n") + body
        out.write(body + ("" if many else "\n"))
    else:
        if not first:
            out.write("\n")
        out.write(format_text(record) + "\n")
    out.flush()


def cmd_extract(args: argparse.Namespace) -> int:
    from onrecord.pipeline import Pipeline
    from onrecord.read.sources import check_paths, kind_of

    check_paths(args.files)
    failures = _Failures()
    pipeline = Pipeline(options=PipelineOptions.from_env(model=args.model, mode=args.mode))
    docs = _documents(args.files, failures)
    many = len(args.files) > 1 or any(
        Path(f).is_dir() or kind_of(Path(f)) in ("jsonl", "warc", "parquet") for f in args.files
    )
    n = 0
    for record in pipeline.pipe(
        docs,
        published=args.published,
        clean=not args.no_clean,
        batch_size=args.batch_size,
        on_error=failures,
    ):
        _write(record, args.format, sys.stdout, n == 0, many)
        n += 1
    if args.format == "json" and many:
        sys.stdout.write("]\n" if n else "[]\n")
    if failures.count:
        print(f"onrecord: {failures.count} of {n + failures.count} inputs failed", file=sys.stderr)
        return 1
    return 0


def _load_predictions(path: Path) -> dict[str, Record]:
    """Records written by ``onrecord extract --no-clean --format jsonl``, by ``doc``."""
    from onrecord.record import Record

    out: dict[str, Record] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read predictions ({exc.strerror})") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = Record.from_dict(json.loads(line))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{n}: not an onrecord record ({exc})") from exc
        out[record.doc] = record
    return out


def cmd_eval(args: argparse.Namespace) -> int:
    if args.web is not None:
        return _eval_web(args)
    if args.corpus is not None:
        return _eval_corpus(args)
    from onrecord.eval.scorer import evaluate_dir, load_gold, score, write_errors

    if args.predictions is not None:
        report = score(load_gold(args.gold), _load_predictions(args.predictions))
        if args.errors is not None:
            write_errors(report, args.errors)
    else:
        from onrecord.pipeline import Pipeline

        pipeline = Pipeline(options=PipelineOptions.from_env(model=args.model, mode=args.mode))
        report = evaluate_dir(args.gold, pipeline=pipeline, errors=args.errors)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.format_table())
    return 0


def _eval_web(args: argparse.Namespace) -> int:
    from onrecord.eval.web import load_web_set, page_records, score_web
    from onrecord.pipeline import Pipeline

    if not 0.0 <= args.min_confidence <= 1.0:
        raise InputError(f"--min-confidence must be between 0 and 1, not {args.min_confidence}")
    if not args.warc.is_file():
        raise InputError(f"{args.warc}: no such WARC file; give the shared pages with --warc")
    web = load_web_set(args.web)
    pipeline = Pipeline(options=PipelineOptions.from_env(model=args.model, mode=args.mode))
    records = page_records(args.warc, [*web.whole, *web.judged], pipeline)
    if args.min_confidence > 0:  # what the corpus views show at that floor
        for record in records.values():
            record.attributions = [
                a for a in record.attributions if a.confidence >= args.min_confidence
            ]
    report = score_web(web, records)
    if args.json:
        floor = {"min_confidence": args.min_confidence}
        print(json.dumps({"mode": pipeline.mode, **floor, **report.to_dict()}, indent=2))
    else:
        print(report.format_table())
    return 0


def _eval_corpus(args: argparse.Namespace) -> int:
    from onrecord.eval.corpus import score_corpus
    from onrecord.store.database import Store

    if args.db is None:
        raise InputError(
            "--corpus scores a store: give it with --db (PolNeAR's texts ingested, see "
            "docs/quality.md)"
        )
    with Store(args.db, read_only=True) as store:
        report = score_corpus(args.corpus, store)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.format_table())
    return 0


def register(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    """Add ``extract`` and ``eval`` to the ``onrecord`` subparsers."""
    ex = sub.add_parser(
        "extract",
        help="print the record of each article",
        description="Print the record (who said what, according to whom) of each input: "
        "text files, JSON Lines (one article per line), HTML pages (their article), WARC "
        "files, Parquet files, folders of them, or - for stdin: what ingest reads.",
        parents=[parents["pipeline"], parents["published"]],
    )
    ex.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a text, .jsonl, .html, .warc(.gz) or .parquet file, a folder of them, or - (stdin)",
    )
    ex.add_argument(
        "--format",
        choices=("json", "jsonl", "text"),
        default="json",
        help="json (default), jsonl (one record per line), text (readable table)",
    )
    ex.add_argument(
        "--no-clean",
        action="store_true",
        help="keep the text exactly (offsets index the input file); no boilerplate removal",
    )
    ex.add_argument("--batch-size", type=int, default=64, help="documents per nlp.pipe batch")
    ex.set_defaults(func=cmd_extract)

    ev = sub.add_parser(
        "eval",
        help="score attribution extraction on a PolNeAR split or the real-web set",
        description="Run the pipeline (clean=False) over a PolNeAR split and score it "
        "(content exact/partial, source, cue, full; P/R/F1), or over the real-web set's "
        "pages (--web: precision of 'is an attribution' and of every part, recall on whole "
        "pages, addressee and setting), or a store's speakers and statements (--corpus).",
        parents=[parents["pipeline"]],
    )
    which = ev.add_mutually_exclusive_group(required=True)
    which.add_argument("--gold", type=Path, help="a PolNeAR split (text/, attributions/)")
    which.add_argument(
        "--web",
        type=Path,
        metavar="DIR",
        help="the real-web set (eval/web: pages.jsonl, gold*.jsonl, judgements*.jsonl), "
        "scored on its pages of --warc",
    )
    which.add_argument(
        "--corpus",
        type=Path,
        metavar="DIR",
        help="the corpus sets (eval/corpus: speakers.jsonl, statements.jsonl): score the "
        "speakers and statements of the store --db",
    )
    ev.add_argument("--db", type=Path, help="with --corpus: the store to score")
    ev.add_argument(
        "--min-confidence",
        type=float,
        default=0.0,
        metavar="P",
        help="with --web: score only the attributions at or above this confidence (what the "
        "corpus views show; default 0, the whole record)",
    )
    ev.add_argument(
        "--warc",
        type=Path,
        default=Path("../shared/data/news-pages/news-pages.warc.gz"),
        help="the WARC the web set's pages come from (default: "
        "../shared/data/news-pages/news-pages.warc.gz)",
    )
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--errors", type=Path, help="write misses and false alarms here (JSON Lines)")
    ev.add_argument(
        "--predictions",
        type=Path,
        help="score these records (onrecord extract --no-clean --format jsonl output) "
        "instead of running the pipeline",
    )
    ev.set_defaults(func=cmd_eval)

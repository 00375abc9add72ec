"""The ``onrecord`` command line. Only this module prints."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from onrecord.errors import InputError, OnrecordError

if TYPE_CHECKING:
    from onrecord.read.document import RawDocument
    from onrecord.record import Record

log = logging.getLogger("onrecord")


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


def _inputs(paths: list[str], failures: _Failures) -> Iterator[RawDocument]:
    from onrecord.read.document import RecordError, read_jsonl, read_stdin, read_text_file

    for raw in paths:
        if raw == "-":
            try:
                yield read_stdin()
            except InputError as exc:
                failures("<stdin>", exc)
            continue
        path = Path(raw)
        if path.is_dir():
            # a folder: its .txt and .jsonl files, recursively, in name order
            found = sorted(p for p in path.rglob("*") if p.suffix in (".txt", ".jsonl"))
            if not found:
                failures(raw, InputError(f"{raw}: no .txt or .jsonl file in it", reason="empty"))
            yield from _inputs([str(p) for p in found], failures)
            continue
        if path.suffix == ".jsonl":
            if not path.is_file():
                failures(raw, InputError(f"no such file: {raw}", reason="missing"))
                continue
            for item in read_jsonl(path):
                if isinstance(item, RecordError):
                    failures(f"{raw}:{item.line}", item)
                else:
                    yield item
            continue
        try:
            doc = read_text_file(path)
        except InputError as exc:
            failures(raw, exc)
            continue
        if doc.encoding.replace("-", "").lower() not in ("utf8", "ascii", "utf8sig"):
            print(f"onrecord: {raw}: not UTF-8, decoded as {doc.encoding}", file=sys.stderr)
        yield doc


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_text(record: Record) -> str:
    """A readable view of a record: speaker — cue — content, with kind and date."""
    lines = []
    head = record.title or record.doc
    meta = [f"doc {record.doc}"]
    if record.published:
        meta.append(f"published {record.published}")
    lines.append(f"== {head}")
    lines.append("   " + " · ".join(meta))
    if record.credits:
        lines.append("   credits: " + ", ".join(record.credits))
    if record.removed:
        reasons: dict[str, int] = {}
        for r in record.removed:
            reasons[r.reason] = reasons.get(r.reason, 0) + 1
        lines.append(
            f"   removed {len(record.removed)} lines: "
            + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
        )
    titles = {e.id: e.titles for e in record.entities}
    by_id = {a.id: a for a in record.attributions}
    lines.append(f"   {len(record.attributions)} attributions")
    for a in record.attributions:
        src = a.source
        if src is None:
            speaker = "(no source)"
        else:
            speaker = src.name or src.text
            if src.entity and titles.get(src.entity):
                speaker += f" ({titles[src.entity][0]})"
            if src.anonymous:
                speaker += " [anonymous]"
        cue = a.cue.text if a.cue else "-"
        when = f" [{a.time.value or a.time.text}]" if a.time else ""
        via = ""
        if a.via and a.via in by_id and by_id[a.via].source is not None:
            inner = by_id[a.via].source
            assert inner is not None
            via = f" ← via {inner.name or inner.text}"
        lines.append(f"   {a.id:>4} {a.kind:<12} {speaker} — {cue}{when}{via}")
        lines.append(f"        {_short(a.content.text)}")
    return "\n".join(lines)


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

    failures = _Failures()
    pipeline = Pipeline(args.model, mode=args.mode)
    docs = _inputs(args.files, failures)
    many = len(args.files) > 1 or any(f.endswith(".jsonl") or Path(f).is_dir() for f in args.files)
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
    from onrecord.eval.scorer import evaluate_dir, load_gold, score, write_errors

    if args.predictions is not None:
        report = score(load_gold(args.gold), _load_predictions(args.predictions))
        if args.errors is not None:
            write_errors(report, args.errors)
    else:
        from onrecord.pipeline import Pipeline

        pipeline = Pipeline(args.model, mode=args.mode)
        report = evaluate_dir(args.gold, pipeline=pipeline, errors=args.errors)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.format_table())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onrecord",
        description="Who said what, to whom, when, and according to whom: "
        "attribution records from news articles.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--model", help="spaCy pipeline to load (default: en_core_web_sm, else its mirror)"
        )
        p.add_argument(
            "--mode",
            choices=("fast", "accurate"),
            default="fast",
            help="fast: parse + learned linear models; accurate: adds the transformer tagger",
        )

    ex = sub.add_parser(
        "extract",
        help="print the record of each article",
        description="Print the record (who said what, according to whom) of each input: "
        "text files, JSON Lines files (one article per line) or - for stdin.",
    )
    ex.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="text or .jsonl file, a folder of them, or - (stdin)",
    )
    ex.add_argument(
        "--format",
        choices=("json", "jsonl", "text"),
        default="json",
        help="json (default), jsonl (one record per line), text (readable table)",
    )
    ex.add_argument("--published", help="publication date (YYYY-MM-DD) to anchor dates against")
    ex.add_argument(
        "--no-clean",
        action="store_true",
        help="keep the text exactly (offsets index the input file); no boilerplate removal",
    )
    ex.add_argument("--batch-size", type=int, default=64, help="documents per nlp.pipe batch")
    common(ex)
    ex.set_defaults(func=cmd_extract)

    ev = sub.add_parser(
        "eval",
        help="score attribution extraction on a PolNeAR split",
        description="Run the pipeline (clean=False) over a PolNeAR split and score it "
        "(content exact/partial, source, cue, full; P/R/F1).",
    )
    ev.add_argument(
        "--gold", type=Path, required=True, help="a PolNeAR split (text/, attributions/)"
    )
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--errors", type=Path, help="write misses and false alarms here (JSON Lines)")
    ev.add_argument(
        "--predictions",
        type=Path,
        help="score these records (onrecord extract --no-clean --format jsonl output) "
        "instead of running the pipeline",
    )
    common(ev)
    ev.set_defaults(func=cmd_eval)
    from onrecord.cli import serve, spark, store

    store.register(sub)  # ingest, quotes, speakers, ...
    spark.register(sub)  # spark, load
    serve.register(sub)  # serve
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="onrecord: %(message)s",
        stream=sys.stderr,
    )
    try:
        result: Any = args.func(args)
        return int(result)
    except OnrecordError as exc:
        print(f"onrecord: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("onrecord: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())

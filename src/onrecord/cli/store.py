"""Command line for the store: ``ingest``, ``quotes``, ``speakers``, ``article``, ``errors``,
``export``.

``register(subparsers)`` adds the commands to ``onrecord``'s parser (one line
in ``cli.build_parser``). Like ``cli``, this module prints; the work is done
by ``ingest.runner``, ``store`` and ``query``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onrecord.cli.format import by_name, emit, plain
from onrecord.errors import InputError
from onrecord.options import PipelineOptions
from onrecord.record import KINDS
from onrecord.store.query import DEFAULT_MIN_CONFIDENCE

if TYPE_CHECKING:
    from onrecord.ingest.runner import Summary


def register(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    """Add the store commands to the ``onrecord`` subparsers."""
    _register_ingest(sub, parents)
    _register_queries(sub, parents)
    _register_records(sub, parents)


def _register_ingest(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    ing = sub.add_parser(
        "ingest",
        parents=[parents["db"], parents["pipeline"]],
        help="read news in bulk (HTML, WARC, JSON Lines, text) into the database",
        description="Read HTML pages (.html, .htm, .html.gz), WARC files (.warc, .warc.gz), "
        "JSON Lines (text or html per line) and text files, or folders of them, run the "
        "pipeline on every core and store the records. Re-running is safe: finished input "
        "records are skipped, and a killed run is completed by running it again. Inputs that "
        "fail are stored in the errors table with their reason; the exit code is 1 when any "
        "input record failed in this run.",
    )
    ing.add_argument("paths", nargs="+", metavar="PATH", help="a file, a folder, or - (stdin)")
    ing.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes, each with its own model (default: one per core; 0 runs "
        "everything in this process, for debugging)",
    )
    ing.add_argument(
        "--batch-size",
        type=int,
        default=16,
        help="documents per batch: one nlp.pipe call and one transaction (default 16)",
    )
    ing.add_argument(
        "--no-clean",
        action="store_true",
        help="keep plain text exactly (offsets index the input); no boilerplate removal",
    )
    ing.add_argument("--no-progress", action="store_true", help="no progress bar")
    ing.add_argument("--json", action="store_true", help="print the summary as JSON")
    ing.set_defaults(func=cmd_ingest)


def _register_queries(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    def filters(p: argparse.ArgumentParser, *, limit: int) -> None:
        p.add_argument("--speaker", metavar="NAME", help="resolved name or surname of the source")
        p.add_argument(
            "--to",
            metavar="NAME",
            help="to whom: the addressee's resolved name or surname, or an audience ('reporters')",
        )
        p.add_argument(
            "--about",
            metavar="TEXT",
            help="full-text search in the content: every word, any order, stemmed",
        )
        p.add_argument("--since", type=_date, metavar="DATE", help="published on or after")
        p.add_argument("--until", type=_date, metavar="DATE", help="published on or before")
        p.add_argument("--anonymous", action="store_true", help="only anonymous sources")
        p.add_argument("--kind", choices=KINDS, help="only this kind of attribution")
        p.add_argument("--limit", type=int, default=limit, help=f"at most N rows (default {limit})")
        p.add_argument(
            "--min-confidence",
            type=float,
            default=DEFAULT_MIN_CONFIDENCE,
            metavar="P",
            help="leave out attributions below this confidence (default "
            f"{DEFAULT_MIN_CONFIDENCE}; 0 shows all; the record keeps every one)",
        )
        p.add_argument(
            "--format",
            choices=("table", "json", "csv"),
            default="table",
            help="table (readable, default), json, csv",
        )

    qu = sub.add_parser(
        "quotes",
        parents=[parents["db"]],
        help="who said what: attributions in the database",
        description="Attributions from the database, newest article first (best match first "
        "with --about). --speaker matches the resolved name or the surname ('Okafor').",
    )
    filters(qu, limit=20)
    qu.set_defaults(func=cmd_quotes)

    sp = sub.add_parser(
        "speakers",
        parents=[parents["db"]],
        help="the most-quoted sources, with titles and share of anonymous sourcing",
        description="Sources ranked by number of attributions: articles, direct or mixed "
        "quotes, titles seen with the name, share flagged anonymous.",
    )
    filters(sp, limit=20)
    sp.set_defaults(func=cmd_speakers)

    st = sub.add_parser(
        "statements",
        parents=[parents["db"]],
        help="statements across articles: the same quote or claim however many outlets report it",
        description="Statements (one speaker's words, reported by one or more articles: the "
        "same quote, an excerpt, small wording changes), most widely reported first, with "
        "their first appearance. --speaker matches the canonical speaker's name, an alias or "
        "the surname.",
    )
    st.add_argument("--speaker", metavar="NAME", help="canonical name, alias or surname")
    st.add_argument(
        "--about", metavar="TEXT", help="full-text search in the wordings: every word, stemmed"
    )
    st.add_argument("--since", type=_date, metavar="DATE", help="first published on or after")
    st.add_argument("--until", type=_date, metavar="DATE", help="first published on or before")
    st.add_argument(
        "--min-outlets", type=int, default=1, metavar="N", help="reported by at least N outlets"
    )
    st.add_argument("--limit", type=int, default=20, help="at most N rows (default 20)")
    st.add_argument(
        "--format", choices=("table", "json", "csv"), default="table", help="table, json, csv"
    )
    st.set_defaults(func=cmd_statements)

    one = sub.add_parser(
        "statement",
        parents=[parents["db"]],
        help="one statement: every occurrence by date and outlet, and how its wording changed",
        description="One statement by id (from `onrecord statements`): its occurrences, "
        "earliest first, and each wording's word-level differences from the earliest.",
    )
    one.add_argument("id", metavar="ID", help="statement id")
    one.add_argument("--json", action="store_true", help="print it as JSON")
    one.set_defaults(func=cmd_statement)


def _register_records(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    ar = sub.add_parser(
        "article",
        parents=[parents["db"]],
        help="one stored article's record",
        description="Print one article's record by id (or a unique prefix of it), URL, or "
        "input name.",
    )
    ar.add_argument("id", metavar="ID", help="article id, id prefix, URL or input name")
    ar.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (readable) or json"
    )
    ar.set_defaults(func=cmd_article)

    er = sub.add_parser(
        "errors",
        parents=[parents["db"]],
        help="input records that did not become articles, with their reasons",
        description="The errors table: one row per input record that failed, newest first, "
        "with a count per reason at the end (table format).",
    )
    er.add_argument("--reason", help="only this reason (e.g. no_article, unsupported_language)")
    er.add_argument("--limit", type=int, default=20, help="at most N rows (default 20)")
    er.add_argument(
        "--format", choices=("table", "json", "csv"), default="table", help="table, json, csv"
    )
    er.set_defaults(func=cmd_errors)

    ex = sub.add_parser(
        "export",
        parents=[parents["db"]],
        help="write every table of the database as Parquet",
        description="Write every table (articles, entities, attributions, times, errors, "
        "sources, meta) as DIR/<table>.parquet with the same columns.",
    )
    ex.add_argument("--parquet", required=True, metavar="DIR", type=Path, help="output folder")
    ex.set_defaults(func=cmd_export)

    ck = sub.add_parser(
        "check",
        parents=[parents["db"]],
        help="check that the database is consistent; --repair rebuilds what is derived",
        description="Check the store: rows without their article, articles without a ledger "
        "entry, the full-text indexes against the tables, the corpus layer against the "
        "attributions. With --repair, rebuild the full-text indexes and the corpus layer when "
        "they are out of step (the tables themselves are never changed). Exit code 1 when a "
        "finding remains.",
    )
    ck.add_argument("--repair", action="store_true", help="rebuild what is derived and wrong")
    ck.add_argument("--json", action="store_true", help="print the report as JSON")
    ck.set_defaults(func=cmd_check)

    mi = sub.add_parser(
        "migrate",
        parents=[parents["db"]],
        help="upgrade a database made by an earlier onrecord to this one's tables",
        description="Bring the database's tables up to this onrecord's schema version, in one "
        "transaction (every writing command does it on its own; onrecord serve, which only "
        "reads, asks for it). With --rebuild-corpus, also compute every speaker and "
        "statement again from the stored attributions (to take in a newer onrecord's rules).",
    )
    mi.add_argument(
        "--rebuild-corpus",
        action="store_true",
        help="compute speakers and statements again from every stored attribution",
    )
    mi.set_defaults(func=cmd_migrate)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


# --------------------------------------------------------------------------- ingest


class _Bar:
    """The progress bar (tqdm on stderr, off when stderr is not a terminal)."""

    def __init__(self, enabled: bool) -> None:
        from tqdm import tqdm

        self.done = 0
        self.bar = tqdm(
            unit=" docs",
            desc="ingest",
            disable=None if enabled else True,
            file=sys.stderr,
            dynamic_ncols=True,
            smoothing=0.1,
        )

    def __call__(self, summary: Summary) -> None:
        done = summary.articles + summary.duplicates + summary.errors + summary.already
        self.bar.set_postfix(articles=summary.articles, errors=summary.errors, refresh=False)
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        self.bar.close()


def cmd_ingest(args: argparse.Namespace) -> int:
    from onrecord.ingest.runner import IngestOptions, default_workers, ingest
    from onrecord.read.sources import check_paths

    check_paths(args.paths)

    if args.workers is not None and args.workers < 0:
        raise InputError("--workers must be 0 (everything in this process) or more")
    if args.batch_size < 1:
        raise InputError("--batch-size must be at least 1")
    options = IngestOptions(
        db=args.db,
        workers=default_workers() if args.workers is None else args.workers,
        batch_size=args.batch_size,
        pipeline=PipelineOptions.from_env(model=args.model, mode=args.mode),
        log_level=logging.getLogger().getEffectiveLevel(),
        clean=not args.no_clean,
    )
    bar = _Bar(not args.no_progress)
    try:
        summary = ingest(args.paths, options=options, progress=bar)
    finally:
        bar.close()
    if args.json:
        print(json.dumps({"db": args.db, **summary.to_dict()}, indent=2))
    else:
        print(format_summary(summary, args.db))
    return 1 if summary.errors else 0


def format_summary(s: Summary, db: str) -> str:
    done = s.articles + s.duplicates + s.errors
    rate = done / s.seconds if s.seconds > 0 else 0.0
    pace = f"{rate:.1f} docs/s" if done else "nothing new"
    lines = [
        f"onrecord ingest: {s.records:,} input records in {s.seconds:.1f} s ({pace}) into {db}",
        f"  {s.articles:,} new articles, {s.duplicates:,} duplicates, {s.errors:,} failed, "
        f"{s.already:,} already done by an earlier run",
    ]
    if s.reasons:
        lines.append("  failed: " + by_name(s.reasons) + "  (details: onrecord errors)")
    skipped = {k: v for k, v in s.skipped.items() if v}
    if skipped:
        lines.append("  skipped, not articles: " + by_name(skipped))
    return "\n".join(lines)


# --------------------------------------------------------------------------- queries


def _filter(args: argparse.Namespace) -> Any:
    from onrecord.store.query import QueryFilter

    return QueryFilter(
        speaker=args.speaker,
        to=args.to,
        about=args.about,
        since=args.since,
        until=args.until,
        anonymous=args.anonymous,
        kind=args.kind,
        limit=args.limit,
        min_confidence=args.min_confidence,
    )


QUOTE_COLUMNS = [
    ("published", "DATE", 10),
    ("speaker", "SPEAKER", 26),
    ("kind", "KIND", 12),
    ("cue", "CUE", 14),
    ("content", "CONTENT", 0),
    ("article_id", "ARTICLE", 16),
]
SPEAKER_COLUMNS = [
    ("speaker", "SPEAKER", 32),
    ("attributions", "ATTRIB.", 7),
    ("articles", "ARTICLES", 8),
    ("quoted", "QUOTED", 6),
    ("anonymous_share", "ANON.", 5),
    ("titles", "TITLES", 40),
    ("aliases", "ALSO WRITTEN", 0),
]


def _open(db: str) -> Any:
    from onrecord.store.database import Store

    return Store(db, read_only=True)


def cmd_quotes(args: argparse.Namespace) -> int:
    from onrecord.store.query import quotes

    f = _filter(args)
    with _open(args.db) as store:
        rows = quotes(store, f)
    emit(rows, args.format, sys.stdout, QUOTE_COLUMNS)
    return 0


def cmd_speakers(args: argparse.Namespace) -> int:
    from onrecord.store.query import speakers

    f = _filter(args)
    with _open(args.db) as store:
        rows, totals = speakers(store, f)
    if args.format == "table":
        shown = [
            {
                **r,
                "anonymous_share": f"{r['anonymous_share']:.0%}",
                "aliases": [a for a in r["aliases"] if a != r["speaker"]],
            }
            for r in rows
        ]
        emit(shown, "table", sys.stdout, SPEAKER_COLUMNS)
        print(
            f"{totals['attributions']:,} attributions from {totals['speakers']:,} speakers "
            f"(unresolved pronouns left out); {totals['anonymous_share']:.1%} from anonymous "
            "sources"
        )
    elif args.format == "json":
        print(json.dumps({"speakers": rows, "totals": totals}, indent=2, ensure_ascii=False))
    else:
        emit(rows, "csv", sys.stdout, SPEAKER_COLUMNS)
    return 0


STATEMENT_COLUMNS = [
    ("first_published", "FIRST", 10),
    ("speaker", "SPEAKER", 24),
    ("outlets", "OUTLETS", 7),
    ("articles", "ARTICLES", 8),
    ("text", "STATEMENT", 0),
    ("id", "ID", 16),
]


def cmd_statements(args: argparse.Namespace) -> int:
    from onrecord.store.corpus_query import StatementFilter, statements

    f = StatementFilter(
        speaker=args.speaker,
        about=args.about,
        since=args.since,
        until=args.until,
        min_outlets=args.min_outlets,
        limit=args.limit,
    )
    with _open(args.db) as store:
        rows, total = statements(store, f)
    if args.format == "table":
        shown = [{**r, "outlets": len(r["outlets"])} for r in rows]
        emit(shown, "table", sys.stdout, STATEMENT_COLUMNS)
        print(f"{len(rows)} of {total:,} statements")
    else:
        emit(rows, args.format, sys.stdout, STATEMENT_COLUMNS)
    return 0


def _marked(differences: list[dict[str, str]]) -> str:
    """Word-level differences as text: [-removed-] and {+added+}."""
    marks = {"same": "{}", "removed": "[-{}-]", "added": "{{+{}+}}"}
    return " ".join(marks[d["op"]].format(d["text"]) for d in differences)


def cmd_statement(args: argparse.Namespace) -> int:
    from onrecord.store.corpus_query import statement

    with _open(args.db) as store:
        found = statement(store, args.id)
    if found is None:
        raise InputError(f"no statement {args.id!r} in {args.db} (see onrecord statements)")
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False, default=plain))
        return 0
    outlets = ", ".join(found["outlets"]) or "no outlet named"
    print(f"{found['speaker']}: {found['text']}")
    print(
        f"{found['attributions']} occurrences in {found['articles']} articles ({outlets}); "
        f"first {found['first_published'] or 'undated'}"
    )
    print("\noccurrences, earliest first:")
    for occ in found["occurrences"]:
        print(
            f"  {occ['published'] or 'undated'!s:10}  {occ['publisher'] or '-':20}  "
            f"{occ['kind']:12}  {occ['content']}"
        )
    print("\nwordings ([-removed-] {+added+} against the earliest):")
    for v in found["variants"]:
        print(f"  {', '.join(v['outlets']) or '-'}: {_marked(v['differences'])}")
    return 0


def cmd_article(args: argparse.Namespace) -> int:
    from onrecord.cli.format import format_text

    with _open(args.db) as store:
        found = store.record(args.id)
    if found is None:
        raise InputError(f"no article {args.id!r} in {args.db} (give an id, a URL or a name)")
    meta, record = found
    extra = {
        k: plain(meta[k])
        for k in ("id", "url", "publisher", "author", "language", "source", "fetched_at")
    }
    if args.format == "json":
        data = {**extra, **record.to_dict()}
        data["doc"] = meta["doc"]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(format_text(record))
    for key in ("url", "publisher", "author", "source", "fetched_at"):
        if extra[key]:
            print(f"   {key}: {extra[key]}")
    return 0


ERROR_COLUMNS = [
    ("failed_at", "WHEN", 19),
    ("reason", "REASON", 20),
    ("source", "SOURCE", 40),
    ("message", "MESSAGE", 0),
]


def cmd_errors(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise InputError("--limit must be at least 1")
    where, params = ("WHERE reason = ?", [args.reason]) if args.reason else ("", [])
    with _open(args.db) as store:
        cursor = store.con.execute(
            f"SELECT source, path, record, doc, reason, message, failed_at FROM errors {where} "
            "ORDER BY failed_at DESC, source LIMIT ?",
            [*params, args.limit],
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        counts = store.con.execute(
            "SELECT reason, count(*) FROM errors GROUP BY reason ORDER BY count(*) DESC, reason"
        ).fetchall()
    if args.format == "table":
        # a source is a path: its end (file name, line, offset) is what tells rows apart
        shown = [
            {
                **r,
                "failed_at": str(r["failed_at"])[:19],
                "source": _tail(r["source"], 40),
                "message": str(r["message"]).removeprefix(f"{r['source']}: "),
            }
            for r in rows
        ]
        emit(shown, "table", sys.stdout, ERROR_COLUMNS)
        if counts:
            print("by reason: " + ", ".join(f"{reason} {n:,}" for reason, n in counts))
    else:
        emit(rows, args.format, sys.stdout, ERROR_COLUMNS)
    return 0


def _tail(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1) :]


def cmd_check(args: argparse.Namespace) -> int:
    from onrecord.store.check import check
    from onrecord.store.database import Store

    if not Path(args.db).exists():
        raise InputError(f"{args.db}: no such database")
    with Store(args.db, read_only=not args.repair) as store:
        report = check(store, repair=args.repair)
    if args.json:
        data = {
            "db": args.db,
            "ok": report.ok,
            "findings": [dataclasses.asdict(f) for f in report.findings],
            "repaired": report.repaired,
        }
        print(json.dumps(data, indent=2))
    else:
        for done in report.repaired:
            print(f"{args.db}: {done}")
        for f in report.findings:
            fix = " (onrecord check --repair rebuilds it)" if f.repairable else ""
            print(f"{args.db}: {f.check}: {f.count:,} — {f.meaning}{fix}")
        if report.ok:
            print(f"{args.db}: consistent")
    return 0 if report.ok else 1


def cmd_migrate(args: argparse.Namespace) -> int:
    from onrecord.store.database import SCHEMA_VERSION, Store

    if not Path(args.db).exists():
        raise InputError(f"{args.db}: no such database")
    with Store(args.db) as store:
        if store.migrated_from is None:
            print(f"{args.db}: already at schema version {SCHEMA_VERSION}")
        else:
            print(
                f"{args.db}: migrated from schema version {store.migrated_from} to {SCHEMA_VERSION}"
            )
        if args.rebuild_corpus:
            change = store.rebuild_corpus()
            print(
                f"{args.db}: corpus layer rebuilt: {change.speakers:,} speakers, "
                f"{change.statements:,} statements"
            )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with _open(args.db) as store:
        files = store.export_parquet(args.parquet)
        counts = store.counts()
    for table, path in files.items():
        print(f"{path}  {counts[table]:,} rows")
    return 0

"""The ``onrecord`` command: the parser (with the options every command shares) and ``main``.

The commands live beside it: ``extract`` (extract, eval), ``store`` (ingest, quotes,
speakers, article, errors, export), ``spark`` (spark, load), ``serve`` (serve). Only the
``cli`` package prints.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from onrecord import __version__
from onrecord.errors import OnrecordError
from onrecord.options import MODES
from onrecord.store.database import DEFAULT_DB


def shared_options() -> dict[str, argparse.ArgumentParser]:
    """The options several commands share, as parent parsers: one spelling, one help text."""
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", default=DEFAULT_DB, help=f"the DuckDB database (default: {DEFAULT_DB})")
    pipeline = argparse.ArgumentParser(add_help=False)
    pipeline.add_argument(
        "--model", help="spaCy pipeline to load (default: en_core_web_sm, else its mirror)"
    )
    pipeline.add_argument(
        "--mode",
        choices=MODES,
        default=None,
        help="fast (default): parse + learned linear models; accurate: adds the transformer tagger",
    )
    published = argparse.ArgumentParser(add_help=False)
    published.add_argument(
        "--published", help="publication date (YYYY-MM-DD) to anchor dates against"
    )
    return {"db": db, "pipeline": pipeline, "published": published}


def build_parser() -> argparse.ArgumentParser:
    from onrecord.cli import extract, serve, spark, store

    parser = argparse.ArgumentParser(
        prog="onrecord",
        description="Who said what, to whom, when, and according to whom: "
        "attribution records from news articles.",
    )
    parser.add_argument("--version", action="version", version=f"onrecord {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)
    parents = shared_options()
    extract.register(sub, parents)  # extract, eval
    store.register(sub, parents)  # ingest, quotes, speakers, article, errors, export
    spark.register(sub, parents)  # spark, load
    serve.register(sub, parents)  # serve
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

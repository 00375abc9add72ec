"""Command line for ``onrecord serve``: the HTTP API and the web pages over a database.

``register(subparsers)`` adds the command (one line in ``cli.build_parser``).
FastAPI and uvicorn are imported only when the command runs; without the
``serve`` extra the command says how to install it, in one line.
"""

from __future__ import annotations

import argparse
import importlib.util
from typing import Any

from onrecord.errors import OnrecordError

#: what ``onrecord serve`` imports, and the extra that installs it
SERVE_MODULES = ("fastapi", "uvicorn", "jinja2")


def register(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    sv = sub.add_parser(
        "serve",
        parents=[parents["db"]],
        help="the HTTP API and web pages over the database",
        description="Serve the database: a JSON API under /api (OpenAPI at /openapi.json, "
        "interactive at /docs) and web pages: articles with every attribution highlighted, "
        "speakers and statements across articles, quote search, and a page to paste an "
        "article. Binds to loopback unless --host says otherwise. While it runs, `onrecord "
        "ingest --db` the same file hands its batches to it (over loopback, with a token in "
        "FILE.serve.json), and the pages show new articles as each batch commits.",
    )
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sv.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    sv.add_argument(
        "--read-only",
        action="store_true",
        help="open the database read-only (then onrecord ingest cannot write to it while "
        "the server runs)",
    )
    sv.add_argument(
        "--cache-mb",
        type=_megabytes,
        default=64,
        metavar="MB",
        help="room for answers kept until the next batch is written (default 64; 0 keeps none)",
    )
    sv.set_defaults(func=cmd_serve)


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise argparse.ArgumentTypeError(f"not a port number (1-65535): {value!r}")
    return int(value)


def _megabytes(value: str) -> float:
    try:
        mb = float(value)
    except ValueError:
        mb = -1.0
    if not 0 <= mb <= 100_000:
        raise argparse.ArgumentTypeError(f"not a size in MB (0-100000): {value!r}")
    return mb


def cmd_serve(args: argparse.Namespace) -> int:
    missing = [m for m in SERVE_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise OnrecordError(
            f"onrecord serve needs {', '.join(missing)}: pip install 'onrecord[serve]'"
        )
    from onrecord.serve.app import run

    run(args.db, host=args.host, port=args.port, read_only=args.read_only, cache_mb=args.cache_mb)
    return 0

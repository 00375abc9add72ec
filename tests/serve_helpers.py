"""The served database for the serve tests: the project's examples plus a hostile article.

``serve_db`` (session): a DuckDB built in a temporary folder by the real
ingest of ``examples/*.txt`` and ``hostile.jsonl`` (written here: a fictional
article whose title, URL and text carry script tags, event-handler
attributes, ``javascript:`` URLs and quote marks inside attributes).
``served`` (session): ``create_app`` over it, run by uvicorn in a thread on a
free loopback port; yields the base URL. Both reuse the session's loaded
pipeline (``conftest.pipeline``), which is the real one.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# not imported from conftest, which imports this module's fixtures
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

#: every payload sets window.__pwned if it ever runs
PAYLOADS = (
    "<script>window.__pwned = 1</script>",
    '<img src="x" onerror="window.__pwned = 2">',
    "<svg onload=window.__pwned=3>",
    '"><img src=x onerror=window.__pwned=4>',
    "'><b onmouseover='window.__pwned=5'>hover</b>",
    '<a href="javascript:window.__pwned=6">click</a>',
    '<iframe srcdoc="<script>parent.__pwned=7</script>"></iframe>',
)
HOSTILE_URL = "javascript:window.__pwned=8"
HOSTILE_TITLE = 'Pier Vote <script>window.__pwned=9</script> "Quoted" <img src=x onerror="x()">'
HOSTILE_TEXT = "\n\n".join(
    [
        "Harbor Mayor Lina Marsh said on Tuesday that the new pier would open in June, and "
        f"that the sign reading {PAYLOADS[0]} would be taken down.",
        f'"The pier is safe, {PAYLOADS[1]} and the ferries will run," Marsh said.',
        f"Councillor Ewan Stroud said the contract mentioned {PAYLOADS[2]} twice and "
        f"{PAYLOADS[3]} once.",
        f"According to the port office, the repairs cost {PAYLOADS[4]} less than planned.",
        f'"Nobody will click {PAYLOADS[5]} on the harbor site," Stroud told reporters.',
        f"Officials familiar with the plan said the notice {PAYLOADS[6]} was a test.",
    ]
)
HOSTILE_ID = "hostile-pier"
HOSTILE_PUBLISHED = "2026-04-02"


def hostile_jsonl(path: Path) -> Path:
    row = {
        "id": HOSTILE_ID,
        "url": HOSTILE_URL,
        "title": HOSTILE_TITLE,
        "published": HOSTILE_PUBLISHED,
        "text": HOSTILE_TEXT,
    }
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def serve_db(tmp_path_factory: pytest.TempPathFactory, pipeline: Any) -> str:
    import onrecord.pipeline
    from onrecord.ingest.runner import IngestOptions, ingest

    root = tmp_path_factory.mktemp("serve")
    corpus = root / "corpus"
    corpus.mkdir()
    for path in sorted(EXAMPLES.glob("*.txt")):
        (corpus / path.name).write_bytes(path.read_bytes())
    hostile_jsonl(corpus / "hostile.jsonl")
    db = str(root / "serve.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(onrecord.pipeline, "Pipeline", lambda *a, **k: pipeline)
        summary = ingest([str(corpus)], options=IngestOptions(db=db, workers=0))
    assert summary.errors == 0 and summary.articles == len(list(EXAMPLES.glob("*.txt"))) + 1
    return db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(db: str, pipeline: Any) -> Iterator[str]:
    """``onrecord serve``'s app over ``db`` on a free loopback port, in a thread: its URL."""
    import uvicorn

    from onrecord.serve.app import create_app

    app = create_app(db, pipeline=pipeline)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def served(serve_db: str, pipeline: Any) -> Iterator[str]:
    with serving(serve_db, pipeline) as url:
        yield url


#: articles in the paging database: more than a page (50) of articles and of quotes
MANY = 57


@pytest.fixture(scope="session")
def many_served(tmp_path_factory: pytest.TempPathFactory, pipeline: Any) -> Iterator[str]:
    """A database with more than one page of articles, quotes and speakers, served."""
    import onrecord.pipeline
    from onrecord.ingest.runner import IngestOptions, ingest

    root = tmp_path_factory.mktemp("paging")
    lines = [
        json.dumps(
            {
                "id": f"pier-{n}",
                "published": f"2031-03-{1 + n % 28:02d}",
                "text": f"Pier {n} to reopen\n\nHarbor clerk Aino Varga{n} said on Tuesday that "
                f"pier {n} would reopen in May after repairs.",
            }
        )
        for n in range(MANY)
    ]
    corpus = root / "many.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = str(root / "many.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(onrecord.pipeline, "Pipeline", lambda *a, **k: pipeline)
        summary = ingest([str(corpus)], options=IngestOptions(db=db, workers=0))
    assert summary.articles == MANY
    with serving(db, pipeline) as url:
        yield url


@pytest.fixture(scope="session")
def examples_served(tmp_path_factory: pytest.TempPathFactory, pipeline: Any) -> Iterator[str]:
    """Every example of ``examples/`` (its text articles and two outlets' reports of one
    statement, in JSON Lines with publisher and date), ingested and served."""
    import onrecord.pipeline
    from onrecord.ingest.runner import IngestOptions, ingest

    db = str(tmp_path_factory.mktemp("examples") / "examples.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(onrecord.pipeline, "Pipeline", lambda *a, **k: pipeline)
        summary = ingest([str(EXAMPLES)], options=IngestOptions(db=db, workers=0))
    assert summary.errors == 0 and summary.articles >= 4
    with serving(db, pipeline) as url:
        yield url

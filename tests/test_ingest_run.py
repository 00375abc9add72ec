"""The ingest run end to end: every reader and bad input into the store, idempotence, kill -9.

In-process runs use the session's pipeline (``workers=0`` runs in this
process); the crash test runs the real ``onrecord ingest`` with two worker
processes and kills it with SIGKILL mid-run.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

import onrecord.pipeline
from ingest_helpers import (
    ARTICLES,
    article_html,
    german_html,
    no_article_html,
    write_gz,
    write_jsonl,
    write_warc,
)
from onrecord.cli.main import main
from onrecord.ingest.runner import IngestOptions, ingest

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def session_pipeline(pipeline: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``Pipeline(...)`` hands out the session's pipeline (the model loads once)."""
    monkeypatch.setattr(onrecord.pipeline, "Pipeline", lambda *a, **k: pipeline)
    return pipeline


def corpus(root: Path) -> dict[str, Any]:
    """Every reader and every kind of bad input, with what each must become."""
    root.mkdir()
    (root / "ferry.html").write_text(article_html("ferry"), encoding="utf-8")
    write_gz(root / "library.html.gz", article_html("library").encode())
    write_warc(
        root / "news.warc.gz",
        [(ARTICLES["bridge"]["url"], article_html("bridge", with_canonical=False))],  # type: ignore[list-item]
    )
    write_jsonl(
        root / "dump.jsonl",
        [
            {"id": "j1", "text": "Mayor Ilse Varga said on Tuesday that the pier would reopen.",
             "published": "2026-04-09"},
            {"id": "j2", "html": article_html("ferry")},  # the same article as ferry.html
            "{not json",
        ],
    )  # fmt: skip
    (root / "note.txt").write_text(
        "Port director Mara Quist said the cranes would stay idle until June.\n"
    )
    # the bad inputs
    full = gzip.compress(article_html("library").encode() * 30)
    (root / "cut.html.gz").write_bytes(full[: len(full) // 2])
    warc = root / "whole.warc"
    write_warc(warc, [(f"https://news.example.org/w{i}", article_html("ferry")) for i in range(2)],
               gz=False, extra=False)  # fmt: skip
    data = warc.read_bytes()
    warc.unlink()
    (root / "cut.warc").write_bytes(data[:-200])
    (root / "junk.html").write_bytes(bytes(range(256)) * 40)
    (root / "nav.html").write_text(no_article_html())
    with (root / "huge.html").open("wb") as fh:
        fh.truncate(50_000_000)
    (root / "bom.txt").write_bytes(b"\xef\xbb\xbfcaf\xe9 \xff\xfe")
    (root / "german.html").write_text(german_html(), encoding="utf-8")
    return {
        # ferry, library, bridge, j1, note, and the first whole record of cut.warc
        "articles": 6,
        "duplicates": 1,  # j2 is ferry.html again (same canonical URL)
        "reasons": {
            "bad_json": 1,
            "truncated": 2,  # cut.html.gz, cut.warc's second record
            "binary": 1,
            "no_article": 1,
            "too_large": 1,
            "undecodable": 1,
            "unsupported_language": 1,
        },
    }


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[index]
            for t in ("articles", "entities", "attributions", "times", "errors", "sources")
        }
    finally:
        con.close()


def test_ingest_run_every_reader_and_bad_input(tmp_path: Path, session_pipeline: Any) -> None:
    expected = corpus(tmp_path / "c")
    db = tmp_path / "s.duckdb"
    summary = ingest([str(tmp_path / "c")], options=IngestOptions(db=str(db), workers=0))
    assert summary.articles == expected["articles"]
    assert summary.duplicates == expected["duplicates"]
    assert summary.reasons == expected["reasons"]
    assert summary.errors == sum(expected["reasons"].values())
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT doc, url, title, published::VARCHAR, publisher, author, fetched_at IS NOT NULL "
        "FROM articles ORDER BY doc"
    ).fetchall()
    by_doc = {r[0]: r for r in rows}
    ferry = by_doc["j2"]  # dump.jsonl comes first: ferry.html is then the duplicate
    assert ferry[1:6] == (
        ARTICLES["ferry"]["url"],
        ARTICLES["ferry"]["title"],
        "2026-03-12",
        "Example Harbor News",
        "Nadia Orvell",
    )
    assert by_doc[ARTICLES["bridge"]["url"]][6]  # the WARC date is kept
    assert by_doc["j1"][3] == "2026-04-09"
    # HTML bodies skip the text cleaner; text files go through it
    removed = dict(con.execute("SELECT doc, len(removed) FROM articles").fetchall())
    assert removed["j2"] == 0 and removed["note"] == 0
    assert removed[by_doc["library"][0]] == 0
    errors = dict(con.execute("SELECT source, reason FROM errors").fetchall())
    root = str((tmp_path / "c").resolve())
    assert errors[f"{root}/huge.html"] == "too_large"
    assert errors[f"{root}/german.html"] == "unsupported_language"
    assert errors[f"{root}/dump.jsonl:3"] == "bad_json"
    assert any(k.startswith(f"{root}/cut.warc@") for k in errors)
    con.close()

    # idempotent: the same run again adds nothing
    before = counts(db)
    again = ingest([str(tmp_path / "c")], options=IngestOptions(db=str(db), workers=0))
    assert (again.articles, again.errors, again.duplicates) == (0, 0, 0)
    assert again.already == summary.records
    assert counts(db) == before


def test_ingest_cli_summary_and_exit_code(
    tmp_path: Path, session_pipeline: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus(tmp_path / "c")
    db = str(tmp_path / "s.duckdb")
    code = main(["ingest", str(tmp_path / "c"), "--db", db, "--workers", "0", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1  # some records failed
    assert out["articles"] == 6 and out["errors"] == 8 and out["db"] == db
    assert out["skipped"]["warc_request"] == 3
    assert main(["errors", "--db", db, "--format", "json", "--limit", "50"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 8 and {r["reason"] for r in rows} >= {"truncated", "no_article"}
    assert main(["errors", "--db", db, "--reason", "too_large"]) == 0
    table = capsys.readouterr().out
    assert "huge.html" in table and "by reason:" in table
    code = main(["ingest", str(tmp_path / "c"), "--db", db, "--workers", "0"])
    text = capsys.readouterr().out
    assert code == 0  # nothing failed in this run: everything was done before
    assert "0 new articles" in text and "15 already done" in text
    good = tmp_path / "good"
    good.mkdir()
    (good / "a.txt").write_text("Port director Mara Quist said the cranes were idle.\n")
    assert main(["ingest", str(good), "--db", db, "--workers", "0", "--no-progress"]) == 0


def test_ingest_cli_rejects_bad_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", ".", "--workers", "-1"]) == 2
    assert "--workers" in capsys.readouterr().err


# --------------------------------------------------------------------------- kill -9


def crash_corpus(root: Path, n: int = 24) -> None:
    """n distinct small articles: HTML files and a JSON Lines file."""
    root.mkdir()
    names = ["Ines Okafor", "Tomas Keld", "Hana Sorvik", "Marek Hollis"]
    lines = []
    for i in range(n):
        who = names[i % len(names)]
        text = (
            f"{who} said on Monday that the harbor fund would grow by {i + 3} percent.\n\n"
            f'"We expect {i + 10} new berths by the autumn," {who} said.'
        )
        if i % 3 == 0:
            page = (
                f"<html><head><title>Harbor fund {i}</title>"
                f'<link rel="canonical" href="https://news.example.org/fund/{i}"></head>'
                f"<body><article><p>{text.split(chr(10))[0]}</p><p>{text.split(chr(10))[-1]}"
                "</p></article></body></html>"
            )
            (root / f"fund-{i}.html").write_text(page)
        else:
            lines.append({"id": f"fund-{i}", "text": text, "published": "2026-05-04"})
    write_jsonl(root / "funds.jsonl", lines)  # type: ignore[arg-type]


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the workers")
def test_ingest_kill_9_mid_run_then_rerun_completes_without_duplicates(
    tmp_path: Path, session_pipeline: Any
) -> None:
    crash_corpus(tmp_path / "c")
    db = tmp_path / "crash.duckdb"
    cmd = [
        sys.executable, "-m", "onrecord.cli.main", "-v", "ingest", str(tmp_path / "c"),
        "--db", str(db), "--workers", "2", "--batch-size", "1", "--no-progress",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    written = 0
    deadline = time.monotonic() + 120
    for line in proc.stderr:
        written += "batch written" in line
        if written >= 3 or time.monotonic() > deadline:
            break
    workers = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    assert written >= 3, "the run ended before it could be killed"
    # the workers notice and exit (they would otherwise wait forever, model loaded)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [w for w in workers if Path(f"/proc/{w}/stat").exists()
                and Path(f"/proc/{w}/stat").read_text().split()[2] != "Z"]  # fmt: skip

    partial = counts(db)
    assert 3 <= partial["articles"] < 24 and partial["sources"] == partial["articles"]
    summary = ingest([str(tmp_path / "c")], options=IngestOptions(db=str(db), workers=0))
    assert summary.already == partial["sources"]
    assert summary.articles == 24 - partial["articles"] and summary.errors == 0

    reference = tmp_path / "reference.duckdb"
    ingest([str(tmp_path / "c")], options=IngestOptions(db=str(reference), workers=0))
    assert counts(db) == counts(reference)
    query = (
        "SELECT r.id, count(a.id) FROM articles r LEFT JOIN attributions a "
        "ON a.article_id = r.id GROUP BY r.id ORDER BY r.id"
    )
    got = duckdb.connect(str(db), read_only=True).execute(query).fetchall()
    want = duckdb.connect(str(reference), read_only=True).execute(query).fetchall()
    assert got == want  # every article whole: the same attributions as an uninterrupted run


def test_one_worker_process_stores_what_the_in_process_run_stores(
    tmp_path: Path, session_pipeline: Any
) -> None:
    """``--workers 1`` parses in a worker process (see runner's docstring): same rows."""
    crash_corpus(tmp_path / "c", n=6)
    pooled, here = tmp_path / "pooled.duckdb", tmp_path / "here.duckdb"
    summary = ingest([str(tmp_path / "c")], options=IngestOptions(db=str(pooled), workers=1))
    assert summary.articles == 6 and summary.errors == 0
    ingest([str(tmp_path / "c")], options=IngestOptions(db=str(here), workers=0))
    assert counts(pooled) == counts(here)
    query = "SELECT article_id, content, cue, source FROM attributions ORDER BY ALL"
    got = duckdb.connect(str(pooled), read_only=True).execute(query).fetchall()
    assert got and got == duckdb.connect(str(here), read_only=True).execute(query).fetchall()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to watch the worker")
def test_a_worker_dies_with_its_parent_without_a_watcher_thread() -> None:
    """The kernel ends a worker whose parent is gone (Linux); no thread slows its parse."""
    code = (
        "import os, sys, threading, time\n"
        "from onrecord.ingest.runner import _exit_with_parent\n"
        "_exit_with_parent(os.getppid())\n"
        "print(threading.active_count(), flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', sys.argv[1]]); "
         "print(p.pid, flush=True); p.wait()", code],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert parent.stdout.readline().strip() == ("1" if sys.platform.startswith("linux") else "2")
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        stat = Path(f"/proc/{child}/stat")
        if stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z":
            break
        time.sleep(0.1)
    alive = Path(f"/proc/{child}/stat")
    assert not alive.exists() or alive.read_text().split(")")[-1].split()[0] == "Z"
    parent.stdout.close()


class _FragilePipeline:
    """Raises (past on_error) on any document that says EXPLODE, like a bug would."""

    def pipe(self, texts: Any, **kwargs: Any) -> Any:
        from onrecord.record import Record

        for doc in texts:
            if "EXPLODE" in doc.text:
                raise RuntimeError("boom")
            yield Record(doc=doc.doc, text=doc.text)


def test_ingest_batch_survives_a_document_that_crashes_the_pipeline() -> None:
    from onrecord.ingest.runner import process_batch
    from onrecord.read.document import RawDocument

    texts = ["Officials said one thing.", "Officials said EXPLODE.", "Officials said another."]
    docs = [
        RawDocument(doc=f"d{i}", text=t, encoding="utf-8", path="x.jsonl", source=f"x.jsonl:{i}")
        for i, t in enumerate(texts)
    ]
    rows = process_batch(_FragilePipeline(), docs)  # type: ignore[arg-type]
    assert sorted(rows.tables["articles"]["doc"]) == ["d0", "d2"]
    assert rows.tables["errors"]["source"] == ["x.jsonl:1"]
    assert rows.tables["errors"]["reason"] == ["internal"]
    assert "RuntimeError: boom" in rows.tables["errors"]["message"][0]


def test_ingest_missing_model_in_the_workers_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["ingest", str(ROOT / "examples"), "--db", str(tmp_path / "m.duckdb"),
         "--workers", "2", "--model", "no_such_model", "--no-progress"]
    )  # fmt: skip
    assert code == 2
    assert "'no_such_model' is not installed" in capsys.readouterr().err


def test_ingest_stdin(
    tmp_path: Path,
    session_pipeline: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import io

    text = b"Port director Mara Quist said on Monday that the cranes would stay idle.\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text), encoding="utf-8"))
    db = str(tmp_path / "s.duckdb")
    assert main(["ingest", "-", "--db", db, "--workers", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 1
    con = duckdb.connect(db, read_only=True)
    (source,) = con.execute("SELECT source FROM articles").fetchone()  # type: ignore[misc]
    assert source.startswith("<stdin>#")


def test_ingest_a_url_already_stored_is_not_extracted_again(
    tmp_path: Path, session_pipeline: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import onrecord.ingest.prepare as sources

    url = ARTICLES["ferry"]["url"]
    warc = tmp_path / "refetch.warc.gz"
    pages = [(url, article_html("ferry")), (url, article_html("ferry") + "<!-- later -->"),
             (ARTICLES["bridge"]["url"], article_html("bridge"))]  # fmt: skip
    write_warc(warc, pages, extra=False)  # type: ignore[arg-type]
    prepared: list[str | None] = []
    real = sources.prepare
    monkeypatch.setattr(sources, "prepare", lambda d: prepared.append(d.url) or real(d))
    db = str(tmp_path / "s.duckdb")
    summary = ingest([str(warc)], options=IngestOptions(db=db, workers=0, batch_size=1))
    assert (summary.articles, summary.duplicates) == (2, 1)
    assert prepared == [url, ARTICLES["bridge"]["url"]]
    con = duckdb.connect(db, read_only=True)
    outcomes = con.execute("SELECT outcome, count(*) FROM sources GROUP BY 1 ORDER BY 1").fetchall()
    assert outcomes == [("article", 2), ("duplicate", 1)]


def test_ingest_a_text_over_the_parsers_limit_is_too_large(
    tmp_path: Path, session_pipeline: Any
) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "long.txt").write_text("The harbor board said it would meet again. " * 25_000)
    (corpus / "short.txt").write_text("Port director Mara Quist said the cranes were idle.\n")
    db = str(tmp_path / "s.duckdb")
    summary = ingest([str(corpus)], options=IngestOptions(db=db, workers=0))
    assert (summary.articles, summary.reasons) == (1, {"too_large": 1})

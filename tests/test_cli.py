"""The command line: extract in every format, bad inputs, eval, help.

``main([...])`` runs in-process on the session's pipeline (the model loads
once); one test runs the installed ``onrecord`` entry point for real.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import onrecord.pipeline
from onrecord.cli.main import main
from onrecord.options import PipelineOptions

pytestmark = pytest.mark.model

PIER = "Mayor Ilse Varga said on Tuesday that the pier would reopen in May.\n"
CRANES = '"The cranes are idle," said port director Mara Quist.\n'
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x02\x00\x00\x00"
LATIN1 = "Café owner René Dufort said the terrace would reopen in June.\n".encode("latin-1")


@pytest.fixture
def cli(pipeline: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``main`` with ``Pipeline(...)`` handing out the session's pipeline."""

    def session_pipeline(*, options: PipelineOptions) -> Any:
        assert (options.model, options.mode) == (None, "fast")
        return pipeline

    monkeypatch.setattr(onrecord.pipeline, "Pipeline", session_pipeline)
    return main


def write(tmp_path: Path, name: str, data: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_bytes(data.encode("utf-8"))
    else:
        path.write_bytes(data)
    return str(path)


def jsonl(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def stdin_bytes(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# --------------------------------------------------------------------------- formats


def test_cli_extract_json(cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "pier.txt", PIER)
    assert cli(["extract", path]) == 0  # json is the default
    out, err = capsys.readouterr()
    record = json.loads(out)
    assert record["doc"] == "pier"
    assert record["text"] == PIER.strip()
    (a,) = record["attributions"]
    assert (a["kind"], a["source"]["name"], a["cue"]["lemma"]) == ("indirect", "Ilse Varga", "say")
    assert err == ""
    assert cli(["extract", path, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == record


def test_cli_extract_jsonl_names_docs_by_file_stem(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [write(tmp_path, "pier.txt", PIER), write(tmp_path, "cranes.txt", CRANES)]
    assert cli(["extract", *paths, "--format", "jsonl"]) == 0
    records = jsonl(capsys.readouterr().out)
    assert [r["doc"] for r in records] == ["pier", "cranes"]
    assert records[1]["attributions"][0]["kind"] == "direct"


def test_cli_extract_jsonl_input_names_docs_by_id(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        {"id": "art-7", "text": PIER, "published": "2017-05-17", "title": "Pier"},
        {"text": CRANES},
        {"id": 12, "text": CRANES},
    ]
    path = write(tmp_path, "batch.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    assert cli(["extract", path, "--format", "jsonl"]) == 0
    records = jsonl(capsys.readouterr().out)
    assert [r["doc"] for r in records] == ["art-7", "batch-2", "12"]
    assert (records[0]["published"], records[0]["title"]) == ("2017-05-17", "Pier")
    assert records[0]["attributions"][0]["time"]["value"] == "2017-05-16"


def test_cli_extract_text(cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = [write(tmp_path, "pier.txt", PIER), write(tmp_path, "cranes.txt", CRANES)]
    assert cli(["extract", *paths, "--format", "text", "--published", "2017-05-17"]) == 0
    out = capsys.readouterr().out
    assert "== pier" in out and "== cranes" in out
    assert "published 2017-05-17" in out
    assert "indirect" in out and "Ilse Varga" in out and "[2017-05-16]" in out
    assert "direct" in out and "Mara Quist" in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


def test_cli_extract_published(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "pier.txt", PIER)
    assert cli(["extract", path, "--published", "2017-05-17", "--format", "jsonl"]) == 0
    (record,) = jsonl(capsys.readouterr().out)
    assert record["published"] == "2017-05-17"
    assert record["attributions"][0]["time"] == {"text": "Tuesday", "value": "2017-05-16"}


def test_cli_extract_no_clean_keeps_the_file_text(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Breaking News\r\n\r\n  " + PIER.replace("\n", "\r\n") + "To find out more, click here."
    path = write(tmp_path, "pier.txt", text)
    assert cli(["extract", path, "--no-clean", "--format", "jsonl"]) == 0
    (raw,) = jsonl(capsys.readouterr().out)
    assert raw["text"] == text
    assert raw["removed"] == []
    (a,) = raw["attributions"]
    assert [text[s:e] for s, e in a["content"]["spans"]] == [a["content"]["text"]]
    assert cli(["extract", path, "--format", "jsonl"]) == 0
    (cleaned,) = jsonl(capsys.readouterr().out)
    assert cleaned["text"] == PIER.strip()
    assert [r["text"] for r in cleaned["removed"]] == ["Breaking News",
                                                       "To find out more, click here."]  # fmt: skip


def test_cli_extract_stdin(
    cli: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin_bytes(monkeypatch, CRANES.encode("utf-8"))
    assert cli(["extract", "-", "--format", "jsonl"]) == 0
    (record,) = jsonl(capsys.readouterr().out)
    assert record["doc"] == "stdin"
    assert record["attributions"][0]["source"]["name"] == "Mara Quist"


def test_cli_extract_latin1_decodes_and_names_the_encoding(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, "cafe.txt", LATIN1)
    with caplog.at_level(logging.INFO, logger="onrecord"):
        assert cli(["extract", path, "--format", "jsonl"]) == 0
    (record,) = jsonl(capsys.readouterr().out)
    assert record["text"] == LATIN1.decode("latin-1").strip()
    assert f"{path}: not UTF-8; decoded as cp1252" in caplog.text


def test_cli_extract_unbalanced_quote_marks_are_processed(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marks = '"' * 1001
    path = write(tmp_path, "marks.txt", marks)
    assert cli(["extract", path, "--no-clean", "--format", "jsonl"]) == 0
    (record,) = jsonl(capsys.readouterr().out)
    assert (record["doc"], record["text"], record["attributions"]) == ("marks", marks, [])
    assert cli(["extract", path, "--format", "jsonl"]) == 0
    (cleaned,) = jsonl(capsys.readouterr().out)
    assert cleaned["attributions"] == []


# --------------------------------------------------------------------------- bad input


def one_line_error(err: str, name: str, reason: str) -> None:
    """stderr holds exactly one line about ``name`` (with its reason), no traceback."""
    assert "Traceback" not in err
    about = [line for line in err.splitlines() if name in line]
    assert len(about) == 1, err
    assert about[0].startswith("onrecord: ") and about[0].endswith(f"[{reason}]")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\r\n", "empty"),
        ("image.png", PNG, "binary"),
        ("controls.txt", bytes(range(1, 9)) * 50, "binary"),
        ("bad-bom.txt", b"\xef\xbb\xbf" + b"ok \xff\xfe", "undecodable"),
        ("huge.txt", b"Varga said the pier was fine. " * 170_000, "too_large"),
    ],
)
def test_cli_extract_bad_input_is_one_line_and_non_zero(
    cli: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    data: bytes | None,
    reason: str,
) -> None:
    path = write(tmp_path, name, data) if data is not None else str(tmp_path / name)
    assert cli(["extract", path, "--format", "jsonl"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    one_line_error(err, name, reason)
    assert err.splitlines()[-1] == "onrecord: 1 of 1 inputs failed"
    assert len(err.splitlines()) == 2


@pytest.mark.parametrize("name", ["missing.txt", "missing.jsonl", "no-folder"])
def test_cli_a_missing_path_is_a_usage_error_naming_it(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    good = write(tmp_path, "pier.txt", PIER)
    missing = str(tmp_path / name)
    assert cli(["extract", good, missing]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # nothing was processed
    assert err == f"onrecord: error: {missing}: no such file or folder; check the path\n"
    assert main(["ingest", missing, "--db", str(tmp_path / "x.duckdb")]) == 2
    assert f"{missing}: no such file or folder" in capsys.readouterr().err
    assert not (tmp_path / "x.duckdb").exists()  # no error row: nothing was opened


def test_cli_extract_reads_a_page_as_its_article(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "".join(f"<p>{p}</p>" for p in PIER.split("\n\n") if p.strip())
    page = (
        "<html><head><title>Pier to reopen</title>"
        '<link rel="canonical" href="https://news.example/pier"></head><body>'
        "<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav>"
        f"<article><h1>Pier to reopen</h1>{body}</article>"
        "<footer>Copyright Example News</footer></body></html>"
    )
    path = write(tmp_path, "pier.html", page)
    assert cli(["extract", path, "--format", "jsonl"]) == 0
    (record,) = jsonl(capsys.readouterr().out)
    assert "<" not in record["text"] and "Copyright" not in record["text"]
    assert record["attributions"], "the page's article gives the text's attributions"
    text = record["text"]
    assert all(text[s:e] for a in record["attributions"] for s, e in a["content"]["spans"])


def test_cli_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"onrecord {onrecord.__version__}\n"


def test_cli_extract_good_inputs_survive_a_bad_one(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [
        write(tmp_path, "pier.txt", PIER),
        write(tmp_path, "image.png", PNG),
        write(tmp_path, "empty.txt", b""),
        write(tmp_path, "cranes.txt", CRANES),
    ]
    assert cli(["extract", *paths, "--format", "jsonl"]) == 1
    out, err = capsys.readouterr()
    assert [r["doc"] for r in jsonl(out)] == ["pier", "cranes"]
    one_line_error(err, "image.png", "binary")
    one_line_error(err, "empty.txt", "empty")
    assert err.splitlines()[-1] == "onrecord: 2 of 4 inputs failed"


def test_cli_extract_bad_jsonl_line_is_skipped(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = json.dumps({"id": "a", "text": PIER}) + "\n{not json\n" + json.dumps({"id": "c"}) + "\n"
    body += json.dumps({"id": "d", "text": CRANES}) + "\n"
    path = write(tmp_path, "batch.jsonl", body)
    assert cli(["extract", path, "--format", "jsonl"]) == 1
    out, err = capsys.readouterr()
    assert [r["doc"] for r in jsonl(out)] == ["a", "d"]
    one_line_error(err, "batch.jsonl:2", "bad_json")
    one_line_error(err, "batch.jsonl:3", "bad_field")


def test_cli_extract_empty_stdin(
    cli: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin_bytes(monkeypatch, b"")
    assert cli(["extract", "-"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    one_line_error(err, "<stdin>", "empty")


@pytest.mark.parametrize("published", ["garbage", "2017-02-30"])
def test_cli_extract_bad_published_exits_2(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], published: str
) -> None:
    path = write(tmp_path, "pier.txt", PIER)
    assert cli(["extract", path, "--published", published]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("onrecord: error: ") and repr(published) in err


@pytest.mark.parametrize(
    "argv",
    [
        ["extract"],
        ["extract", "x.txt", "--format", "xml"],
        ["extract", "x.txt", "--mode", "turbo"],
        ["eval"],
        ["unknown"],
        [],
    ],
)
def test_cli_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage: onrecord" in capsys.readouterr().err


# --------------------------------------------------------------------------- eval


def gold_split(root: Path) -> Path:
    text = "Mayor Ilse Varga said the pier would reopen in May.\n"
    content = "the pier would reopen in May"
    c0 = text.index(content)
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "x.txt").write_text(text, encoding="utf-8")
    ann = (
        f"T1\tContent {c0} {c0 + len(content)}\t{content}\n"
        "T2\tSource 0 16\tMayor Ilse Varga\n"
        "T3\tCue 17 21\tsaid\n"
        "T4\tAttribution 17 21\tsaid\n"
        "E1\tAttribution:T4 Content:T1 Source:T2 Cue:T3\n"
    )
    (root / "attributions" / "x_abcd.ann").write_text(ann, encoding="utf-8")
    return root


def test_cli_eval_table(cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = gold_split(tmp_path / "split")
    assert cli(["eval", "--gold", str(gold)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 gold documents (1 articles): 1 gold, 1 predicted, 1 matched")
    for metric in ("content_exact", "content_partial", "source", "cue", "full"):
        assert metric in out
    row = next(line for line in out.splitlines() if line.startswith("full "))
    assert row.split()[1:] == ["1.000", "1.000", "1.000", "1"]


def test_cli_eval_json(cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = gold_split(tmp_path / "split")
    errors = tmp_path / "errors.jsonl"
    assert cli(["eval", "--gold", str(gold), "--json", "--errors", str(errors)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["metrics"]["full"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 1}
    assert report["counts"]["gold"] == 1
    assert errors.exists() and errors.read_text(encoding="utf-8") == ""


def test_cli_eval_missing_gold_is_one_line(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["eval", "--gold", str(tmp_path / "nowhere")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("onrecord: error: ") and "Traceback" not in err


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--help"], ["extract", "eval", "--verbose"]),
        (["extract", "--help"], ["FILE", "--format", "--published", "--no-clean", "--mode"]),
        (["eval", "--help"], ["--gold", "--json", "--errors", "--mode"]),
    ],
)
def test_cli_help(argv: list[str], words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: onrecord")
    for word in words:
        assert word in out


# --------------------------------------------------------------------------- the real thing


def test_cli_entry_point_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("onrecord")
    if not exe.exists():
        pytest.skip(f"no onrecord entry point beside {sys.executable}")
    pier = write(tmp_path, "pier.txt", PIER)
    cafe = write(tmp_path, "cafe.txt", LATIN1)
    empty = write(tmp_path, "empty.txt", b"")
    result = subprocess.run(
        [str(exe), "-v", "extract", pier, "-", cafe, empty, "--format", "jsonl",
         "--published", "2017-05-17"],
        input=CRANES.encode("utf-8"),
        capture_output=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    assert result.returncode == 1, err
    records = jsonl(out)
    assert [r["doc"] for r in records] == ["pier", "stdin", "cafe"]
    assert records[0]["attributions"][0]["time"]["value"] == "2017-05-16"
    assert records[1]["attributions"][0]["source"]["name"] == "Mara Quist"
    assert "René Dufort" in records[2]["text"]
    assert f"{cafe}: not UTF-8; decoded as cp1252" in err
    one_line_error(err, "empty.txt", "empty")
    assert err.splitlines()[-1] == "onrecord: 1 of 4 inputs failed"


def test_cli_extract_folder_then_eval_predictions(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the documented route: extract --no-clean --format jsonl over a split's text/, then score it
    gold = gold_split(tmp_path / "split")
    assert cli(["extract", "--no-clean", "--format", "jsonl", str(gold / "text")]) == 0
    out = capsys.readouterr().out
    assert [r["doc"] for r in jsonl(out)] == ["x"]
    predictions = tmp_path / "pred.jsonl"
    predictions.write_text(out, encoding="utf-8")
    assert cli(["eval", "--gold", str(gold), "--predictions", str(predictions), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["metrics"]["full"]["tp"] == 1
    # a record that is not onrecord's: one line, exit 2
    predictions.write_text('{"doc": "x"}\n', encoding="utf-8")
    assert cli(["eval", "--gold", str(gold), "--predictions", str(predictions)]) == 2
    assert "pred.jsonl:1: not an onrecord record" in capsys.readouterr().err


def test_cli_extract_empty_folder_fails(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert cli(["extract", str(tmp_path / "empty")]) == 1
    assert "no .html, .htm, .html.gz, .warc(.gz), .jsonl" in capsys.readouterr().err


def test_cli_extract_text_over_the_parser_limit_is_one_line(
    cli: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # under the 5 MB input cap but over spaCy's max_length: an error line, the rest goes on
    big = write(tmp_path, "big.txt", "The pier reopened. " * 60_000)
    good = write(tmp_path, "pier.txt", PIER)
    assert cli(["extract", big, good, "--format", "jsonl"]) == 1
    captured = capsys.readouterr()
    assert [r["doc"] for r in jsonl(captured.out)] == ["pier"]
    errors = [line for line in captured.err.splitlines() if "big" in line]
    assert len(errors) == 1 and "parser's limit" in errors[0] and "[too_large]" in errors[0]
    assert "Traceback" not in captured.err

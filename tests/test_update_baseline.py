"""bench/tools/update_baseline.py: floors rise freely, fall only on purpose, one file per mode."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import ROOT

HASH = "ab" * 32


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "update_baseline", ROOT / "bench" / "tools" / "update_baseline.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(tmp_path: Path, mode: str, value: float, corpus: str = HASH) -> Path:
    prf = {"precision": value, "recall": value, "f1": value}
    report = {
        "mode": mode,
        "corpus_hash": corpus,
        "metrics": {k: dict(prf) for k in ("content_partial", "full", "source", "cue")},
        "no_quote": {"recall": value},
    }
    path = tmp_path / f"report-{mode}-{value}.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def _baseline(tmp_path: Path, mode: str, floor: float) -> Path:
    ub = _script()
    path = tmp_path / f"baseline-{mode}.json"
    data: dict[str, Any] = {
        "split": "dev",
        "corpus_hash": HASH,
        "mode": mode,
        "tolerance": 0.005,
        "floors": dict.fromkeys(ub.GATE_METRICS, floor),
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _floors(path: Path) -> set[float]:
    return set(json.loads(path.read_text(encoding="utf-8"))["floors"].values())


def test_floors_rise_rounded_down(tmp_path: Path) -> None:
    base = _baseline(tmp_path, "fast", 0.5)
    rc = _script().main(
        ["--baseline", str(base), "--from-json", str(_report(tmp_path, "fast", 0.61239))]
    )
    assert rc == 0
    assert _floors(base) == {0.612}


def test_floors_do_not_fall_without_allow_lower(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _baseline(tmp_path, "fast", 0.7)
    report = _report(tmp_path, "fast", 0.65)
    assert _script().main(["--baseline", str(base), "--from-json", str(report)]) == 0
    assert _floors(base) == {0.7}
    assert "floors not lowered" in capsys.readouterr().err
    assert (
        _script().main(["--baseline", str(base), "--from-json", str(report), "--allow-lower"]) == 0
    )
    assert _floors(base) == {0.65}


def test_changed_corpus_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _baseline(tmp_path, "fast", 0.5)
    report = _report(tmp_path, "fast", 0.8, corpus="cd" * 32)
    assert _script().main(["--baseline", str(base), "--from-json", str(report)]) == 2
    assert "corpus changed" in capsys.readouterr().err
    assert _floors(base) == {0.5}


def test_mode_mismatch_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _baseline(tmp_path, "fast", 0.5)
    report = _report(tmp_path, "accurate", 0.8)
    assert _script().main(["--baseline", str(base), "--from-json", str(report)]) == 2
    assert "holds floors for mode fast, not accurate" in capsys.readouterr().err


def test_new_mode_baseline_created(tmp_path: Path) -> None:
    """A missing baseline starts from the fast one's split and corpus hash, floors at 0."""
    fast = json.loads((ROOT / "tests" / "eval_baseline.json").read_text(encoding="utf-8"))
    base = tmp_path / "new-accurate.json"
    report = _report(tmp_path, "accurate", 0.7, corpus=fast["corpus_hash"])
    assert _script().main(["--baseline", str(base), "--from-json", str(report)]) == 0
    data = json.loads(base.read_text(encoding="utf-8"))
    assert data["mode"] == "accurate" and data["corpus_hash"] == fast["corpus_hash"]
    assert set(data["floors"].values()) == {0.7}


def test_mode_flag_against_report_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _baseline(tmp_path, "accurate", 0.5)
    report = _report(tmp_path, "fast", 0.8)
    rc = _script().main(["--baseline", str(base), "--mode", "accurate", "--from-json", str(report)])
    assert rc == 2
    assert "measured in fast mode" in capsys.readouterr().err
    assert _floors(base) == {0.5}

"""The golden-corpus gate: onrecord on PolNeAR dev must not fall below its floors.

One baseline file per mode: tests/eval_baseline.json (fast, the default) and
tests/eval_baseline_accurate.json (accurate; skipped with a reason when the
tagger model or its runtime is absent). Each holds the floors and the corpus
hash; they are written by python -m bench.tools.update_baseline (raised freely, lowered only
with --allow-lower). A floor fails when the measured value is below it by more
than the tolerance.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import POLNEAR, need_shared
from onrecord.eval.scorer import GATE_METRICS, EvalReport, corpus_hash, evaluate_dir, gate_metrics

HERE = Path(__file__).parent
BASELINE_FILES = {
    "fast": HERE / "eval_baseline.json",
    "accurate": HERE / "eval_baseline_accurate.json",
}
BASELINES: dict[str, dict[str, Any]] = {
    mode: json.loads(path.read_text(encoding="utf-8"))
    for mode, path in BASELINE_FILES.items()
    if path.exists()
}
MODES = sorted(BASELINES)

pytestmark = [pytest.mark.shared, pytest.mark.model]


def test_gate_fast_baseline_exists() -> None:
    assert "fast" in BASELINES, f"{BASELINE_FILES['fast']} is missing"


@pytest.mark.parametrize("mode", MODES)
def test_gate_baseline_file_names_every_gated_metric(mode: str) -> None:
    baseline = BASELINES[mode]
    assert baseline["mode"] == mode, f"{BASELINE_FILES[mode]} holds floors for {baseline['mode']}"
    assert sorted(baseline["floors"]) == sorted(GATE_METRICS)
    assert all(0.0 <= v <= 1.0 for v in baseline["floors"].values())


@pytest.mark.parametrize("mode", MODES)
def test_gate_corpus_unchanged(mode: str) -> None:
    baseline = BASELINES[mode]
    dev = need_shared(POLNEAR / baseline["split"])
    measured = corpus_hash(dev)
    assert measured == baseline["corpus_hash"], (
        f"corpus changed: {dev} hashes to {measured}, the {mode} baseline was measured on "
        f"{baseline['corpus_hash']}; if on purpose, re-measure with "
        f"python -m bench.tools.update_baseline --mode {mode} --allow-lower"
    )


@pytest.fixture(scope="module", params=MODES)
def dev_report(request: pytest.FixtureRequest) -> tuple[str, EvalReport]:
    """One mode's dev report, measured once per module."""
    mode: str = request.param
    dev = need_shared(POLNEAR / BASELINES[mode]["split"])  # before a model loads
    fixture = "pipeline" if mode == "fast" else "accurate_pipeline"
    pipeline = request.getfixturevalue(fixture)  # accurate: skips without its model
    assert getattr(pipeline, "mode", "fast") == mode
    return mode, evaluate_dir(dev, pipeline=pipeline)


@pytest.mark.parametrize("metric", GATE_METRICS)
def test_gate_metric_not_below_floor(dev_report: tuple[str, EvalReport], metric: str) -> None:
    mode, report = dev_report
    baseline = BASELINES[mode]
    floor = float(baseline["floors"][metric])
    tolerance = float(baseline["tolerance"])
    value = gate_metrics(report.to_dict())[metric]
    assert value >= floor - tolerance, (
        f"{mode} mode: {metric} on {baseline['split']} is {value:.4f}, below its floor "
        f"{floor:.4f} (tolerance {tolerance}): fix the regression, or lower the floor on "
        f"purpose with python -m bench.tools.update_baseline --mode {mode} --allow-lower\n"
        + report.format_table()
    )

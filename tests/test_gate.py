"""The golden-corpus gate: onrecord on PolNeAR dev must not fall below its floors.

The floors and the corpus hash live in tests/eval_baseline.json; they are
written by bench/update_baseline.py (raised freely, lowered only with
--allow-lower). A floor fails when the measured value is below it by more than
the tolerance.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import POLNEAR, need_shared
from onrecord.evaluate import GATE_METRICS, EvalReport, corpus_hash, evaluate_dir, gate_metrics

BASELINE_PATH = Path(__file__).with_name("eval_baseline.json")
BASELINE: dict[str, Any] = json.loads(BASELINE_PATH.read_text(encoding="utf-8"))
DEV = POLNEAR / BASELINE["split"]

pytestmark = [pytest.mark.shared, pytest.mark.model]


def test_gate_baseline_file_names_every_gated_metric() -> None:
    assert sorted(BASELINE["floors"]) == sorted(GATE_METRICS)
    assert all(0.0 <= v <= 1.0 for v in BASELINE["floors"].values())


def test_gate_corpus_unchanged() -> None:
    need_shared(DEV)
    measured = corpus_hash(DEV)
    assert measured == BASELINE["corpus_hash"], (
        f"corpus changed: {DEV} hashes to {measured}, the baseline was measured on "
        f"{BASELINE['corpus_hash']}; if on purpose, re-measure with "
        "bench/update_baseline.py --allow-lower"
    )


@pytest.fixture(scope="module")
def dev_report(request: pytest.FixtureRequest) -> EvalReport:
    need_shared(DEV)  # before the pipeline fixture loads a model
    pipeline = request.getfixturevalue("pipeline")
    mode = getattr(pipeline, "mode", "fast")
    assert mode == BASELINE["mode"], f"the floors are for mode {BASELINE['mode']}, not {mode}"
    return evaluate_dir(DEV, pipeline=pipeline)


@pytest.mark.parametrize("metric", GATE_METRICS)
def test_gate_metric_not_below_floor(dev_report: EvalReport, metric: str) -> None:
    floor = float(BASELINE["floors"][metric])
    tolerance = float(BASELINE["tolerance"])
    value = gate_metrics(dev_report.to_dict())[metric]
    assert value >= floor - tolerance, (
        f"{metric} on {BASELINE['split']} is {value:.4f}, below its floor {floor:.4f} "
        f"(tolerance {tolerance}): fix the regression, or lower the floor on purpose with "
        "bench/update_baseline.py --allow-lower\n" + dev_report.format_table()
    )

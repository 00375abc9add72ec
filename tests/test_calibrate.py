"""Calibrate: the raw confidence mapped to the probability that an attribution is one.

Every text here is made up: fictional people, fictional places.
"""

from __future__ import annotations

import json
from importlib import resources
from itertools import pairwise
from typing import Any

import pytest

from onrecord.stages import calibrate as K

GRID = [i / 200 for i in range(201)]


def test_both_modes_are_in_the_packaged_calibration() -> None:
    data = json.loads(resources.files("onrecord").joinpath("data", K.CALIBRATION).read_text())
    assert data["note"]
    for mode in K.MODES:
        assert len(data["modes"][mode]["knots"]) >= 2
    assert set(K.load()) == set(K.MODES)


@pytest.mark.parametrize("mode", K.MODES)
def test_the_map_is_monotone_and_within_0_and_1(mode: str) -> None:
    cal = K.calibration(mode)
    values = [cal(x) for x in GRID]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert all(b >= a for a, b in pairwise(values))
    assert values[-1] > values[0]  # it says something


def test_interpolation_between_knots() -> None:
    cal = K.Calibration.of([(0.2, 0.1), (0.6, 0.5), (0.9, 0.8)])
    assert cal(0.2) == pytest.approx(0.1)
    assert cal(0.4) == pytest.approx(0.3)
    assert cal(0.75) == pytest.approx(0.65)
    assert cal(0.9) == pytest.approx(0.8)
    # flat beyond the first and last knots
    assert cal(0.0) == pytest.approx(0.1)
    assert cal(1.0) == pytest.approx(0.8)


@pytest.mark.parametrize(
    "knots",
    [
        [],
        [(0.5, 0.4), (0.5, 0.6)],  # raw knots must increase
        [(0.2, 0.6), (0.8, 0.4)],  # calibrated values must not decrease
        [(0.2, 0.1), (0.8, 1.2)],  # within [0, 1]
    ],
)
def test_a_bad_calibration_is_refused(knots: list[tuple[float, float]]) -> None:
    with pytest.raises(ValueError):
        K.Calibration.of(knots)


class _Item:
    def __init__(self, confidence: float) -> None:
        self.confidence = confidence


def test_calibrate_maps_in_place_and_uncalibrated_leaves_it() -> None:
    items = [_Item(0.3), _Item(0.95)]
    with K.uncalibrated():
        K.calibrate(items, "fast")
    assert [i.confidence for i in items] == [0.3, 0.95]
    K.calibrate(items, "fast")
    cal = K.calibration("fast")
    assert [i.confidence for i in items] == [cal(0.3), cal(0.95)]


TEXTS = [
    "Orla Brandt said the ferry would run again in May. I think the ferry is lovely.",
    '"The pier is safe," the harbor master told reporters on Tuesday. '
    "In March, the harbor board offered a new schedule to the town.",
]


@pytest.mark.model
def test_a_pipeline_gives_calibrated_confidences(pipeline: Any) -> None:
    cal = K.calibration("fast")
    pairs = []
    for text in TEXTS:
        with K.uncalibrated():
            raw = pipeline(text, clean=False).attributions
        calibrated = pipeline(text, clean=False).attributions
        # the same attributions, only the confidence changes
        assert [(a.kind, a.content.spans) for a in raw] == [
            (a.kind, a.content.spans) for a in calibrated
        ]
        for r, c in zip(raw, calibrated, strict=True):
            assert c.confidence == pytest.approx(cal(r.confidence))
            pairs.append((r.confidence, c.confidence))
    assert len(pairs) >= 3
    pairs.sort()
    assert all(b[1] >= a[1] for a, b in pairwise(pairs))  # monotone in the raw probability


@pytest.mark.model
def test_accurate_mode_takes_its_own_map(accurate_pipeline: Any) -> None:
    cal = K.calibration("accurate")
    with K.uncalibrated():
        raw = accurate_pipeline(TEXTS[0], clean=False).attributions
    calibrated = accurate_pipeline(TEXTS[0], clean=False).attributions
    assert raw and len(raw) == len(calibrated)
    for r, c in zip(raw, calibrated, strict=True):
        assert c.confidence == pytest.approx(cal(r.confidence))

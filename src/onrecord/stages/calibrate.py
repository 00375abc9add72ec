"""Calibrate: an attribution's confidence as the probability that it is one.

The cue model's probability was fitted on PolNeAR, and the check stage halves it when it
doubts an attribution; neither makes it a probability of being right on the open web. A
monotone map per mode (``data/calibration.json``, fitted by ``train/calibrate.py`` on the
real-web set: raw confidence -> observed rate of right attributions) turns it into one. The
map is piecewise linear between its knots and flat beyond the first and last, so it keeps the
order of the raw confidences and never changes which attributions are found.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

from onrecord.packaged import load_json

CALIBRATION = "calibration.json"
MODES = ("fast", "accurate")


class _Scored(Protocol):
    confidence: float


@dataclass(slots=True, frozen=True)
class Calibration:
    """A monotone piecewise-linear map on [0, 1]: ``raw`` knots (increasing) to
    ``calibrated`` values (non-decreasing)."""

    raw: tuple[float, ...]
    calibrated: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.raw or len(self.raw) != len(self.calibrated):
            raise ValueError("a calibration needs as many calibrated values as raw knots")
        if any(b <= a for a, b in pairwise(self.raw)):
            raise ValueError("the raw knots of a calibration must increase")
        if any(b < a for a, b in pairwise(self.calibrated)):
            raise ValueError("the calibrated values must not decrease")
        if not all(0.0 <= v <= 1.0 for v in (*self.raw, *self.calibrated)):
            raise ValueError("a calibration's knots lie in [0, 1]")

    @classmethod
    def of(cls, knots: Iterable[Iterable[float]]) -> Calibration:
        pairs = [tuple(map(float, k)) for k in knots]
        return cls(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))

    def __call__(self, confidence: float) -> float:
        xs, ys = self.raw, self.calibrated
        if confidence <= xs[0]:
            return ys[0]
        if confidence >= xs[-1]:
            return ys[-1]
        i = bisect_right(xs, confidence)
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        value = y0 + (y1 - y0) * (confidence - x0) / (x1 - x0)
        return min(1.0, max(0.0, value))


_loaded: dict[str, Calibration] | None = None
_enabled = True


def load(path: str | Path | None = None) -> dict[str, Calibration]:
    """The maps of ``path`` (default: the packaged ``calibration.json``), by mode."""
    data: dict[str, Any] = load_json(
        CALIBRATION, path, what="calibration", remedy="python train/calibrate.py"
    )
    return {mode: Calibration.of(data["modes"][mode]["knots"]) for mode in MODES}


def calibration(mode: str) -> Calibration:
    """The map of ``mode`` (``fast`` or ``accurate``), loaded once per process."""
    global _loaded
    if _loaded is None:
        _loaded = load()
    return _loaded[mode]


def calibrate(items: Iterable[_Scored], mode: str) -> None:
    """Replace each item's confidence by its calibrated value, in place."""
    if not _enabled:
        return
    cal = calibration(mode)
    for item in items:
        item.confidence = cal(item.confidence)


@contextmanager
def uncalibrated() -> Iterator[None]:
    """Within it, records keep the raw confidence (what ``train/calibrate.py`` fits on)."""
    global _enabled
    before, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = before

"""Fit the confidence calibration (src/onrecord/data/calibration.json) on the real-web set.

    python train/calibrate.py [--web eval/web] [--warc FILE] [--refresh] [--no-write]

Runs the pipeline (fast and accurate mode) over the web set's 80 pages with the raw
confidence (the cue model's probability, halved by the check when it doubts), labels each
prediction (whole pages: matched to a gold attribution or not, by the scorer's matching;
judged pages: the matching judgement's ``attribution`` flag; predictions no judgement covers
are left out), and fits a monotone map raw -> probability per mode: isotonic regression or
Platt scaling on logit(raw), whichever has the lower cross-validated log loss (5 folds grouped
by page). Prints the cross-validated reliability table before and after, and the Brier scores,
then writes the map fitted on all pages as piecewise-linear knots.

The predictions are cached in cache/calibrate-<mode>.json (``--refresh`` recomputes them).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "onrecord" / "data" / "calibration.json"
FOLDS = 5
SEED = 2026
#: raw confidences are clipped to this before logit (Platt scaling) and probabilities before
#: the log loss
EPS = 1e-3
#: isotonic regression's probabilities are kept within [BOUND, 1 - BOUND]: a block of a few
#: dozen predictions all right (or all wrong) does not make a certainty (0.02 was picked among
#: 0 to 0.03 on the cross-validated log loss; the Brier score does not move)
BOUND = 0.02
#: reliability bins of predicted probability
EDGES = (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)

Rows = list[tuple[str, float, int]]  # page, raw confidence, is an attribution


# --------------------------------------------------------------------------- labels


def collect(mode: str, web_dir: Path, warc: Path) -> Rows:
    """(page, raw confidence, label) of every prediction the web set can label (the matching
    of ``onrecord eval --web``)."""
    from onrecord.eval.web import labelled, load_web_set, page_records
    from onrecord.pipeline import Pipeline
    from onrecord.stages.calibrate import uncalibrated

    web = load_web_set(web_dir)
    with uncalibrated():
        records = page_records(warc, [*web.whole, *web.judged], Pipeline(mode=mode))
    return [(page, p.confidence, int(ok)) for page, p, ok in labelled(web, records)]


# --------------------------------------------------------------------------- maps

Fit = Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]


def _logit(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, EPS, 1 - EPS)
    return np.asarray(np.log(x / (1 - x)))


def fit_isotonic(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Isotonic regression, read as a piecewise-linear map through the centre of each of its
    blocks (mean raw confidence -> the block's rate, within [BOUND, 1 - BOUND])."""
    knots = isotonic_knots(x, y)
    xs = np.array([k[0] for k in knots])
    ys = np.array([k[1] for k in knots])
    return lambda v: np.interp(v, xs, ys)


def isotonic_knots(x: np.ndarray, y: np.ndarray) -> list[tuple[float, float]]:
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
    fitted = iso.predict(x)
    knots: list[tuple[float, float]] = []
    for level in np.unique(fitted):
        block = x[fitted == level]
        knots.append((float(block.mean()), float(np.clip(level, BOUND, 1 - BOUND))))
    return _strictly_increasing(knots)


def fit_platt(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """Platt scaling: a logistic regression on logit(raw)."""
    a, b = platt_params(x, y)
    return lambda v: 1 / (1 + np.exp(-(a * _logit(v) + b)))


def platt_params(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    lr = LogisticRegression(C=1e6).fit(_logit(x).reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def platt_knots(a: float, b: float) -> list[tuple[float, float]]:
    """The sigmoid at knots even in logit(raw), enough for piecewise-linear reading."""
    grid = sorted({*np.round(1 / (1 + np.exp(-np.linspace(-7, 7, 29))), 4), 0.0, 1.0})
    return [(float(g), float(1 / (1 + np.exp(-(a * _logit(np.array(g)) + b))))) for g in grid]


def _strictly_increasing(knots: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for kx, ky in sorted(knots):
        if out and kx <= out[-1][0]:
            continue
        out.append((kx, ky))
    return out


def identity(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    return lambda v: np.asarray(v, dtype=float)


METHODS: dict[str, Fit] = {"raw": identity, "isotonic": fit_isotonic, "platt": fit_platt}


# --------------------------------------------------------------------------- scores


def cross_validated(rows: Rows, fit: Fit) -> np.ndarray:
    """Each prediction's calibrated probability from the map fitted on the other folds."""
    pages = np.array([r[0] for r in rows])
    x = np.array([r[1] for r in rows])
    y = np.array([r[2] for r in rows])
    out = np.zeros(len(rows))
    folds = GroupKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train, test in folds.split(x, y, pages):
        out[test] = fit(x[train], y[train])(x[test])
    return out


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def log_loss(p: np.ndarray, y: np.ndarray) -> float:
    p = np.clip(p, EPS, 1 - EPS)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def reliability(p: np.ndarray, y: np.ndarray) -> list[dict[str, Any]]:
    """Per bin of predicted probability: count, mean predicted, observed rate."""
    out = []
    for lo, hi in itertools.pairwise(EDGES):
        inside = (p >= lo) & ((p < hi) if hi < 1.0 else (p <= hi))
        n = int(inside.sum())
        out.append(
            {
                "bin": f"{lo:.2f}-{hi:.2f}",
                "count": n,
                "predicted": round(float(p[inside].mean()), 3) if n else None,
                "observed": round(float(y[inside].mean()), 3) if n else None,
            }
        )
    return out


def _table(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> str:
    def cell(b: dict[str, Any]) -> str:
        if not b["count"]:
            return "0 | | "
        return f"{b['count']} | {b['predicted']:.3f} | {b['observed']:.3f}"

    lines = [
        "| predicted | raw: n | mean predicted | observed | calibrated: n | mean predicted "
        "| observed |",
        "|---|---|---|---|---|---|---|",
    ]
    for b, a in zip(before, after, strict=True):
        lines.append(f"| {b['bin']} | {cell(b)} | {cell(a)} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def _rows(mode: str, args: argparse.Namespace) -> Rows:
    cache = ROOT / "cache" / f"calibrate-{mode}.json"
    if cache.is_file() and not args.refresh:
        return [(p, float(c), int(y)) for p, c, y in json.loads(cache.read_text())]
    rows = collect(mode, args.web, args.warc)
    cache.parent.mkdir(exist_ok=True)
    cache.write_text(json.dumps(rows))
    return rows


def calibrate_mode(mode: str, rows: Rows) -> dict[str, Any]:
    x = np.array([r[1] for r in rows])
    y = np.array([r[2] for r in rows])
    scores = {}
    cv = {}
    for name, fit in METHODS.items():
        p = cross_validated(rows, fit)
        cv[name] = p
        scores[name] = {"log_loss": round(log_loss(p, y), 4), "brier": round(brier(p, y), 4)}
    method = min(("isotonic", "platt"), key=lambda m: scores[m]["log_loss"])
    fitted = isotonic_knots if method == "isotonic" else None
    knots = fitted(x, y) if fitted is not None else platt_knots(*platt_params(x, y))
    pages = len({r[0] for r in rows})
    print(f"\n== {mode}: {len(rows)} labelled predictions on {pages} pages, rate {y.mean():.3f}")
    for name, s in scores.items():
        print(f"  {name:<9} cross-validated log loss {s['log_loss']:.4f}, Brier {s['brier']:.4f}")
    print(f"  chosen: {method}")
    before, after = reliability(cv["raw"], y), reliability(cv[method], y)
    print(_table(before, after))
    return {
        "method": method,
        "knots": [[round(a, 4), round(b, 4)] for a, b in knots],
        "predictions": len(rows),
        "pages": pages,
        "rate": round(float(y.mean()), 4),
        "cross_validated": {
            "folds": FOLDS,
            "scores": scores,
            "reliability_raw": before,
            "reliability_calibrated": after,
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--web", type=Path, default=ROOT / "eval" / "web")
    ap.add_argument(
        "--warc",
        type=Path,
        default=ROOT.parent / "shared" / "data" / "news-pages" / "news-pages.warc.gz",
    )
    ap.add_argument("--modes", nargs="+", default=["fast", "accurate"])
    ap.add_argument("--refresh", action="store_true", help="re-run the pipeline")
    ap.add_argument("--no-write", action="store_true", help="report only")
    args = ap.parse_args(argv)
    fitted = {mode: calibrate_mode(mode, _rows(mode, args)) for mode in args.modes}
    if args.no_write:
        return 0
    old = json.loads(OUT.read_text()) if OUT.is_file() else {}
    data: dict[str, Any] = {"note": "", "modes": old.get("modes", {})}
    data["note"] = (
        "Raw confidence (the cue model's probability, halved by the check when it doubts) -> "
        "probability that the attribution is one, per mode; piecewise linear between knots, "
        "flat beyond. Fitted by train/calibrate.py on the real-web set (eval/web: 20 whole "
        "pages, labelled by the scorer's matching to gold, and 60 judged pages, by the "
        "judgement's attribution flag; unjudged predictions left out): isotonic regression "
        f"(knots at block centres, within [{BOUND}, {1 - BOUND}]) or Platt scaling on "
        f"logit(raw), whichever had the lower page-grouped {FOLDS}-fold cross-validated log "
        "loss."
    )
    data["modes"].update(fitted)
    text = json.dumps(data, indent=1)
    # one knot a line
    text = re.sub(r"\[\s+([\d.]+),\s+([\d.]+)\s+\]", r"[\1, \2]", text)
    OUT.write_text(text + "\n")
    print(f"\nwrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

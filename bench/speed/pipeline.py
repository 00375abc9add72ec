"""Speed of Pipeline.pipe against bare nlp.pipe of the stock spaCy model, in one run.

    python -m bench.speed.pipeline [--gold ../shared/data/polnear/dev] [--rounds 3] [--mode fast]

Both sides run over the same texts (PolNeAR dev by default), interleaved
round by round so that machine noise hits both alike; the ratio of their
articles/s is the number that matters (target: Pipeline.pipe >= 0.85x bare
nlp.pipe, i.e. everything onrecord adds costs <= 15% of the parse). The best
round of each side is reported, and every round is printed.

The yardstick is the model as spaCy ships it (``load_model(stock=True)``).
onrecord's pipeline runs the same model faster, with identical annotations:
two rule components swapped for faster ones (``onrecord.nlp.fastrules``) and the
layers' matrix products through numpy's BLAS (``onrecord.nlp.blas``); that
parse alone is measured too (``fast-rules nlp.pipe``: the name predates the
BLAS swap), so the gain from the swaps and the cost of onrecord's own stages
can be read apart.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from bench.speed.texts import DEV, split_texts


def cpu_info() -> dict[str, object]:
    """The CPU's model and the vector extensions that decide the int8 tagger's speed."""
    model, flags = "", set[str]()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and not model:
                model = value.strip()
            elif key.strip() == "flags" and not flags:
                flags = set(value.split())
    except OSError:
        pass
    return {
        "model": model or "unknown",
        "avx2": "avx2" in flags,
        "avx512_vnni": "avx512_vnni" in flags,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=DEV)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mode", default="fast", choices=("fast", "accurate"))
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from onrecord import Pipeline

    texts = split_texts(args.gold)
    words = sum(len(t.split()) for t in texts)
    from onrecord.nlp.model import load_model

    pipeline = Pipeline(mode=args.mode)
    nlp = load_model(stock=True)  # the yardstick: spaCy's model as shipped
    fast_nlp = pipeline.nlp  # the same model with onrecord's rule components and BLAS
    assert nlp is not fast_nlp
    # warm-up: first calls allocate
    for model in (nlp, fast_nlp):
        for _ in model.pipe(texts[:4]):
            pass
    for _ in pipeline.pipe(texts[:4], clean=False):
        pass

    cpu: dict[str, list[float]] = {
        "bare": [],
        "bare_fast": [],
        "onrecord_clean": [],
        "onrecord_noclean": [],
    }

    def bare(fast: bool = False) -> float:
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in (fast_nlp if fast else nlp).pipe(texts, batch_size=args.batch_size):
            pass
        cpu["bare_fast" if fast else "bare"].append(time.process_time() - c0)
        return time.perf_counter() - t0

    # accurate mode's tagger runs in a child process: its CPU time counts too
    child = getattr(getattr(pipeline, "_combiner", None), "tagger", None)

    def cpu_now() -> float:
        extra = child.cpu_seconds() if hasattr(child, "cpu_seconds") else 0.0
        return time.process_time() + extra

    def ours(clean: bool) -> float:
        t0, c0 = time.perf_counter(), cpu_now()
        n = 0
        for _ in pipeline.pipe(texts, batch_size=args.batch_size, clean=clean):
            n += 1
        assert n == len(texts)
        cpu["onrecord_clean" if clean else "onrecord_noclean"].append(cpu_now() - c0)
        return time.perf_counter() - t0

    rounds: list[dict[str, float]] = []
    for r in range(args.rounds):
        row = {
            "bare": bare(),
            "bare_fast": bare(fast=True),
            "onrecord_clean": ours(True),
            "onrecord_noclean": ours(False),
        }
        rounds.append(row)
        print(
            f"round {r + 1}: bare {len(texts) / row['bare']:.2f} art/s, "
            f"fast-rules {len(texts) / row['bare_fast']:.2f} art/s, "
            f"onrecord {len(texts) / row['onrecord_clean']:.2f} art/s (clean), "
            f"{len(texts) / row['onrecord_noclean']:.2f} art/s (no clean)",
            file=sys.stderr,
        )
    best = {k: min(r[k] for r in rounds) for k in rounds[0]}
    per_round = [r["bare"] / r["onrecord_clean"] for r in rounds]
    result = {
        "texts": len(texts),
        "words": words,
        "mode": args.mode,
        "cpu": cpu_info(),
        "bare_articles_per_s": round(len(texts) / best["bare"], 2),
        "bare_words_per_s": round(words / best["bare"]),
        "bare_fast_articles_per_s": round(len(texts) / best["bare_fast"], 2),
        "fast_rules_speedup": round(best["bare"] / best["bare_fast"], 3),
        "cpu_fast_rules_speedup": round(min(cpu["bare"]) / min(cpu["bare_fast"]), 3),
        "onrecord_articles_per_s": round(len(texts) / best["onrecord_clean"], 2),
        "onrecord_noclean_articles_per_s": round(len(texts) / best["onrecord_noclean"], 2),
        "ratio_best": round(best["bare"] / best["onrecord_clean"], 3),
        "ratio_per_round": [round(x, 3) for x in per_round],
        "ratio_noclean_best": round(best["bare"] / best["onrecord_noclean"], 3),
        # CPU seconds of this process (and of the tagger's, in accurate mode): robust to
        # other processes on the machine
        "cpu_ratio": round(min(cpu["bare"]) / min(cpu["onrecord_clean"]), 3),
        "cpu_ratio_noclean": round(min(cpu["bare"]) / min(cpu["onrecord_noclean"]), 3),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{len(texts)} texts, {words} words ({args.mode} mode); CPU {result['cpu']}\n"
            f"bare nlp.pipe        {result['bare_articles_per_s']:7.2f} articles/s "
            f"({result['bare_words_per_s']} words/s)  [stock spaCy model: the yardstick]\n"
            f"fast-rules nlp.pipe  {result['bare_fast_articles_per_s']:7.2f} articles/s "
            f"(same model, onrecord's rules and BLAS) speed-up {result['fast_rules_speedup']:.3f}"
            f" (CPU {result['cpu_fast_rules_speedup']:.3f})\n"
            f"Pipeline.pipe        {result['onrecord_articles_per_s']:7.2f} articles/s "
            f"(clean=True)   ratio {result['ratio_best']:.3f}\n"
            f"Pipeline.pipe        {result['onrecord_noclean_articles_per_s']:7.2f} articles/s "
            f"(clean=False)  ratio {result['ratio_noclean_best']:.3f}\n"
            f"ratio per round (clean=True): {result['ratio_per_round']}\n"
            f"CPU-time ratio (incl. the tagger): {result['cpu_ratio']:.3f} (clean=True), "
            f"{result['cpu_ratio_noclean']:.3f} (clean=False)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

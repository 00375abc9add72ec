"""Where accurate mode's time goes, stage by stage, in CPU milliseconds per article.

    OMP_NUM_THREADS=1 taskset -c 1 .venv/bin/python -m bench.speed.accurate_profile \
        [--mode accurate] [--json]
    LD_PRELOAD=cache/bench/hide_avx512.so ... (built by ``bench.speed.accurate --hide-avx512``)

One ``Pipeline.pipe(texts, clean=False)`` over a PolNeAR split (dev by default), after a
warm-up, with the stages wrapped by timers that count this process's CPU seconds (robust to
other work on a shared core); each figure includes the stages under it. ``parse`` is the whole
run less the record stage (``annotate_record``). The tagger's own work is split into the
tokenizer and window cutting (``encode``), the model (``session.run``), and the decoding of its
output (``_spans``, ``RoleProbs.of``, ``pair``); ``combination`` is ``Combiner.__call__``, the
tagger included. Also reported: the wordpieces and windows the model ran over.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.speed.pipeline import cpu_info
from bench.speed.texts import DEV, split_texts

TOTALS: dict[str, float] = {}


def _timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        c0 = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            TOTALS[label] = TOTALS.get(label, 0.0) + time.process_time() - c0

    return wrapper


def _wrap(owner: Any, name: str, label: str) -> None:
    setattr(owner, name, _timed(label, getattr(owner, name)))


class _TimedSession:
    """An onnxruntime session whose ``run`` is timed."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self.run = _timed("tagger: session.run (the model)", session.run)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=DEV)
    ap.add_argument("--mode", default="accurate", choices=("fast", "accurate"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import onrecord.accurate.combine as combine
    import onrecord.accurate.tagger as tagger
    import onrecord.pipeline as pipeline_module
    import onrecord.stages.check as check
    import onrecord.stages.date as date
    import onrecord.stages.resolve as resolve
    from onrecord.stages.attribute import Attributor

    texts = split_texts(args.gold)
    pipeline = pipeline_module.Pipeline(mode=args.mode)
    for _ in pipeline.pipe(texts[:4], clean=False):  # warm-up: first calls allocate
        pass
    _wrap(pipeline_module, "annotate_record", "record stage (all after the parse)")
    _wrap(combine.Combiner, "__call__", "combination (tagger included)")
    _wrap(combine.Combiner, "tag", "tagger (all)")
    _wrap(tagger, "encode", "tagger: encode (tokenizer, windows)")
    _wrap(tagger.Tagger, "_spans", "tagger: _spans")
    _wrap(tagger.RoleProbs, "of", "tagger: RoleProbs.of")
    _wrap(tagger, "pair", "tagger: pair")
    _wrap(Attributor, "score_cues", "attribute: score_cues")
    _wrap(Attributor, "__call__", "attribute: attributions")
    _wrap(check, "check", "check")
    _wrap(resolve, "resolve", "resolve")
    _wrap(date, "find_times", "find_times")
    tag = getattr(pipeline._combiner, "tagger", None)
    if tag is not None and hasattr(tag, "session"):
        tag.session = _TimedSession(tag.session)
        counts0 = dict(tag.counts)
    c0, t0 = time.process_time(), time.perf_counter()
    n = sum(1 for _ in pipeline.pipe(texts, clean=False))
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    per = {k: round(1000 * v / n, 1) for k, v in TOTALS.items()}
    per["parse (the run less the record stage)"] = round(
        1000 * (cpu - TOTALS["record stage (all after the parse)"]) / n, 1
    )
    result: dict[str, Any] = {
        "mode": args.mode,
        "texts": n,
        "cpu": cpu_info(),
        "cpu_ms_per_article": round(1000 * cpu / n, 1),
        "wall_ms_per_article": round(1000 * wall / n, 1),
        "stages_cpu_ms_per_article": dict(sorted(per.items(), key=lambda kv: -kv[1])),
    }
    if tag is not None and hasattr(tag, "counts"):
        done = {k: tag.counts[k] - counts0[k] for k in tag.counts}
        result["tagger_ran_over"] = {
            "pieces_per_article": round(done["pieces"] / n, 1),
            "windows_per_article": round(done["windows"] / n, 2),
            "model_us_per_piece": round(
                1e6 * TOTALS["tagger: session.run (the model)"] / max(done["pieces"], 1), 1
            ),
        }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{args.mode} mode, {n} texts, CPU {result['cpu']}: {result['cpu_ms_per_article']} "
            f"CPU ms per article ({result['wall_ms_per_article']} wall)",
        )
        for k, v in result["stages_cpu_ms_per_article"].items():
            print(f"  {k:42s} {v:7.1f} ms")
        if "tagger_ran_over" in result:
            print(f"  tagger ran over: {result['tagger_ran_over']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

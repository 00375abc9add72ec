"""Score the accurate-mode tagger alone on PolNeAR dev (or any brat split), and time it.

    .venv/bin/python -m bench.quality.tagger [--split ../shared/data/polnear/dev] [--threads 1]

The tagger's own attributions (``onrecord.accurate.tagger.Tagger.tag``: tagged spans paired
around their cues, no parse, no combination) are scored with ``onrecord.eval.scorer``, the
scorer of ``onrecord eval``; accurate mode as a whole is what ``onrecord eval --mode accurate``
scores.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from onrecord.eval.scorer import load_gold, records_of_spans, score

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SPLIT = ROOT.parent / "shared" / "data" / "polnear" / "dev"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", type=Path, default=DEFAULT_SPLIT)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--model-dir", type=Path, default=None)
    args = ap.parse_args(argv)

    from onrecord.accurate.tagger import Tagger

    texts = {
        p.stem: p.read_text(encoding="utf-8") for p in sorted((args.split / "text").glob("*.txt"))
    }
    tagger = Tagger(args.model_dir, threads=args.threads)
    tagger.tag([next(iter(texts.values()))])  # warm-up
    preds = {}
    t0 = time.perf_counter()
    c0 = time.process_time()
    for art, text in texts.items():
        preds[art] = [(a.source, a.cue, a.content) for a in tagger.tag([text])[0]]
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    words = sum(len(t.split()) for t in texts.values())
    print(score(load_gold(args.split), records_of_spans(texts, preds)).format_table())
    print(
        f"{len(texts)} articles ({words / len(texts):.0f} words avg) in {dt:.1f} s: "
        f"{len(texts) / dt:.2f} articles/s on {args.threads} thread(s) "
        f"({cpu:.1f} s CPU: {len(texts) / cpu:.2f} articles per CPU-second)"
    )
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: load average {os.getloadavg()[0]:.1f}, wall-clock speed understated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

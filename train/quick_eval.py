"""Score the attribute stage on cached parses (dev-time iteration tool).

    python train/quick_eval.py dev|train [--limit N] [--errors FILE]

Uses the parses cached by train/train_fast.py (cache/<split>.spacy); the
official numbers come from `onrecord eval`, which parses from scratch.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from onrecord.eval.scorer import load_gold, score, write_errors
from onrecord.pipeline import Pipeline, _Prepared

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("split")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--mode", default="fast")
    ap.add_argument(
        "--heldout",
        action="store_true",
        help="score the 10%% of train the 90%% cue model has not seen (split must be train)",
    )
    ap.add_argument("--threshold", type=float, help="override the cue model's threshold")
    ap.add_argument("--errors", type=Path, help="write misses, false alarms and wrong roles here")
    args = ap.parse_args()
    from spacy.tokens import DocBin

    from onrecord.stages.attribute import Attributor, CueModel

    pipe = Pipeline(mode=args.mode)
    names = (ROOT / "cache" / f"{args.split}.names").read_text().split("\n")
    docs = list(DocBin().from_disk(ROOT / "cache" / f"{args.split}.spacy").get_docs(pipe.nlp.vocab))
    if args.heldout:
        keep = set((ROOT / "cache" / "heldout.names").read_text().split("\n"))
        pairs = [(n, d) for n, d in zip(names, docs, strict=True) if n in keep]
        names, docs = [n for n, _ in pairs], [d for _, d in pairs]
        pipe.attributor = Attributor(CueModel.load(ROOT / "cache" / "cue_model.heldout.json"))
    if args.threshold is not None:
        pipe.attributor.cue_model.threshold = args.threshold
    docs = list(pipe.nlp.get_pipe("tok2vec").pipe(docs))  # DocBin keeps no tensors
    if args.limit:
        names, docs = names[: args.limit], docs[: args.limit]
    gold = load_gold(ROOT.parent / "shared/data/polnear" / args.split)
    wanted = set(names)
    gold = [g for g in gold if g.stem in wanted]
    t0 = time.time()
    records = {}
    for name, doc in zip(names, docs, strict=True):
        records[name] = pipe._record(doc, _Prepared(name, doc.text, None, None, [], []))
    dt = time.time() - t0
    report = score(gold, records)
    print(report.format_table())
    if args.errors:
        print(f"{write_errors(report, args.errors)} error items -> {args.errors}")
    print(f"{len(docs)} docs, {dt / len(docs) * 1000:.1f} ms/doc after parse")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Cross-fitted cue-model scores for training a tagger that sees the parse's cue candidates.

    python train/cue_markers.py [--out cache/markers.json] [--folds 4]

Accurate mode can give the tagger fast mode's cue candidates as input (each
candidate cue head marked by its cue-model probability, as a token type; see
``onrecord.accurate.tagger.marker_types``). A tagger trained on such marks must see marks
as good as those it gets at run time, no better: on a train article the shipped
cue model (fitted on all of train) is too sure. So every train article is
scored by a cue model fitted without it: the tagger's 40 held-out articles
form one fold (so that tuning on them stays honest), the other articles are
split into ``--folds`` more. Dev articles are scored with the shipped model,
as at run time.

Output: JSON ``{"train": {article: [[start, end, p], ...]}, "dev": {...}}``,
every candidate at probability >= ``--min-p``, character offsets.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "train"))
sys.path.insert(0, str(ROOT / "bench"))

from train_fast import cue_lemmas, examples, fit, only, parsed, write_model  # noqa: E402

from eval_heldout_accurate import heldout_articles  # noqa: E402
from onrecord.accurate.combine import cue_marks  # noqa: E402
from onrecord.eval.scorer import GoldDocument, load_gold  # noqa: E402
from onrecord.nlp.model import load_model  # noqa: E402
from onrecord.stages.attribute import Attributor, CueModel  # noqa: E402
from onrecord.stages.quotes import find_quotes  # noqa: E402

log = logging.getLogger("cue_markers")
POLNEAR = ROOT.parent / "shared" / "data" / "polnear"


def marks(attributor: Attributor, doc, min_p: float) -> list[list[float]]:  # type: ignore[no-untyped-def]
    """What accurate mode gives the tagger at run time (``combine.cue_marks``)."""
    return [
        [s, e, round(p, 4)]
        for s, e, p in cue_marks(attributor, doc, find_quotes(doc.text))
        if p >= min_p
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "cache" / "markers.json")
    ap.add_argument("--cache", type=Path, default=ROOT / "cache")
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--min-p", type=float, default=0.05)
    ap.add_argument("--C", type=float, default=0.5)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    gold = load_gold(POLNEAR / "train")
    first: dict[str, GoldDocument] = {}
    for g in gold:  # a cue any annotator marked is a cue (train_fast.py's default)
        if g.stem not in first:
            first[g.stem] = GoldDocument(g.stem, g.annotator, g.text, list(g.attributions))
        else:
            first[g.stem].attributions.extend(g.attributions)
    docs_gold = list(first.values())
    docs = parsed(docs_gold, args.cache)
    per_doc = [examples(d, g) for d, g in zip(docs, docs_gold, strict=True)]

    held = set(heldout_articles())
    rest = [i for i, g in enumerate(docs_gold) if g.stem not in held]
    random.Random(7).shuffle(rest)
    folds = [[i for i, g in enumerate(docs_gold) if g.stem in held]]
    folds += [rest[k :: args.folds] for k in range(args.folds)]
    out: dict[str, dict[str, list[list[float]]]] = {"train": {}, "dev": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for k, fold in enumerate(folds):
            inside = set(fold)
            fit_ids = [i for i in range(len(docs_gold)) if i not in inside]
            lemmas = cue_lemmas([per_doc[i] for i in fit_ids])
            kept = [only(per_doc[i], lemmas) for i in fit_ids]
            X = [x for ex in kept for x in ex[0]]
            y = [v for ex in kept for v in ex[1]]
            D = [v for ex in kept for v in ex[2]]
            vec, clf = fit(X, y, D, args.C)
            path = Path(tmp) / f"fold{k}.json"
            write_model(vec, clf, (0.0, 0.42), lemmas, path)
            attributor = Attributor(CueModel.load(path))
            for i in fold:
                out["train"][docs_gold[i].stem] = marks(attributor, docs[i], args.min_p)
            log.info(
                "fold %d: %d articles scored by a model fitted on %d", k, len(fold), len(fit_ids)
            )
    nlp = load_model()
    dev = sorted((POLNEAR / "dev" / "text").glob("*.txt"))
    shipped = Attributor()
    for path, doc in zip(dev, nlp.pipe(p.read_text(encoding="utf-8") for p in dev), strict=True):
        out["dev"][path.stem] = marks(shipped, doc, args.min_p)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, separators=(",", ":")))
    n = sum(len(v) for split in out.values() for v in split.values())
    log.info("wrote %s: %d marks over %d articles", args.out, n, sum(map(len, out.values())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

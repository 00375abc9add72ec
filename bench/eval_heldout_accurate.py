"""Score accurate mode on the 40 train articles the tagger did not see (or on dev).

    python bench/eval_heldout_accurate.py [--split heldout|dev] [--mode accurate|fast]
        [--set NAME=VALUE ...] [--bias-add S,C,X] [--cue-model FILE] [--json]
        [--errors FILE] [--write-names FILE]

``heldout`` is the tagger's own held-out selection (train/train_tagger.py:
annotated train articles sorted, ``random.Random(13).shuffle``, the first 40),
so tuning the combination there never looks at dev. Parses and the tagger's
probabilities are cached under cache/accurate/ (the first run fills them), so each
variant costs only the attribute + combine + resolve stages; ``--set`` changes
a module constant of onrecord.accurate.combine (or onrecord.accurate.tagger with ``tagger.``)
for the run, e.g. ``--set KEEP_UNSUPPORTED=0.8``; ``--bias-add S,C,X`` shifts the
tagger's decoding biases per role (source, cue, content), on top of accurate
mode's own (``combine.ROLE_BIAS``).

The shipped fast-mode cue model was fitted on all of train, held-out articles
included, so its confidences there are too good (full F1 0.736 on the held-out
40 with it, 0.697 with an honest one). Tune with a cue model that never saw
them::

    python bench/eval_heldout_accurate.py --write-names cache/accurate/heldout.names
    python train/train_fast.py --holdout-names cache/accurate/heldout.names --out cache
    python bench/eval_heldout_accurate.py --cue-model cache/cue_model.without-heldout.json

(``make tune-accurate ARGS="--set NAME=VALUE"`` does the three.) A tagger that is not the
shipped one, e.g. ``make train-marks``'s: ``--set 'tagger.DATA_DIR="out/marks"'``; a tagger
trained with marks gets them from the cue model in use.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from onrecord.accurate import combine, tagger  # noqa: E402
from onrecord.eval.scorer import load_gold, score, write_errors  # noqa: E402
from onrecord.pipeline import Pipeline, _Prepared  # noqa: E402
from onrecord.stages.attribute import CueModel  # noqa: E402
from onrecord.stages.quotes import find_quotes  # noqa: E402
from score_tagger import article_of  # noqa: E402  (a sibling script)

POLNEAR = ROOT.parent / "shared" / "data" / "polnear"
CACHE = ROOT / "cache" / "accurate"
HOLDOUT, SEED = 40, 13


def heldout_articles() -> list[str]:
    """The train articles train_tagger.py held out (same selection, same order rules)."""
    split = POLNEAR / "train"
    texts = {p.stem for p in (split / "text").glob("*.txt")}
    annotated = {article_of(ann) for ann in (split / "attributions").glob("*.ann")}
    arts = sorted(a for a in texts if a in annotated)
    random.Random(SEED).shuffle(arts)
    return sorted(arts[:HOLDOUT])


def load_split(name: str) -> tuple[Path, list[str]]:
    if name == "heldout":
        return POLNEAR / "train", heldout_articles()
    gold_dir = POLNEAR / name
    return gold_dir, sorted(p.stem for p in (gold_dir / "text").glob("*.txt"))


def cached_docs(pipe: Pipeline, split: str, names: list[str], texts: list[str]) -> list:
    from spacy.tokens import Doc

    path = CACHE / f"{split}.docs.pkl"
    if path.is_file():
        blobs = pickle.loads(path.read_bytes())
        if list(blobs) == names:
            return [Doc(pipe.nlp.vocab).from_bytes(blobs[n]) for n in names]
    docs = list(pipe.nlp.pipe(texts, batch_size=16))
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps({n: d.to_bytes() for n, d in zip(names, docs, strict=True)}))
    return docs


def cached_probabilities(
    split: str, names: list[str], texts: list[str], marks: list | None = None
) -> list:
    """Per text: the tagger's encoding and label probabilities (``Tagger.probabilities``);
    ``marks``: per text the parse's cue candidates, for a tagger that takes them."""
    path = CACHE / f"{split}.probs.pkl"
    model = tagger.DATA_DIR / tagger.MODEL_FILE
    stamp = f"{model.stat().st_size}:{int(model.stat().st_mtime)}"
    if marks is not None:
        stamp += f":marks{hash(repr(marks)) & 0xFFFFFFFF:08x}"
    if path.is_file():
        data = pickle.loads(path.read_bytes())
        if data.get("stamp") == stamp and data["names"] == names:
            return list(data["probs"])
    probs = tagger.Tagger().probabilities(texts, marks)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps({"stamp": stamp, "names": names, "probs": probs}))
    return probs


def decoded_spans(texts: list[str], probs: list, bias_add: list[float]) -> dict:
    """Raw tagger spans per text, decoded as accurate mode decodes them (the model's biases plus
    ``combine.ROLE_BIAS``), plus ``bias_add`` per role."""
    config = json.loads((tagger.DATA_DIR / tagger.CONFIG_FILE).read_text())
    bias = np.asarray(config.get("bias", [0.0] * len(tagger.LABELS)), dtype=np.float32)
    for r, extra in enumerate(np.add(combine.ROLE_BIAS, bias_add)):
        bias[2 * r + 1 : 2 * r + 3] += extra
    decoder = SimpleNamespace(bias=bias)
    return {
        t: tagger.Tagger._spans(decoder, t, enc, p)  # type: ignore[arg-type]
        for t, (enc, p) in zip(texts, probs, strict=True)
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="heldout", help="heldout (default) or a PolNeAR split")
    ap.add_argument("--mode", default="accurate")
    ap.add_argument("--set", action="append", default=[], help="NAME=VALUE (module constant)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--errors", type=Path)
    ap.add_argument(
        "--write-names", type=Path, help="write the held-out article names to FILE and stop"
    )
    ap.add_argument(
        "--cue-model",
        type=Path,
        help="fast mode's cue model to use instead of the shipped one, e.g. the one "
        "train/train_fast.py --holdout-names fitted without the held-out articles",
    )
    ap.add_argument(
        "--bias-add",
        default="0,0,0",
        help="source,cue,content: added to the model's decoding biases (log-probability)",
    )
    args = ap.parse_args()
    for item in args.set:
        key, value = item.split("=", 1)
        module = combine
        if key.startswith("tagger."):
            module, key = tagger, key.split(".", 1)[1]
        if not hasattr(module, key):
            ap.error(f"{module.__name__} has no {key}")
        setattr(module, key, type(getattr(module, key))(json.loads(value)))

    if args.write_names is not None:
        args.write_names.parent.mkdir(parents=True, exist_ok=True)
        args.write_names.write_text("\n".join(heldout_articles()) + "\n")
        print(f"wrote {args.write_names}")
        return 0
    gold_dir, names = load_split(args.split)
    wanted = set(names)
    gold = [g for g in load_gold(gold_dir) if g.stem in wanted]
    texts_by = {g.stem: g.text for g in gold}
    names = [n for n in names if n in texts_by]
    texts = [texts_by[n] for n in names]

    pipe = Pipeline(mode="accurate")
    if args.cue_model is not None:
        pipe.attributor.cue_model = CueModel.load(args.cue_model)
    docs = cached_docs(pipe, args.split, names, texts)
    marks = None
    if pipe._combiner.wants_marks:  # the cue candidates of the cue model in use
        marks = [
            combine.cue_marks(pipe.attributor, d, find_quotes(t))
            for d, t in zip(docs, texts, strict=True)
        ]
    probs = cached_probabilities(args.split, names, texts, marks)
    spans = decoded_spans(texts, probs, [float(x) for x in args.bias_add.split(",")])
    soft = {t: tagger.RoleProbs.of(enc, p) for t, (enc, p) in zip(texts, probs, strict=True)}
    pipe._combiner.tagger.tag_soft = lambda ts, marks=None: [(spans[t], soft[t]) for t in ts]
    if args.mode == "fast":
        pipe._combiner = None
    t0 = time.time()
    records = {
        n: pipe._record(d, _Prepared(n, d.text, None, None, [], []))
        for n, d in zip(names, docs, strict=True)
    }
    dt = time.time() - t0
    report = score(gold, records)
    if args.errors:
        write_errors(report, args.errors)
    if args.json:
        print(json.dumps(report.to_dict(), indent=1))
    else:
        print(report.format_table())
        print(
            f"{args.split}: {len(names)} articles, {dt / len(names) * 1000:.1f} ms/doc after parse"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

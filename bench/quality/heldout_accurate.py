"""Score accurate mode on the 40 train articles the tagger did not see (or on dev).

A dev-time tuning tool: it reaches into the pipeline's internals and, with ``--set``, rewrites
module constants for the run.

    python -m bench.quality.heldout_accurate [--split heldout|dev] [--mode accurate|fast]
        [--set NAME=VALUE ...] [--bias-add S,C,X] [--cue-model FILE] [--json]
        [--errors FILE] [--write-names FILE]

``heldout`` is the tagger's own held-out selection (train/train_tagger.py:
annotated train articles sorted, ``random.Random(13).shuffle``, the first 40),
so tuning the combination there never looks at dev. Parses and the tagger's
probabilities are cached under cache/accurate/ (the first run fills them), so each
variant costs only the attribute + combine + resolve stages. ``--set NAME=VALUE``
changes a module constant for the run, before the pipeline is built; NAME is
``onrecord.accurate.combine.NAME``, ``onrecord.accurate.tagger.NAME`` (or any other
``onrecord`` module's), and a bare ``NAME`` is one of ``onrecord.accurate.combine``, e.g.
``--set KEEP_UNSUPPORTED=0.8``; VALUE is JSON. ``--bias-add S,C,X`` shifts the
tagger's decoding biases per role (source, cue, content), on top of accurate
mode's own (``onrecord.accurate.combine.ROLE_BIAS``).

The shipped fast-mode cue model was fitted on all of train, held-out articles
included, so its confidences there are too good (full F1 0.736 on the held-out
40 with it, 0.697 with an honest one). Tune with a cue model that never saw
them::

    python -m bench.quality.heldout_accurate --write-names cache/accurate/heldout.names
    python train/train_fast.py --holdout-names cache/accurate/heldout.names --out cache
    python -m bench.quality.heldout_accurate --cue-model cache/cue_model.without-heldout.json

(``make tune-accurate ARGS="--set NAME=VALUE"`` does the three.) A tagger that is not the
shipped one, e.g. ``make train-small``'s:
``--set 'onrecord.accurate.tagger.DATA_DIR="out/l3"'``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pickle
import random
import time
from pathlib import Path
from types import ModuleType, SimpleNamespace

import numpy as np

from onrecord.accurate import combine, tagger
from onrecord.eval.scorer import load_gold, score, write_errors
from onrecord.pipeline import Pipeline, _Prepared
from onrecord.stages.attribute import CueModel

ROOT = Path(__file__).resolve().parents[2]
POLNEAR = ROOT.parent / "shared" / "data" / "polnear"
CACHE = ROOT / "cache" / "accurate"
HOLDOUT, SEED = 40, 13


def heldout_articles() -> list[str]:
    """The train articles train_tagger.py held out (same selection, same order rules)."""
    split = POLNEAR / "train"
    texts = {p.stem for p in (split / "text").glob("*.txt")}
    # ``<article>_<annotator>.ann``
    annotated = {ann.stem.rsplit("_", 1)[0] for ann in (split / "attributions").glob("*.ann")}
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


def cached_probabilities(split: str, names: list[str], texts: list[str]) -> list:
    """Per text: the tagger's encoding and label probabilities (``Tagger.probabilities``)."""
    path = CACHE / f"{split}.probs.pkl"
    model = tagger.DATA_DIR / tagger.MODEL_FILE
    stamp = f"{model.stat().st_size}:{int(model.stat().st_mtime)}"
    if path.is_file():
        data = pickle.loads(path.read_bytes())
        if data.get("stamp") == stamp and data["names"] == names:
            return list(data["probs"])
    probs = tagger.Tagger().probabilities(texts)
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


def set_constant(item: str) -> str | None:
    """Apply one ``--set NAME=VALUE``; an error message, or None."""
    key, sep, value = item.partition("=")
    if not sep:
        return f"--set {item!r}: expected NAME=VALUE"
    where, _, name = key.rpartition(".")
    module: ModuleType = combine
    if where:
        if not where.startswith("onrecord."):
            return f"--set {key}: name a module of onrecord, e.g. onrecord.accurate.tagger.{name}"
        try:
            module = importlib.import_module(where)
        except ImportError:
            return f"--set {key}: there is no module {where}"
    if not hasattr(module, name):
        return f"{module.__name__} has no {name}"
    setattr(module, name, type(getattr(module, name))(json.loads(value)))
    return None


def main() -> int:
    ap = argparse.ArgumentParser(
        description="Score accurate mode on the tagger's held-out train articles (dev-time tool)."
    )
    ap.add_argument("--split", default="heldout", help="heldout (default) or a PolNeAR split")
    ap.add_argument("--mode", default="accurate")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="rewrite a module constant for the run: onrecord.accurate.combine.NAME (or a bare "
        "NAME), onrecord.accurate.tagger.NAME, ...; VALUE is JSON",
    )
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
        problem = set_constant(item)
        if problem:
            ap.error(problem)

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
    probs = cached_probabilities(args.split, names, texts)
    spans = decoded_spans(texts, probs, [float(x) for x in args.bias_add.split(",")])
    soft = {t: tagger.RoleProbs.of(enc, p) for t, (enc, p) in zip(texts, probs, strict=True)}
    pipe._combiner.tagger.tag_soft = lambda ts: [(spans[t], soft[t]) for t in ts]
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

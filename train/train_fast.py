"""Train fast mode's cue model on PolNeAR train (dev-time only; needs scikit-learn).

    python train/train_fast.py [--gold ../shared/data/polnear/train] [--out src/onrecord/data]

Every candidate token of every train article (first annotator file per
article) is labelled 1 when it heads a gold cue span, and described by
``onrecord.stages.cue_features.cue_features`` — the same function the pipeline calls at
run time. A logistic regression is fitted on 90% of the articles; the
threshold that maximises cue F1 on the other 10% is kept; the model is then
refitted on all of train and written as JSON (feature -> weight).

Parses are cached under ``cache/`` (DocBin) so that re-training is quick.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path

from onrecord.eval.scorer import GoldDocument, load_gold
from onrecord.nlp.model import load_model
from onrecord.stages.attribute import candidate_features
from onrecord.stages.cue_features import is_candidate
from onrecord.stages.quotes import find_quotes

ROOT = Path(__file__).resolve().parents[1]

log = logging.getLogger("train_fast")
DENSE_SCALE = 1.0


def parsed(docs: list[GoldDocument], cache: Path):  # type: ignore[no-untyped-def]
    """spaCy docs for the gold texts, parsed once and cached."""
    from spacy.tokens import DocBin

    nlp = load_model()
    names = [d.stem for d in docs]
    key = cache / "train.spacy"
    index = cache / "train.names"
    if key.exists() and index.exists():
        cached = dict(
            zip(
                index.read_text().split("\n"),
                DocBin().from_disk(key).get_docs(nlp.vocab),
                strict=True,
            )
        )
        if all(n in cached for n in names):
            # DocBin keeps no tensors: recompute the tok2vec output (doc.tensor)
            return list(nlp.get_pipe("tok2vec").pipe(cached[n] for n in names))
    t0 = time.time()
    out = list(nlp.pipe((d.text for d in docs), batch_size=32))
    log.info("parsed %d texts in %.0f s", len(out), time.time() - t0)
    cache.mkdir(parents=True, exist_ok=True)
    db = DocBin(store_user_data=False)
    for doc in out:
        db.add(doc)
    db.to_disk(key)
    index.write_text("\n".join(names))
    return out


def cue_heads(doc, gold: GoldDocument) -> set[int]:  # type: ignore[no-untyped-def]
    """Token indices that head a gold cue span (the token whose head lies outside it)."""
    heads: set[int] = set()
    for att in gold.attributions:
        toks = {t.i for s, e in att.cue for t in doc.char_span(s, e, alignment_mode="expand") or []}
        if not toks:
            continue
        roots = [i for i in toks if doc[i].head.i not in toks or doc[i].head.i == i]
        cands = [i for i in roots if is_candidate(doc[i])] or [
            i for i in sorted(toks) if is_candidate(doc[i])
        ]
        if cands:
            heads.add(cands[0])
    return heads


def examples(doc, gold: GoldDocument | None):  # type: ignore[no-untyped-def]
    """Features, labels and tok2vec rows of a document's cue candidates."""
    heads = cue_heads(doc, gold) if gold is not None else set()
    X, y, D = [], [], []
    for tok, feats in candidate_features(doc, find_quotes(doc.text)):
        X.append(feats)
        y.append(1 if tok.i in heads else 0)
        D.append(doc.tensor[tok.i])
    return X, y, D


def cue_lemmas(per_doc) -> set[str]:  # type: ignore[no-untyped-def]
    """Lemmas that head at least one gold cue (read back from the "l=" feature)."""
    out = set()
    for X, y, _ in per_doc:
        for feats, label in zip(X, y, strict=True):
            if label:
                out.add(feats[1][2:])
    return out


def only(ex, lemmas: set[str]):  # type: ignore[no-untyped-def]
    """Keep the candidates whose lemma is in ``lemmas`` (what the pipeline scores)."""
    X, y, D = ex
    keep = [k for k, feats in enumerate(X) if feats[1][2:] in lemmas]
    return [X[k] for k in keep], [y[k] for k in keep], [D[k] for k in keep]


def fit(X, y, D, C: float):  # type: ignore[no-untyped-def]
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = CountVectorizer(analyzer=lambda x: x, binary=True, min_df=2)
    M = matrix(vec.fit_transform(X), D)
    clf = LogisticRegression(C=C, max_iter=3000, solver="liblinear")
    clf.fit(M, y)
    return vec, clf


def matrix(sparse, D):  # type: ignore[no-untyped-def]
    """Sparse indicator features beside the dense tok2vec row (scaled by DENSE_SCALE)."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    if not len(D):
        return sparse
    dense = csr_matrix(np.asarray(D, dtype=np.float32) * DENSE_SCALE)
    return hstack([sparse, dense]).tocsr()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=ROOT.parent / "shared/data/polnear/train")
    ap.add_argument("--out", type=Path, default=ROOT / "src/onrecord/data")
    ap.add_argument("--cache", type=Path, default=ROOT / "cache")
    ap.add_argument("--C", type=float, default=0.5)
    ap.add_argument(
        "--annotators",
        choices=("first", "union"),
        default="union",
        help="articles with several annotator files: cues of the first file, or of all",
    )
    ap.add_argument(
        "--holdout-names",
        type=Path,
        help="hold out these articles (one name per line) instead of a random 10%%, e.g. the "
        "tagger's held-out 40 (cache/accurate/heldout.names), to fit the combiner on them",
    )
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    gold = load_gold(args.gold)
    first: dict[str, GoldDocument] = {}
    for g in gold:
        if g.stem not in first:
            first[g.stem] = GoldDocument(g.stem, g.annotator, g.text, list(g.attributions))
        elif args.annotators == "union":
            # a cue any annotator marked is a cue
            first[g.stem].attributions.extend(g.attributions)
    docs_gold = list(first.values())
    docs = parsed(docs_gold, args.cache)
    per_doc = [examples(d, g) for d, g in zip(docs, docs_gold, strict=True)]

    rng = random.Random(13)
    order = list(range(len(per_doc)))
    rng.shuffle(order)
    cut = len(order) // 10
    held, fit_ids = order[:cut], order[cut:]
    if args.holdout_names is not None:
        wanted = set(args.holdout_names.read_text().split())
        held = [i for i in order if docs_gold[i].stem in wanted]
        fit_ids = [i for i in order if docs_gold[i].stem not in wanted]
        log.info("holding out %d articles named in %s", len(held), args.holdout_names)
    lemmas = cue_lemmas([per_doc[i] for i in fit_ids])
    log.info("%d lemmas head a cue in the fitting part", len(lemmas))
    per_doc = [only(ex, lemmas) for ex in per_doc]
    X = [x for i in fit_ids for x in per_doc[i][0]]
    y = [v for i in fit_ids for v in per_doc[i][1]]
    D = [v for i in fit_ids for v in per_doc[i][2]]
    vec, clf = fit(X, y, D, args.C)
    Xh = [x for i in held for x in per_doc[i][0]]
    yh = [v for i in held for v in per_doc[i][1]]
    Dh = [v for i in held for v in per_doc[i][2]]
    probs = clf.predict_proba(matrix(vec.transform(Xh), Dh))[:, 1]
    best = (0.0, 0.5)
    for thr in [i / 100 for i in range(15, 80)]:
        tp = sum(1 for p, t in zip(probs, yh, strict=True) if p >= thr and t)
        fp = sum(1 for p, t in zip(probs, yh, strict=True) if p >= thr and not t)
        fn = sum(1 for p, t in zip(probs, yh, strict=True) if p < thr and t)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best[0]:
            best = (f1, thr)
    log.info("held-out cue-head F1 %.3f at threshold %.2f", *best)
    # the 90% model and the held-out names, for tuning the stages after the cue
    # model on train articles it has not seen (train/quick_eval.py --heldout); with
    # --holdout-names, the model fitted without those (bench/quality/heldout_accurate.py)
    if args.holdout_names is None:
        write_model(vec, clf, best, lemmas, args.cache / "cue_model.heldout.json")
        (args.cache / "heldout.names").write_text("\n".join(docs_gold[i].stem for i in held))
    else:
        held_model = args.cache / f"cue_model.without-{args.holdout_names.stem}.json"
        write_model(vec, clf, best, lemmas, held_model)

    per_doc = [examples(d, g) for d, g in zip(docs, docs_gold, strict=True)]
    lemmas = cue_lemmas(per_doc)
    per_doc = [only(ex, lemmas) for ex in per_doc]
    X_all = [x for xs, _, _ in per_doc for x in xs]
    y_all = [v for _, ys, _ in per_doc for v in ys]
    D_all = [v for _, _, ds in per_doc for v in ds]
    vec, clf = fit(X_all, y_all, D_all, args.C)
    out = args.out / "cue_model.json"
    write_model(vec, clf, best, lemmas, out)
    log.info("wrote %s (%d examples, %d positives)", out, len(y_all), sum(y_all))
    return 0


def write_model(vec, clf, best: tuple[float, float], lemmas: set[str], out: Path) -> None:  # type: ignore[no-untyped-def]
    names = vec.get_feature_names_out()
    coef = clf.coef_[0]
    weights = {
        str(n): round(float(w), 3)
        for n, w in zip(names, coef[: len(names)], strict=True)
        if abs(w) >= 0.01
    }
    dense = [round(float(w) * DENSE_SCALE, 5) for w in coef[len(names) :]]
    out.write_text(
        json.dumps(
            {
                "about": "onrecord fast-mode cue model: logistic regression over "
                "onrecord.stages.cue_features.cue_features, trained on PolNeAR train by "
                "train/train_fast.py",
                "bias": round(float(clf.intercept_[0]), 4),
                "threshold": best[1],
                "heldout_f1": round(best[0], 4),
                "dense": dense,
                "lemmas": sorted(lemmas),
                "weights": dict(sorted(weights.items())),
            },
            separators=(",", ":"),
        )
    )


if __name__ == "__main__":
    raise SystemExit(main())

"""What the reference baselines share: run a spaCy rule over a split, score it.

A baseline is a function from a parsed ``Doc`` to a list of ``Attribution``;
``main`` parses every annotated text of the split with the project's model
loader, builds the records and scores them with ``onrecord.eval.scorer.score``
(the same scorer as ``onrecord eval``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from onrecord.eval.scorer import corpus_hash, load_gold, score, write_errors
from onrecord.nlp.model import load_model
from onrecord.record import Attribution, Content, Cue, Record, Source, Span

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev"

Baseline = Callable[[Any], list[Attribution]]  # spaCy Doc -> attributions


def token_spans(tokens: Sequence[Any]) -> list[Span]:
    """Character spans of tokens, consecutive tokens joined into one span."""
    spans: list[Span] = []
    previous = -2
    for tok in sorted(tokens, key=lambda t: t.i):
        start, end = tok.idx, tok.idx + len(tok.text)
        if spans and tok.i == previous + 1:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
        previous = tok.i
    return spans


def make_attribution(
    n: int, text: str, content: list[Span], source: list[Span], cue: list[Span], lemma: str
) -> Attribution:
    def join(spans: list[Span]) -> str:
        return " ".join(text[s:e] for s, e in spans)

    return Attribution(
        id=f"a{n}",
        kind="indirect",
        content=Content(join(content), content),
        cue=Cue(join(cue), lemma, cue) if cue else None,
        source=Source(join(source), source) if source else None,
    )


def main(baseline: Baseline, *, name: str, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"{name}, scored on a PolNeAR split")
    parser.add_argument("--gold", type=Path, default=DEV, help="a PolNeAR split (default: dev)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--errors", type=Path, help="write error items (JSON Lines) here")
    parser.add_argument("--model", help="spaCy model name (default: onrecord's loader)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    gold = load_gold(args.gold)
    texts = {g.stem: g.text for g in gold}
    stems = sorted(texts)
    nlp = load_model(args.model)
    started = time.perf_counter()
    predictions: dict[str, Record] = {}
    for stem, doc in zip(stems, nlp.pipe((texts[s] for s in stems), batch_size=16), strict=True):
        predictions[stem] = Record(doc=stem, text=doc.text, attributions=baseline(doc))
    elapsed = time.perf_counter() - started
    report = score(gold, predictions)
    report.corpus_hash = corpus_hash(args.gold)
    report.mode = name
    if args.errors:
        write_errors(report, args.errors)
    if args.json:
        data: dict[str, Any] = report.to_dict()
        data["seconds"] = round(elapsed, 1)
        print(json.dumps(data, indent=2))
    else:
        print(f"{name} on {args.gold} ({nlp.meta.get('name')} {nlp.meta.get('version')})")
        print(report.format_table())
        print(f"{elapsed:.1f} s for {len(stems)} articles (parse + rules)")
    return 0


if __name__ == "__main__":
    sys.exit("run bench.baselines.saidverb or bench.baselines.textacy_quotes")

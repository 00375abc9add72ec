"""Score the accurate-mode tagger on PolNeAR dev (or any brat split).

    .venv/bin/python bench/score_tagger.py [--split ../shared/data/polnear/dev] [--threads 1]

Scoring (the project's PolNeAR rules): a gold document is one (article,
annotator file) pair and counts are summed over all pairs; a gold content is
the union of its Content* fragments; E lines without content are skipped.
Predictions are matched one-to-one to gold by content, greedily by largest
character overlap (ties: higher Dice), zero overlap never matching.
content_partial: Dice of the content characters >= 0.5. For those pairs the
source is right when predicted and gold sources share a character (or both are
empty), the cue likewise; full = content_partial and source and cue.

The brat reader and the scorer are importable (the training script uses them).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

Span = tuple[int, int]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPLIT = ROOT.parent / "shared" / "data" / "polnear" / "dev"

_T = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t")
_E = re.compile(r"^(E\d+)\t(.*)$")


@dataclass(slots=True)
class GoldAttribution:
    source: list[Span]
    cue: list[Span]
    content: list[Span]


def read_ann(path: Path) -> list[GoldAttribution]:
    """The attributions (E lines with content) of one brat .ann file."""
    spans: dict[str, list[Span]] = {}
    events: list[list[tuple[str, str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _T.match(line)
        if m:
            spans[m.group(1)] = [
                (int(a), int(b)) for a, b in (part.split() for part in m.group(3).split(";"))
            ]
            continue
        m = _E.match(line)
        if m:
            args = [tuple(a.split(":", 1)) for a in m.group(2).split() if ":" in a]
            events.append([(r, t) for r, t in args])
    out: list[GoldAttribution] = []
    for ev in events:
        g = GoldAttribution([], [], [])
        for role, tid in ev:
            frags = spans.get(tid, [])
            if role.startswith("Content"):
                g.content.extend(frags)
            elif role.startswith("Source"):
                g.source.extend(frags)
            elif role.startswith("Cue"):
                g.cue.extend(frags)
        if g.content:
            out.append(g)
    return out


def article_of(ann: Path) -> str:
    """``name_xxxx.ann`` -> ``name`` (the annotator suffix dropped)."""
    return ann.stem.rsplit("_", 1)[0]


def load_split(split: Path) -> tuple[dict[str, str], list[tuple[str, list[GoldAttribution]]]]:
    """Texts by article, and the gold documents: (article, attributions) per .ann file."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((split / "text").glob("*.txt"))}
    golds = []
    for ann in sorted((split / "attributions").glob("*.ann")):
        art = article_of(ann)
        if art in texts:
            golds.append((art, read_ann(ann)))
    return texts, golds


def _chars(spans: list[Span]) -> set[int]:
    return {i for s, e in spans for i in range(s, e)}


@dataclass(slots=True)
class Counts:
    pred: int = 0
    gold: int = 0
    partial: int = 0
    full: int = 0
    cue: int = 0
    source: int = 0

    def add(self, other: Counts) -> None:
        self.pred += other.pred
        self.gold += other.gold
        self.partial += other.partial
        self.full += other.full
        self.cue += other.cue
        self.source += other.source

    def prf(self, tp: int) -> tuple[float, float, float]:
        p = tp / self.pred if self.pred else 0.0
        r = tp / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_doc(
    preds: list[tuple[list[Span], list[Span], list[Span]]], gold: list[GoldAttribution]
) -> Counts:
    """Counts for one gold document; ``preds`` are (source, cue, content) span lists."""
    pc = [_chars(p[2]) for p in preds]
    gc = [_chars(g.content) for g in gold]
    cands = []
    for i, a in enumerate(pc):
        for j, b in enumerate(gc):
            ov = len(a & b)
            if ov:
                cands.append((ov, 2 * ov / (len(a) + len(b)), i, j))
    cands.sort(key=lambda c: (-c[0], -c[1], c[2], c[3]))
    used_p: set[int] = set()
    used_g: set[int] = set()
    c = Counts(pred=len(preds), gold=len(gold))
    for _, dice, i, j in cands:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        if dice < 0.5:
            continue
        c.partial += 1
        ps, gs = _chars(preds[i][0]), _chars(gold[j].source)
        src_ok = bool(ps & gs) or (not ps and not gs)
        pq, gq = _chars(preds[i][1]), _chars(gold[j].cue)
        cue_ok = bool(pq & gq) or (not pq and not gq)
        c.source += src_ok
        c.cue += cue_ok
        c.full += src_ok and cue_ok
    return c


def score(
    preds: dict[str, list[tuple[list[Span], list[Span], list[Span]]]],
    golds: list[tuple[str, list[GoldAttribution]]],
) -> Counts:
    total = Counts()
    for art, gold in golds:
        total.add(score_doc(preds.get(art, []), gold))
    return total


def report(c: Counts) -> str:
    lines = []
    for name, tp in (("content_partial", c.partial), ("full", c.full)):
        p, r, f = c.prf(tp)
        lines.append(f"{name:16s} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    if c.partial:
        lines.append(
            f"on content_partial matches: cue ok {c.cue / c.partial:.3f}, "
            f"source ok {c.source / c.partial:.3f}  (pred {c.pred}, gold {c.gold})"
        )
    return "\n".join(lines)


def official_report(
    split: Path,
    texts: dict[str, str],
    preds: dict[str, list[tuple[list[Span], list[Span], list[Span]]]],
) -> str | None:
    """The table of ``onrecord.eval.scorer`` (the official scorer), when that module exists."""
    try:
        from onrecord.eval.scorer import load_gold
        from onrecord.eval.scorer import score as official_score
        from onrecord.record import Attribution, Content, Cue, Record, Source
    except ImportError:
        return None

    def join(text: str, spans: list[Span]) -> str:
        return " … ".join(text[s:e] for s, e in spans)

    records = {}
    for art, text in texts.items():
        attrs = []
        for k, (src, cue, content) in enumerate(preds.get(art, [])):
            attrs.append(
                Attribution(
                    id=f"a{k}",
                    kind="indirect",
                    content=Content(join(text, content), content),
                    cue=Cue(join(text, cue), join(text, cue).lower(), cue) if cue else None,
                    source=Source(join(text, src), src) if src else None,
                )
            )
        records[art] = Record(doc=art, text=text, attributions=attrs)
    return str(official_score(load_gold(split), records).format_table())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", type=Path, default=DEFAULT_SPLIT)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--model-dir", type=Path, default=None)
    args = ap.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    from onrecord.accurate.tagger import Tagger

    texts, golds = load_split(args.split)
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
    table = official_report(args.split, texts, preds)
    if table:
        print("official scorer (onrecord.eval.scorer):")
        print(table)
        print("\nthis script's scorer:")
    print(report(score(preds, golds)))
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

"""Score the plain-text cleaner on the Zyte benchmark's labelled lines, and time it.

``../shared/data/zyte-benchmark/fulltext-lines.jsonl`` has, per page, every
visible line of the page (``fulltext``) and a label per line (1 = article
body, 0 = boilerplate). A line the cleaner keeps counts as predicted body.
Precision, recall and F1 are character-weighted over all lines of all pages
(micro), as the data set's README defines its reference points: keep every
line F1 0.694, the C4 line rules 0.864. Both references are recomputed here
next to ``onrecord.stages.clean`` so the numbers share one scorer.

This is a measurement set: the cleaner's rules are not fitted to it.

    .venv/bin/python -m bench.quality.clean            # scores + timing
    .venv/bin/python -m bench.quality.clean --errors 40  # also list the heaviest mistakes
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from onrecord.stages.clean import clean_text, line_reasons

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "zyte-benchmark" / "fulltext-lines.jsonl"
EXAMPLE = ROOT.parent / "shared" / "examples" / "rferl-putin-record.txt"

#: a system maps a page's lines to one keep/drop decision per line
System = Callable[[list[str]], list[bool]]

_C4_POLICY = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)


def keep_all(lines: list[str]) -> list[bool]:
    return [True] * len(lines)


def c4_rules(lines: list[str]) -> list[bool]:
    """C4's line filters (Raffel et al. 2020): terminal punctuation, >= 3 words, no policy."""
    keep = []
    for line in lines:
        s = line.strip()
        low = s.lower()
        keep.append(
            len(s.split()) >= 3
            and s.endswith((".", "!", "?", '"', "”"))
            and "javascript" not in low
            and not any(p in low for p in _C4_POLICY)
        )
    return keep


def onrecord_clean(lines: list[str]) -> list[bool]:
    reasons = line_reasons("\n".join(lines))
    return [r is None for r in reasons]


SYSTEMS: dict[str, System] = {
    "keep every line": keep_all,
    "C4 line rules": c4_rules,
    "onrecord.stages.clean": onrecord_clean,
}


def score(pages: list[dict[str, object]], system: System) -> dict[str, float]:
    tp = fp = fn = 0
    for page in pages:
        lines = str(page["fulltext"]).split("\n")
        labels = page["labels"]
        assert isinstance(labels, list) and len(labels) == len(lines)
        for line, label, keep in zip(lines, labels, system(lines), strict=True):
            weight = len(line.strip())
            if keep and label:
                tp += weight
            elif keep:
                fp += weight
            elif label:
                fn += weight
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def errors(pages: list[dict[str, object]], limit: int) -> None:
    """The heaviest wrongly kept and wrongly removed lines, with the reason given."""
    wrong: list[tuple[int, str, str, str]] = []
    for page in pages:
        lines = str(page["fulltext"]).split("\n")
        labels = page["labels"]
        assert isinstance(labels, list)
        for line, label, reason in zip(lines, labels, line_reasons("\n".join(lines)), strict=True):
            if label and reason is not None:
                wrong.append((len(line), f"removed ({reason})", str(page["doc"])[:8], line))
            elif not label and reason is None and line.strip():
                wrong.append((len(line), "kept", str(page["doc"])[:8], line))
    wrong.sort(reverse=True)
    for weight, what, doc, line in wrong[:limit]:
        print(f"{weight:6d} {what:28s} {doc} {line[:110]!r}")


def timing(text: str, repeat: int = 200) -> float:
    """Median milliseconds per ``clean_text`` call."""
    clean_text(text)
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        clean_text(text)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--errors", type=int, default=0, help="list this many worst lines")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"bench.quality.clean: {args.data} is absent (../shared is not beside the checkout)")
        return 1
    pages = [json.loads(line) for line in args.data.open(encoding="utf-8")]
    n_lines = sum(len(p["labels"]) for p in pages)
    print(f"{len(pages)} pages, {n_lines} lines; character-weighted micro P / R / F1 over lines")
    for name, system in SYSTEMS.items():
        s = score(pages, system)
        print(f"  {name:18s} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}")

    t0 = time.perf_counter()
    for page in pages:
        clean_text(str(page["fulltext"]))
    per_page = (time.perf_counter() - t0) / len(pages) * 1000
    mean_lines = n_lines / len(pages)
    print(f"speed: {per_page:.2f} ms per benchmark page (mean {mean_lines:.0f} lines)")
    if EXAMPLE.exists():
        text = EXAMPLE.read_text(encoding="utf-8")
        n = len(re.findall(r"\S+", text))
        print(f"speed: {timing(text):.3f} ms median for the RFE/RL example ({n} words)")
    if args.errors:
        errors(pages, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())

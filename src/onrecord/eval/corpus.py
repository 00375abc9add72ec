"""Scoring the corpus layer against the hand-checked sets in ``eval/corpus``.

The sets are anchored to PolNeAR's gold spans (``eval/corpus/GUIDE.md``):

- ``speakers.jsonl``: a named source mention (document, offsets) and the
  identity it refers to. A mention is *found* when a stored attribution of that
  document has a source span overlapping it; its predicted speaker is that
  attribution's ``speaker_id`` (none: a speaker of its own). Merging is scored
  by pairs of found mentions: precision = pairs with the same speaker that
  are one identity / pairs with the same speaker; recall = pairs of one
  identity with the same speaker / pairs of one identity. Across articles is
  the layer's job (within one article the record already resolved the
  mentions), so that is the headline; all pairs are reported too.
- ``statements.jsonl``: two gold contents (document, offsets) of one speaker
  and whether they report the same statement. A side is found when a stored
  attribution's content overlaps it (the one overlapping most); the pair is
  predicted the same when both sides are found and share a ``statement_id``.
  Precision and recall over pairs; recall is also given over pairs whose
  both sides were found (the layer's own share of the misses).

The store is one made by ingesting PolNeAR's train and dev texts with their
publisher and date (``python -m eval.corpus.tool documents``; docs/quality.md).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onrecord.errors import InputError

if TYPE_CHECKING:
    from onrecord.store.database import Store


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the corpus set ({exc.strerror})") from exc
    out = []
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError as exc:
                raise InputError(f"{path}:{n}: not JSON ({exc})") from exc
    return out


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(slots=True)
class PairScore:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "tp": self.tp,
            "predicted": self.predicted,
            "gold": self.gold,
        }


@dataclass(slots=True)
class CorpusReport:
    mentions: int = 0
    found: int = 0
    in_layer: int = 0  # found, and given a speaker by the layer
    identities: int = 0
    across: PairScore = field(default_factory=PairScore)
    all_pairs: PairScore = field(default_factory=PairScore)
    #: (identity, identity) merged into one speaker, with the number of mention pairs
    wrong_merges: list[tuple[str, str, int]] = field(default_factory=list)
    #: identities split over several speakers: identity -> speaker names with mention counts
    splits: list[tuple[str, list[tuple[str, int]]]] = field(default_factory=list)
    pairs: int = 0
    pairs_found: int = 0
    statements: PairScore = field(default_factory=PairScore)
    statements_found: PairScore = field(default_factory=PairScore)
    statement_errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "speakers": {
                "mentions": self.mentions,
                "found": self.found,
                "in_layer": self.in_layer,
                "identities": self.identities,
                "across_articles": self.across.to_dict(),
                "all_pairs": self.all_pairs.to_dict(),
                "wrong_merges": [list(w) for w in self.wrong_merges],
                "splits": [[i, [list(s) for s in ss]] for i, ss in self.splits],
            },
            "statements": {
                "pairs": self.pairs,
                "found": self.pairs_found,
                "all": self.statements.to_dict(),
                "found_pairs": self.statements_found.to_dict(),
                "errors": self.statement_errors,
            },
        }

    def format_table(self) -> str:
        a, s, f = self.across, self.statements, self.statements_found
        lines = [
            f"speaker identity: {self.mentions} mentions of {self.identities} identities; "
            f"{self.found} found in the store, {self.in_layer} of them with a speaker",
            f"  merge across articles  P {a.precision:.3f}  R {a.recall:.3f}  "
            f"({a.tp} / {a.predicted} / {a.gold} pairs)",
            f"  all pairs              P {self.all_pairs.precision:.3f}  "
            f"R {self.all_pairs.recall:.3f}",
        ]
        for x, y, n in self.wrong_merges[:10]:
            lines.append(f"    merged: {x} + {y} ({n} pairs)")
        for identity, split in self.splits[:10]:
            parts = ", ".join(f"{name} ({n})" for name, n in split[:4])
            lines.append(f"    split: {identity} -> {parts}")
        lines += [
            f"statements: {self.pairs} pairs, {self.pairs_found} with both sides found",
            f"  same statement         P {s.precision:.3f}  R {s.recall:.3f}  "
            f"({s.tp} / {s.predicted} / {s.gold} pairs)",
            f"  both sides found       P {f.precision:.3f}  R {f.recall:.3f}",
        ]
        return "\n".join(lines)


def _overlap(spans: list[list[int]], start: int, end: int) -> int:
    return sum(max(0, min(e, end) - max(s, start)) for s, e in spans or [])


class _Article:
    """The stored attributions of one article: their spans, speakers and statements."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.rows = rows  # (source_spans, content_spans, speaker_id, statement_id, name)

    def by_source(self, start: int, end: int) -> tuple[Any, ...] | None:
        best = max(self.rows, key=lambda r: (_overlap(r[0], start, end), r[2] is not None))
        return best if _overlap(best[0], start, end) else None

    def by_content(self, start: int, end: int) -> tuple[Any, ...] | None:
        best = max(self.rows, key=lambda r: _overlap(r[1], start, end))
        return best if _overlap(best[1], start, end) else None


def _articles(store: Store) -> dict[str, _Article]:
    rows = store.con.execute(
        "SELECT ar.doc, a.source_spans, a.content_spans, a.speaker_id, a.statement_id, "
        "s.name FROM attributions a JOIN articles ar ON ar.id = a.article_id "
        "LEFT JOIN speakers s ON s.id = a.speaker_id"
    ).fetchall()
    grouped: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for doc, *rest in rows:
        grouped[doc].append(tuple(rest))
    return {doc: _Article(rs) for doc, rs in grouped.items()}


def score_corpus(directory: Path, store: Store) -> CorpusReport:
    """Score a store's speakers and statements against the sets in ``directory``."""
    report = CorpusReport()
    articles = _articles(store)
    if not articles:
        raise InputError(f"{store.path}: no articles; ingest the PolNeAR texts first")
    _score_speakers(_read(directory / "speakers.jsonl"), articles, report)
    _score_statements(_read(directory / "statements.jsonl"), articles, report)
    return report


def _score_speakers(
    gold: list[dict[str, Any]], articles: dict[str, _Article], report: CorpusReport
) -> None:
    report.mentions = len(gold)
    report.identities = len({g["identity"] for g in gold})
    cells: Counter[tuple[str, str, str]] = Counter()  # (article, identity, speaker)
    names: dict[str, str] = {}
    for g in gold:
        article = articles.get(g["doc"])
        row = article.by_source(g["start"], g["end"]) if article else None
        if row is None:
            continue
        report.found += 1
        speaker = row[2]
        if speaker is None:  # below the layer's floor, or a source that names nobody
            continue
        report.in_layer += 1
        names[speaker] = row[4] or speaker
        cells[(g["doc"], g["identity"], speaker)] += 1

    def pairs(*fields: int) -> int:
        """Mention pairs that agree on these fields of (article, identity, speaker)."""
        counts: Counter[tuple[str, ...]] = Counter()
        for key, n in cells.items():
            counts[tuple(key[i] for i in fields)] += n
        return sum(_pairs(n) for n in counts.values())

    tp, predicted, gold_pairs = pairs(1, 2), pairs(2), pairs(1)
    tp_in, predicted_in, gold_in = pairs(0, 1, 2), pairs(0, 2), pairs(0, 1)
    report.all_pairs = PairScore(tp, predicted, gold_pairs)
    report.across = PairScore(tp - tp_in, predicted - predicted_in, gold_pairs - gold_in)
    by_speaker: dict[str, Counter[str]] = defaultdict(Counter)
    by_identity: dict[str, Counter[str]] = defaultdict(Counter)
    for (_, identity, speaker), n in cells.items():
        by_speaker[speaker][identity] += n
        by_identity[identity][names.get(speaker, speaker)] += n
    merges = []
    for ids in by_speaker.values():
        ranked = ids.most_common()
        for i, (x, nx) in enumerate(ranked):
            for y, ny in ranked[i + 1 :]:
                merges.append((x, y, nx * ny))
    report.wrong_merges = sorted(merges, key=lambda m: -m[2])
    splits = [(i, c.most_common()) for i, c in by_identity.items() if len(c) > 1]
    report.splits = sorted(splits, key=lambda s: -sum(n for _, n in s[1][1:]))


def _score_statements(
    gold: list[dict[str, Any]], articles: dict[str, _Article], report: CorpusReport
) -> None:
    report.pairs = len(gold)
    both = PairScore()
    every = PairScore()
    for g in gold:
        sides = []
        for side in (g["a"], g["b"]):
            article = articles.get(side["doc"])
            sides.append(article.by_content(side["start"], side["end"]) if article else None)
        found = all(s is not None for s in sides)
        same = bool(
            found
            and sides[0] is not None
            and sides[1] is not None
            and sides[0][3] is not None
            and sides[0][3] == sides[1][3]
        )
        every.gold += bool(g["same"])
        every.predicted += same
        every.tp += same and bool(g["same"])
        if found:
            report.pairs_found += 1
            both.gold += bool(g["same"])
            both.predicted += same
            both.tp += same and bool(g["same"])
            if same != bool(g["same"]):
                report.statement_errors.append(
                    {"gold": bool(g["same"]), "a": g["a"], "b": g["b"], "why": g.get("why")}
                )
    report.statements = every
    report.statements_found = both

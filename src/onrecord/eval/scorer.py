"""The official scorer: onrecord's attributions against a PolNeAR split.

A PolNeAR split is a directory with ``text/<stem>.txt`` articles and
``attributions/<stem>_<annotator>.ann`` brat standoff files. The rules:

* A gold *document* is one (article, annotator file) pair. The predictions for
  an article are scored against each of its annotator files and every count
  is summed over all pairs (so an article with three annotator files counts
  its predictions three times).
* A gold attribution is one ``E`` line. Its content is the union of the
  fragments of all its ``Content`` roles (``Content``, ``Content2``, ...), its
  source and cue likewise; fragments may be discontinuous
  (``START END;START END``). ``E`` lines without content are skipped (and
  counted).
* Predictions are every attribution of the record except those whose id is
  some other attribution's ``via``: PolNeAR has no nesting, the outer one is
  scored.
* Predictions and gold are matched one-to-one by content, greedily by the
  largest character overlap (ties: higher Dice); zero overlap never matches.
* ``content_exact``: the two contents are equal once whitespace and
  ``. , ; : " “ ” ' ‘ ’ ( ) —`` are trimmed from both ends of every fragment
  (fragments then separated only by such characters are one stretch, so a
  fragment boundary on a line break does not matter). ``content_partial``:
  Dice of the character positions >= 0.5. For content_partial pairs,
  ``source`` (``cue``) holds when the two sources (cues) share at least one
  character or are both empty; ``full`` = content_partial and source and cue.
* Precision is over the predicted attributions, recall over the gold ones.
  Recall is also reported on the gold contents that hold no quote mark
  (straight or curly double quotes, « »): the target there is >= 0.60.

``score`` is pure (hand-built records, no model); ``evaluate_dir`` runs a
pipeline over a split with ``clean=False`` and scores it as it streams.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from onrecord.errors import GoldDataError, InputError
from onrecord.record import Attribution, Content, Cue, Record, Source, Span

log = logging.getLogger(__name__)

#: characters trimmed from both ends of every fragment before ``content_exact``
TRIM_CHARS = frozenset(".,;:\"“”'‘’()—")
#: a gold content holding any of these is "quoted"; the rest is the no-quote subset
QUOTE_MARKS = frozenset('"“”«»')
#: content_partial threshold on the Dice of the character positions
PARTIAL_DICE = 0.5
#: the target for content_partial recall on contents without quote marks
NO_QUOTE_TARGET = 0.60
#: metric names, in report order
METRICS = ("content_exact", "content_partial", "source", "cue", "full")
#: the numbers the CI gate pins as floors (tests/eval_baseline.json), in order
GATE_METRICS = ("content_partial_f1", "full_f1", "source_f1", "cue_f1", "no_quote_recall")
#: kinds of error items written by ``write_errors``
ERROR_KINDS = (
    "miss",  # gold attribution that overlaps no prediction
    "false_alarm",  # prediction that overlaps no gold attribution
    "boundary",  # matched, but content Dice < 0.5: a miss and a false alarm
    "wrong_source",  # content_partial, source wrong
    "wrong_cue",  # content_partial, cue wrong
    "wrong_source_and_cue",
)

_T_LINE = re.compile(r"^(T\d+)\t([^\t]*)")
_E_LINE = re.compile(r"^(E\d+)\t([^\t]*)")
_ROLE = re.compile(r"^(Content|Source|Cue)\d*$")
_FRAGMENT = re.compile(r"^\s*(\d+)\s+(\d+)\s*$")
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s|\n")
_CONTEXT_LIMIT = 400


# --------------------------------------------------------------------------- gold


@dataclass(slots=True)
class GoldAttribution:
    """One ``E`` line of a gold file: the union of each role's fragments."""

    id: str
    content: list[Span]
    source: list[Span] = field(default_factory=list)
    cue: list[Span] = field(default_factory=list)


@dataclass(slots=True)
class GoldDocument:
    """One (article, annotator file) pair."""

    stem: str
    annotator: str
    text: str
    attributions: list[GoldAttribution]
    #: ``E`` lines left out because they have no content
    skipped_no_content: int = 0

    @property
    def name(self) -> str:
        return f"{self.stem}_{self.annotator}"


def _merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted union of spans; empty spans dropped, overlapping or touching ones joined."""
    out: list[Span] = []
    for s, e in sorted(sp for sp in spans if sp[1] > sp[0]):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _parse_fragments(raw: str, where: str, text_len: int) -> tuple[str, list[Span]]:
    kind, _, offsets = raw.partition(" ")
    if not kind or not offsets:
        raise GoldDataError(f"{where}: a T line needs 'TYPE START END', got {raw!r}")
    spans: list[Span] = []
    for frag in offsets.split(";"):
        m = _FRAGMENT.match(frag)
        if not m:
            raise GoldDataError(f"{where}: bad fragment {frag!r} in {raw!r}")
        s, e = int(m.group(1)), int(m.group(2))
        if not 0 <= s <= e <= text_len:
            raise GoldDataError(
                f"{where}: span {s}-{e} is outside the text ({text_len} characters): "
                "is the .ann file paired with the right text?"
            )
        spans.append((s, e))
    return kind, spans


def parse_ann(ann: str, text: str, *, where: str = "<ann>") -> tuple[list[GoldAttribution], int]:
    """Parse one brat standoff file: (attributions with content, E lines without content).

    Lines other than ``T`` and ``E`` (notes, the text of a fragment that ran
    over a line break) are ignored. An ``E`` role naming an unknown ``T`` is a
    ``GoldDataError``.
    """
    spans_of: dict[str, list[Span]] = {}
    events: list[tuple[str, str, str]] = []
    for lineno, line in enumerate(ann.splitlines(), 1):
        if m := _T_LINE.match(line):
            _, spans = _parse_fragments(m.group(2), f"{where}:{lineno}", len(text))
            spans_of[m.group(1)] = spans
        elif m := _E_LINE.match(line):
            events.append((m.group(1), m.group(2), f"{where}:{lineno}"))
    attributions: list[GoldAttribution] = []
    skipped = 0
    for eid, roles_raw, loc in events:
        roles: dict[str, list[Span]] = {"Content": [], "Source": [], "Cue": []}
        for role_ref in roles_raw.split():
            role, _, tid = role_ref.partition(":")
            rm = _ROLE.match(role)
            if not rm:
                continue  # the trigger (Attribution, Attribution-no-source)
            if tid not in spans_of:
                raise GoldDataError(f"{loc}: {eid} names {tid}, which has no T line")
            roles[rm.group(1)].extend(spans_of[tid])
        content = _merge(roles["Content"])
        if not content:
            skipped += 1
            continue
        attributions.append(
            GoldAttribution(eid, content, _merge(roles["Source"]), _merge(roles["Cue"]))
        )
    return attributions, skipped


def _split_dirs(gold_dir: Path) -> tuple[Path, Path]:
    text_dir, ann_dir = gold_dir / "text", gold_dir / "attributions"
    if not gold_dir.is_dir():
        raise GoldDataError(f"gold directory {gold_dir} does not exist: give a PolNeAR split")
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise GoldDataError(
            f"{gold_dir} is not a PolNeAR split: it needs text/ and attributions/ "
            "(e.g. ../shared/data/polnear/dev)"
        )
    return text_dir, ann_dir


def _read_utf8(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise GoldDataError(f"{path} is not UTF-8 ({exc})") from exc


def load_gold(gold_dir: Path) -> list[GoldDocument]:
    """Every (article, annotator file) pair of a PolNeAR split, sorted by file name."""
    gold_dir = Path(gold_dir)
    text_dir, ann_dir = _split_dirs(gold_dir)
    ann_files = sorted(ann_dir.glob("*.ann"))
    if not ann_files:
        raise GoldDataError(f"{ann_dir} holds no .ann file: is {gold_dir} a PolNeAR split?")
    texts: dict[str, str] = {}
    docs: list[GoldDocument] = []
    for ann_path in ann_files:
        stem, sep, annotator = ann_path.stem.rpartition("_")
        if not sep or not stem:
            raise GoldDataError(f"{ann_path.name}: expected <stem>_<annotator>.ann")
        if stem not in texts:
            text_path = text_dir / f"{stem}.txt"
            if not text_path.is_file():
                raise GoldDataError(f"{ann_path.name} has no text: {text_path} is missing")
            texts[stem] = _read_utf8(text_path)
        text = texts[stem]
        attributions, skipped = parse_ann(_read_utf8(ann_path), text, where=ann_path.name)
        docs.append(GoldDocument(stem, annotator, text, attributions, skipped))
    unannotated = sorted(p.stem for p in text_dir.glob("*.txt") if p.stem not in texts)
    if unannotated:
        log.warning("%d texts have no .ann file and are not scored", len(unannotated))
    log.info("loaded %d gold documents (%d articles) from %s", len(docs), len(texts), gold_dir)
    return docs


def corpus_hash(gold_dir: Path) -> str:
    """sha256 over the names and bytes of ``text/*.txt`` and ``attributions/*.ann``."""
    text_dir, ann_dir = _split_dirs(Path(gold_dir))
    files = sorted(
        [p for p in text_dir.glob("*.txt")] + [p for p in ann_dir.glob("*.ann")],
        key=lambda p: (p.parent.name, p.name),
    )
    h = hashlib.sha256()
    for p in files:
        h.update(f"{p.parent.name}/{p.name}\0".encode())
        data = p.read_bytes()
        h.update(f"{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


# --------------------------------------------------------------------------- span maths


def _length(spans: list[Span]) -> int:
    return sum(e - s for s, e in spans)


def _overlap(a: list[Span], b: list[Span]) -> int:
    """Characters shared by two merged (sorted, disjoint) span lists."""
    i = j = total = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def _dice(overlap: int, a: list[Span], b: list[Span]) -> float:
    size = _length(a) + _length(b)
    return 2 * overlap / size if size else 0.0


def _is_trim(ch: str) -> bool:
    return ch.isspace() or ch in TRIM_CHARS


def canonical_content(spans: list[Span], text: str) -> list[Span]:
    """The spans ``content_exact`` compares.

    Every fragment is trimmed of whitespace and ``TRIM_CHARS`` at both ends;
    empty ones are dropped; fragments separated only by such characters are
    joined.
    """
    trimmed: list[Span] = []
    for s, e in spans:
        while s < e and _is_trim(text[s]):
            s += 1
        while e > s and _is_trim(text[e - 1]):
            e -= 1
        if e > s:
            trimmed.append((s, e))
    out: list[Span] = []
    for s, e in sorted(trimmed):
        if out and all(_is_trim(ch) for ch in text[out[-1][1] : s]):
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def _role_ok(pred: list[Span], gold: list[Span]) -> bool:
    if not pred and not gold:
        return True
    return _overlap(pred, gold) > 0


def _has_quote(spans: list[Span], text: str) -> bool:
    return any(ch in QUOTE_MARKS for s, e in spans for ch in text[s:e])


# --------------------------------------------------------------------------- scoring


@dataclass(slots=True)
class PredictedAttribution:
    """A scored prediction: the attribution's spans, merged."""

    id: str
    content: list[Span]
    source: list[Span]
    cue: list[Span]


def scored_predictions(record: Record) -> tuple[list[PredictedAttribution], int]:
    """The attributions of a record that are scored, and how many were left out.

    An attribution whose id is another attribution's ``via`` is left out: the
    gold has no nesting, the outer attribution is the one scored.
    """
    via_ids = {a.via for a in record.attributions if a.via and a.via != a.id}
    kept: list[PredictedAttribution] = []
    for a in record.attributions:
        if a.id in via_ids:
            continue
        kept.append(_predicted(a))
    return kept, len(record.attributions) - len(kept)


def _predicted(a: Attribution) -> PredictedAttribution:
    return PredictedAttribution(
        a.id,
        _merge(a.content.spans),
        _merge(a.source.spans) if a.source else [],
        _merge(a.cue.spans) if a.cue else [],
    )


@dataclass(slots=True)
class Match:
    """A gold attribution and the prediction matched to it (by content)."""

    gold: int  # index into GoldDocument.attributions
    pred: int  # index into the scored predictions
    overlap: int
    dice: float
    exact: bool
    source_ok: bool
    cue_ok: bool

    @property
    def partial(self) -> bool:
        return self.dice >= PARTIAL_DICE

    @property
    def full(self) -> bool:
        return self.partial and self.source_ok and self.cue_ok


def match(gold: list[GoldAttribution], pred: list[PredictedAttribution], text: str) -> list[Match]:
    """One-to-one greedy matching by largest content overlap, ties by higher Dice.

    Remaining ties go to the earlier gold, then the earlier prediction, so the
    result is deterministic.
    """
    candidates: list[tuple[int, float, int, int]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            ov = _overlap(g.content, p.content)
            if ov > 0:
                candidates.append((ov, _dice(ov, g.content, p.content), gi, pi))
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2], c[3]))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    matches: list[Match] = []
    for ov, dice, gi, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        g, p = gold[gi], pred[pi]
        matches.append(
            Match(
                gi,
                pi,
                ov,
                dice,
                exact=canonical_content(g.content, text) == canonical_content(p.content, text),
                source_ok=_role_ok(p.source, g.source),
                cue_ok=_role_ok(p.cue, g.cue),
            )
        )
    return sorted(matches, key=lambda m: m.gold)


@dataclass(slots=True)
class Side:
    """One side (gold or predicted) of an error item, as text for reading."""

    content: str
    content_spans: list[Span]
    source: str
    cue: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "content": self.content,
            "content_spans": [[s, e] for s, e in self.content_spans],
            "source": self.source,
            "cue": self.cue,
        }


@dataclass(slots=True)
class ErrorItem:
    """A miss, a false alarm, a boundary error or a partial match with a wrong role."""

    kind: str
    doc: str  # <stem>_<annotator>
    sentence: str
    gold: Side | None = None
    pred: Side | None = None
    gold_id: str | None = None
    pred_id: str | None = None
    dice: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "doc": self.doc,
            "gold_id": self.gold_id,
            "pred_id": self.pred_id,
            "dice": None if self.dice is None else round(self.dice, 3),
            "gold": self.gold.to_dict() if self.gold else None,
            "pred": self.pred.to_dict() if self.pred else None,
            "sentence": self.sentence,
        }


def _join(spans: list[Span], text: str) -> str:
    return " … ".join(text[s:e] for s, e in spans)


def _side(item: GoldAttribution | PredictedAttribution, text: str) -> Side:
    return Side(
        _join(item.content, text),
        list(item.content),
        _join(item.source, text),
        _join(item.cue, text),
    )


def sentence_around(text: str, start: int, end: int) -> str:
    """The text around ``start:end``, widened to the nearest sentence-ish boundaries.

    A boundary is a line break or ``. ! ?`` (and closing quotes) before
    whitespace; at most ``_CONTEXT_LIMIT`` characters are added on each side.
    """
    lo = max(0, start - _CONTEXT_LIMIT)
    left = lo
    for boundary in _SENTENCE_END.finditer(text, lo, start):
        left = boundary.end()
    right = min(len(text), end + _CONTEXT_LIMIT)
    # from a little before ``end``: a span that ends on its own full stop (and
    # closing quote) ends its sentence there
    m = _SENTENCE_END.search(text, max(end - 3, left, start), right)
    if m:
        right = m.end()
    return " ".join(text[left:right].split())


def _context(text: str, *spans: list[Span]) -> str:
    flat = [sp for group in spans for sp in group]
    if not flat:
        return ""
    return sentence_around(text, min(s for s, _ in flat), max(e for _, e in flat))


@dataclass(slots=True)
class DocumentScore:
    """The counts of one (article, annotator file) pair."""

    doc: str
    gold: int
    predicted: int
    matched: int
    tp: dict[str, int]
    no_quote_gold: int
    no_quote_found: int
    excluded_via: int
    skipped_no_content: int
    missing_prediction: bool = False
    errors: list[ErrorItem] = field(default_factory=list)


def score_document(gold: GoldDocument, record: Record | None) -> DocumentScore:
    """Score one gold document against the record predicted for its article.

    ``record`` None counts as no prediction at all. Raises ``InputError`` when
    the record's text is not the gold text: offsets would not line up (run
    the pipeline with ``clean=False``).
    """
    text = gold.text
    if record is None:
        pred: list[PredictedAttribution] = []
        excluded = 0
    else:
        if record.text != text:
            raise InputError(
                f"the record for {gold.stem} does not hold the gold text "
                f"({len(record.text)} vs {len(text)} characters): offsets cannot be "
                "compared; run the pipeline with clean=False",
                reason="text_mismatch",
            )
        pred, excluded = scored_predictions(record)
    matches = match(gold.attributions, pred, text)
    tp = dict.fromkeys(METRICS, 0)
    for m in matches:
        tp["content_exact"] += m.exact
        tp["content_partial"] += m.partial
        tp["source"] += m.partial and m.source_ok
        tp["cue"] += m.partial and m.cue_ok
        tp["full"] += m.full
    found = {m.gold for m in matches if m.partial}
    no_quote = [i for i, g in enumerate(gold.attributions) if not _has_quote(g.content, text)]
    return DocumentScore(
        doc=gold.name,
        gold=len(gold.attributions),
        predicted=len(pred),
        matched=len(matches),
        tp=tp,
        no_quote_gold=len(no_quote),
        no_quote_found=sum(1 for i in no_quote if i in found),
        excluded_via=excluded,
        skipped_no_content=gold.skipped_no_content,
        missing_prediction=record is None,
        errors=_errors(gold, pred, matches),
    )


def _errors(
    gold: GoldDocument, pred: list[PredictedAttribution], matches: list[Match]
) -> list[ErrorItem]:
    text = gold.text
    items: list[ErrorItem] = []
    matched_gold = {m.gold: m for m in matches}
    matched_pred = {m.pred for m in matches}
    for gi, g in enumerate(gold.attributions):
        m = matched_gold.get(gi)
        if m is None:
            items.append(
                ErrorItem(
                    "miss",
                    gold.name,
                    _context(text, g.content, g.source, g.cue),
                    gold=_side(g, text),
                    gold_id=g.id,
                )
            )
            continue
        p = pred[m.pred]
        if not m.partial:
            kind = "boundary"
        elif not m.source_ok and not m.cue_ok:
            kind = "wrong_source_and_cue"
        elif not m.source_ok:
            kind = "wrong_source"
        elif not m.cue_ok:
            kind = "wrong_cue"
        else:
            continue
        items.append(
            ErrorItem(
                kind,
                gold.name,
                _context(text, g.content, g.source, g.cue, p.content, p.source, p.cue),
                gold=_side(g, text),
                pred=_side(p, text),
                gold_id=g.id,
                pred_id=p.id,
                dice=m.dice,
            )
        )
    for pi, p in enumerate(pred):
        if pi not in matched_pred:
            items.append(
                ErrorItem(
                    "false_alarm",
                    gold.name,
                    _context(text, p.content, p.source, p.cue),
                    pred=_side(p, text),
                    pred_id=p.id,
                )
            )
    return items


#: per text: (source, cue, content) span lists of each attribution of a span tagger
Tagged = list[tuple[list[Span], list[Span], list[Span]]]


def records_of_spans(texts: dict[str, str], preds: dict[str, Tagged]) -> dict[str, Record]:
    """A span tagger's attributions as records, for ``score`` (the tagger alone, in training
    and in ``bench/quality/tagger.py``)."""

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
    return records


# --------------------------------------------------------------------------- report


@dataclass(slots=True, frozen=True)
class Prf:
    tp: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
        }


@dataclass(slots=True)
class EvalReport:
    """Counts summed over every (article, annotator file) pair."""

    documents: int = 0
    articles: int = 0
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    tp: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    no_quote_gold: int = 0
    no_quote_found: int = 0
    excluded_via: int = 0
    skipped_no_content: int = 0
    missing_predictions: int = 0
    corpus_hash: str | None = None
    mode: str | None = None
    #: versions the scores depend on (int8 kernels round differently between onnxruntime releases)
    runtime: dict[str, str] = field(default_factory=dict)
    errors: list[ErrorItem] = field(default_factory=list)

    def add(self, ds: DocumentScore) -> None:
        self.documents += 1
        self.gold += ds.gold
        self.predicted += ds.predicted
        self.matched += ds.matched
        for k in METRICS:
            self.tp[k] += ds.tp[k]
        self.no_quote_gold += ds.no_quote_gold
        self.no_quote_found += ds.no_quote_found
        self.excluded_via += ds.excluded_via
        self.skipped_no_content += ds.skipped_no_content
        self.missing_predictions += ds.missing_prediction
        self.errors.extend(ds.errors)

    def metric(self, name: str) -> Prf:
        return Prf(self.tp[name], self.predicted, self.gold)

    @property
    def no_quote_recall(self) -> float:
        """content_partial recall on gold contents without quote marks."""
        return self.no_quote_found / self.no_quote_gold if self.no_quote_gold else 0.0

    @property
    def quoted_gold(self) -> int:
        return self.gold - self.no_quote_gold

    @property
    def quoted_recall(self) -> float:
        found = self.tp["content_partial"] - self.no_quote_found
        return found / self.quoted_gold if self.quoted_gold else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "corpus_hash": self.corpus_hash,
            "mode": self.mode,
            "runtime": self.runtime,
            "counts": {
                "documents": self.documents,
                "articles": self.articles,
                "gold": self.gold,
                "predicted": self.predicted,
                "matched": self.matched,
                "excluded_via": self.excluded_via,
                "skipped_gold_no_content": self.skipped_no_content,
                "missing_predictions": self.missing_predictions,
            },
            "metrics": {k: self.metric(k).to_dict() for k in METRICS},
            "no_quote": {
                "gold": self.no_quote_gold,
                "found": self.no_quote_found,
                "recall": round(self.no_quote_recall, 4),
                "target": NO_QUOTE_TARGET,
                "meets_target": self.no_quote_recall >= NO_QUOTE_TARGET,
            },
            "quoted": {
                "gold": self.quoted_gold,
                "found": self.tp["content_partial"] - self.no_quote_found,
                "recall": round(self.quoted_recall, 4),
            },
        }

    def format_table(self) -> str:
        lines = [
            f"{self.documents} gold documents ({self.articles} articles): "
            f"{self.gold} gold, {self.predicted} predicted, {self.matched} matched",
            "",
            f"{'metric':<17}{'precision':>10}{'recall':>9}{'F1':>8}{'tp':>7}",
        ]
        for k in METRICS:
            m = self.metric(k)
            lines.append(f"{k:<17}{m.precision:>10.3f}{m.recall:>9.3f}{m.f1:>8.3f}{m.tp:>7}")
        status = "meets" if self.no_quote_recall >= NO_QUOTE_TARGET else "BELOW"
        lines += [
            "",
            f"recall without quote marks {self.no_quote_recall:.3f} "
            f"({self.no_quote_found}/{self.no_quote_gold}; {status} target "
            f"{NO_QUOTE_TARGET:.2f})",
            f"recall with quote marks    {self.quoted_recall:.3f} "
            f"({self.tp['content_partial'] - self.no_quote_found}/{self.quoted_gold})",
        ]
        notes = []
        if self.excluded_via:
            notes.append(f"{self.excluded_via} predictions left out as another's via")
        if self.skipped_no_content:
            notes.append(f"{self.skipped_no_content} gold E lines without content skipped")
        if self.missing_predictions:
            notes.append(f"{self.missing_predictions} documents had no prediction")
        if notes:
            lines.append("; ".join(notes))
        if self.corpus_hash:
            lines.append(f"corpus sha256 {self.corpus_hash[:16]}…")
        return "\n".join(lines)


def score(gold: list[GoldDocument], predictions: Mapping[str, Record]) -> EvalReport:
    """Score records (keyed by text stem) against gold documents. Pure: no model."""
    report = EvalReport()
    stems: set[str] = set()
    for g in gold:
        stems.add(g.stem)
        record = predictions.get(g.stem)
        if record is None:
            log.warning("no prediction for %s: scored as predicting nothing", g.stem)
        report.add(score_document(g, record))
    report.articles = len(stems)
    extra = sorted(set(predictions) - stems)
    if extra:
        log.warning("%d predictions have no gold and are ignored: %s", len(extra), extra[:5])
    return report


def gate_metrics(data: Mapping[str, Any]) -> dict[str, float]:
    """The gated numbers (``GATE_METRICS``) of a report's ``to_dict()`` form."""
    metrics = data["metrics"]
    return {
        "content_partial_f1": float(metrics["content_partial"]["f1"]),
        "full_f1": float(metrics["full"]["f1"]),
        "source_f1": float(metrics["source"]["f1"]),
        "cue_f1": float(metrics["cue"]["f1"]),
        "no_quote_recall": float(data["no_quote"]["recall"]),
    }


def write_errors(report: EvalReport, path: Path) -> int:
    """Write the report's error items to ``path`` as JSON Lines; returns how many."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for item in report.errors:
            fh.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
    log.info("wrote %d error items to %s", len(report.errors), path)
    return len(report.errors)


# --------------------------------------------------------------------------- running


class PipelineLike(Protocol):
    """What ``evaluate_dir`` needs of a pipeline (``onrecord.Pipeline`` is one)."""

    def pipe(
        self, texts: Iterable[str], *, batch_size: int = ..., clean: bool = ...
    ) -> Iterator[Record]: ...


def runtime_versions() -> dict[str, str]:
    """Python's version, and spaCy's and onnxruntime's where the run loaded them."""
    out = {"python": platform.python_version()}
    for name in ("spacy", "onnxruntime"):
        module = sys.modules.get(name)
        if module is not None:
            out[name] = str(getattr(module, "__version__", "unknown"))
    return out


def evaluate_dir(
    gold_dir: Path,
    *,
    pipeline: PipelineLike,
    batch_size: int = 16,
    errors: Path | None = None,
) -> EvalReport:
    """Run ``pipeline`` over every annotated text of a PolNeAR split and score it.

    Texts are read as UTF-8 and piped with ``clean=False`` (offsets must be
    into the text as given); records are scored as they stream out, in input
    order. With ``errors``, the error items are written there (JSON Lines).
    """
    gold_dir = Path(gold_dir)
    gold = load_gold(gold_dir)
    by_stem: dict[str, list[GoldDocument]] = {}
    for g in gold:
        by_stem.setdefault(g.stem, []).append(g)
    stems = sorted(by_stem)
    report = EvalReport(
        corpus_hash=corpus_hash(gold_dir), mode=getattr(pipeline, "mode", None), articles=len(stems)
    )
    texts = (by_stem[stem][0].text for stem in stems)
    records = pipeline.pipe(texts, batch_size=batch_size, clean=False)
    done = 0
    for record in records:
        if done == len(stems):
            raise InputError(
                f"the pipeline yielded more records than the {len(stems)} texts it was given",
                reason="record_count",
            )
        for g in by_stem[stems[done]]:
            report.add(score_document(g, record))
        done += 1
        if done % 20 == 0:
            log.info("scored %d/%d articles", done, len(stems))
    if done != len(stems):
        raise InputError(
            f"the pipeline yielded {done} records for {len(stems)} texts: "
            "pipe() must yield one record per text, in order",
            reason="record_count",
        )
    report.runtime = runtime_versions()  # after the run: its modules load lazily
    if errors is not None:
        write_errors(report, errors)
    return report

"""The real-web set: onrecord's attributions scored on news pages of every kind.

The set (``eval/web/`` in a checkout; its guide is ``GUIDE.md`` there) has two parts over
pages of the shared WARC, each page named by its URL:

- **whole pages** (``gold*.jsonl``): every attribution of the page, with source, speaker,
  cue, content, addressee and setting: recall and precision;
- **judged pages** (``judgements*.jsonl``): every attribution onrecord stored for the page,
  judged right or wrong with a reason: precision on more pages.

Spans are kept as offsets plus their first and last words (``Anchor``), so that a change of
cleaning does not break them: ``relocate`` finds a span again in the text the pipeline makes
now, starting from its offsets.

Matching (whole pages): a prediction and a gold attribution match when their contents
overlap; pairs are taken greedily by overlap, one to one. Of a matched pair, the **content**
is right when the overlap covers at least half of each; the **cue** when the cue spans
overlap; the **source** when the source spans overlap (or both have none); the **speaker**
when the resolved names agree (the same surname, or both unnamed). **Full** = all four.
A judged page's prediction takes the judgement whose content and cue it overlaps most; a
prediction no judgement covers is counted as unjudged, not guessed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onrecord.errors import GoldDataError
from onrecord.eval.scorer import Prf

if TYPE_CHECKING:
    from onrecord.pipeline import Pipeline
    from onrecord.record import Attribution, Record

Span = tuple[int, int]
#: what the whole pages score, in report order
PARTS = ("attribution", "full", "content", "source", "speaker", "addressee", "setting")


@dataclass(slots=True, frozen=True)
class Anchor:
    """A span as annotated: offsets into the text of its time, and its first and last words."""

    start: int
    end: int
    head: str
    tail: str

    @classmethod
    def of(cls, obj: dict[str, Any] | None) -> Anchor | None:
        if not obj:
            return None
        return cls(int(obj["start"]), int(obj["end"]), str(obj["head"]), str(obj["tail"]))


def _words(text: str, start: int, end: int) -> tuple[str, str]:
    words = text[start:end].split()
    return " ".join(words[:4]), " ".join(words[-4:])


def relocate(anchor: Anchor, text: str) -> Span | None:
    """Where ``anchor``'s span lies in ``text``: at its offsets when its words are there, else
    the occurrence of its first words nearest the old start, up to its last words nearest the
    old end; None when they are not in the text."""
    if (anchor.head, anchor.tail) == _words(text, anchor.start, anchor.end):
        return anchor.start, anchor.end
    head = _pattern(anchor.head)
    tail = _pattern(anchor.tail)
    starts = [m.start() for m in head.finditer(text)]
    if not starts:
        return None
    start = min(starts, key=lambda s: abs(s - anchor.start))
    length = anchor.end - anchor.start
    ends = [m.end() for m in tail.finditer(text, start)]
    if not ends:
        return None
    end = min(ends, key=lambda e: abs((e - start) - length))
    return start, end


def _pattern(words: str) -> re.Pattern[str]:
    return re.compile(r"\s+".join(re.escape(w) for w in words.split()))


# --------------------------------------------------------------------------- the set


@dataclass(slots=True)
class GoldWeb:
    page: str
    kind: str
    content: Anchor
    cue: Anchor | None
    source: Anchor | None
    speaker: str | None
    speaker_kind: str | None
    addressee: Anchor | None
    setting: Anchor | None


@dataclass(slots=True)
class Judgement:
    page: str
    content: Anchor
    cue: Anchor | None
    attribution: bool
    full: bool
    reason: str


@dataclass(slots=True)
class WebSet:
    whole: list[str]
    judged: list[str]
    gold: dict[str, list[GoldWeb]]
    judgements: dict[str, list[Judgement]]


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                yield json.loads(line)
            except ValueError as exc:
                raise GoldDataError(f"{path}:{n}: not JSON ({exc})") from exc


def load_web_set(directory: str | Path) -> WebSet:
    """The set in ``directory``: ``pages.jsonl``, ``gold*.jsonl``, ``judgements*.jsonl``."""
    root = Path(directory)
    pages = root / "pages.jsonl"
    if not pages.is_file():
        raise GoldDataError(f"{root}: no pages.jsonl here; give the web set's folder (eval/web)")
    rows = list(_jsonl(pages))
    whole = [r["page"] for r in rows if r["set"] == "whole"]
    judged = [r["page"] for r in rows if r["set"] == "judged"]
    gold: dict[str, list[GoldWeb]] = {p: [] for p in whole}
    for path in sorted(root.glob("gold*.jsonl")):
        if path.name.endswith(".pages.jsonl"):
            continue
        for r in _jsonl(path):
            content = Anchor.of(r["content"])
            if content is None or r["page"] not in gold:
                raise GoldDataError(f"{path}: an attribution without content or page: {r}")
            speaker = r.get("speaker") or {}
            gold[r["page"]].append(
                GoldWeb(
                    page=r["page"],
                    kind=r.get("kind", ""),
                    content=content,
                    cue=Anchor.of(r.get("cue")),
                    source=Anchor.of(r.get("source")),
                    speaker=speaker.get("name"),
                    speaker_kind=speaker.get("kind"),
                    addressee=Anchor.of(r.get("addressee")),
                    setting=Anchor.of(r.get("setting")),
                )
            )
    judgements: dict[str, list[Judgement]] = {p: [] for p in judged}
    for path in sorted(root.glob("judgements*.jsonl")):
        for r in _jsonl(path):
            content = Anchor.of(r["content"])
            if content is None or r["page"] not in judgements:
                raise GoldDataError(f"{path}: a judgement without content or page: {r}")
            full = bool(r["attribution"]) and all(
                r.get(k) is True for k in ("source_ok", "speaker_ok", "content_ok")
            )
            judgements[r["page"]].append(
                Judgement(
                    page=r["page"],
                    content=content,
                    cue=Anchor.of(r.get("cue")),
                    attribution=bool(r["attribution"]),
                    full=full,
                    reason=str(r.get("reason") or ""),
                )
            )
    return WebSet(whole, judged, gold, judgements)


# --------------------------------------------------------------------------- records


def page_records(warc: str | Path, pages: Iterable[str], pipeline: Pipeline) -> dict[str, Record]:
    """The records of ``pages`` (URLs) of a WARC file, made as ``onrecord ingest`` makes them."""
    from dataclasses import replace

    from onrecord.ingest.prepare import prepare
    from onrecord.read.document import RawDocument
    from onrecord.read.warc import read_warc

    wanted = set(pages)
    docs: list[RawDocument] = []
    for item in read_warc(Path(warc), extract=False):
        if isinstance(item, RawDocument) and item.url in wanted:
            doc = prepare(item).doc
            docs.append(replace(doc, doc=doc.url or doc.doc))
            wanted.discard(item.url)
    if wanted:
        raise GoldDataError(
            f"{len(wanted)} page(s) of the web set are not in {warc}: " + ", ".join(sorted(wanted))
        )
    return {r.doc: r for r in pipeline.pipe(docs)}


# --------------------------------------------------------------------------- scoring


def _overlap(a: Iterable[Span], b: Iterable[Span]) -> int:
    bl = list(b)
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in bl)


def _length(spans: Iterable[Span]) -> int:
    return sum(e - s for s, e in spans)


def _surname(name: str | None) -> str | None:
    if not name:
        return None
    words = re.findall(r"[\w'-]+", name.lower())
    while words and words[-1] in ("jr", "sr", "ii", "iii"):
        words.pop()
    return words[-1] if words else None


@dataclass(slots=True)
class WebReport:
    #: whole pages, per part (``PARTS``): right pairs, predictions, gold items (a right pair
    #: is one right prediction and one found gold item: the matching is one to one)
    tp: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    gold: Counter[str] = field(default_factory=Counter)
    #: judged pages
    judged: int = 0
    judged_attribution: int = 0
    judged_full: int = 0
    unjudged: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    #: gold spans whose anchors were not found in the text made now
    lost: int = 0
    pages: int = 0

    def part(self, name: str) -> Prf:
        """Precision, recall and F1 of one part on the whole pages."""
        return Prf(self.tp[name], self.predicted[name], self.gold[name])

    def precision_all(self) -> tuple[float, float]:
        """Attribution and full precision over whole and judged pages together."""
        n = self.predicted["attribution"] + self.judged
        if not n:
            return 0.0, 0.0
        a = (self.tp["attribution"] + self.judged_attribution) / n
        f = (self.tp["full"] + self.judged_full) / n
        return a, f

    def to_dict(self) -> dict[str, Any]:
        a, f = self.precision_all()
        return {
            "pages": self.pages,
            "whole_pages": {
                k: {**self.part(k).to_dict(), "predicted": self.predicted[k], "gold": self.gold[k]}
                for k in PARTS
            },
            "judged_pages": {
                "judged": self.judged,
                "attribution_precision": round(self.judged_attribution / self.judged, 4)
                if self.judged
                else 0.0,
                "full_precision": round(self.judged_full / self.judged, 4) if self.judged else 0.0,
                "unjudged": self.unjudged,
                "wrong_by_reason": dict(self.reasons.most_common()),
            },
            "precision_all_pages": {"attribution": round(a, 4), "full": round(f, 4)},
            "lost_anchors": self.lost,
        }

    def format_table(self) -> str:
        lines = ["whole pages       P       R       F1      (right / predicted, found / gold)"]
        for k in PARTS:
            m = self.part(k)
            lines.append(
                f"  {k:<12} {m.precision:7.3f} {m.recall:7.3f} {m.f1:7.3f}   "
                f"({m.tp} / {m.predicted}, {m.tp} / {m.gold})"
            )
        if self.judged:
            lines.append(
                f"judged pages: {self.judged} predictions judged, attribution precision "
                f"{self.judged_attribution / self.judged:.3f}, full precision "
                f"{self.judged_full / self.judged:.3f}; {self.unjudged} unjudged"
            )
            lines.append("  wrong: " + ", ".join(f"{k} {v}" for k, v in self.reasons.most_common()))
        a, f = self.precision_all()
        lines.append(f"all pages: attribution precision {a:.3f}, full precision {f:.3f}")
        if self.lost:
            lines.append(f"({self.lost} gold spans not found in today's text)")
        return "\n".join(lines)


def _spans_of(anchor: Anchor | None, text: str, report: WebReport) -> list[Span]:
    if anchor is None:
        return []
    found = relocate(anchor, text)
    if found is None:
        report.lost += 1
        return []
    return [found]


def _pairs(preds: list[Attribution], gold: list[list[Span]]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of predictions and gold contents by overlap."""
    scored = sorted(
        (
            (_overlap(p.content.spans, g), i, j)
            for i, p in enumerate(preds)
            for j, g in enumerate(gold)
        ),
        reverse=True,
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    out = []
    for ov, i, j in scored:
        if ov <= 0:
            break
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((i, j))
    return out


def _score_whole(record: Record, gold: list[GoldWeb], report: WebReport) -> None:
    text = record.text
    preds = record.attributions
    contents = [_spans_of(g.content, text, report) for g in gold]
    pairs = _pairs(preds, contents)
    for k in ("attribution", "full", "content", "source", "speaker"):
        report.predicted[k] += len(preds)
        report.gold[k] += len(gold)
    report.gold["addressee"] += sum(g.addressee is not None for g in gold)
    report.gold["setting"] += sum(g.setting is not None for g in gold)
    report.predicted["addressee"] += sum(_addressee(p) is not None for p in preds)
    report.predicted["setting"] += sum(_setting(p) is not None for p in preds)
    for i, j in pairs:
        p, g = preds[i], gold[j]
        ov = _overlap(p.content.spans, contents[j])
        content_ok = ov * 2 >= _length(contents[j]) and ov * 2 >= _length(p.content.spans)
        cue = _spans_of(g.cue, text, report)
        cue_ok = p.cue is not None and bool(cue) and _overlap(p.cue.spans, cue) > 0
        if g.cue is None:
            cue_ok = True
        gsrc = _spans_of(g.source, text, report)
        psrc = p.source.spans if p.source is not None else []
        source_ok = (not gsrc and not psrc) or _overlap(psrc, gsrc) > 0
        name = p.source.name if p.source is not None else None
        speaker_ok = _surname(name) == _surname(g.speaker)
        right = {
            "attribution": True,
            "content": content_ok,
            "source": source_ok,
            "speaker": speaker_ok,
            "full": content_ok and cue_ok and source_ok and speaker_ok,
        }
        for k, ok in right.items():
            report.tp[k] += ok
        for part, getter in (("addressee", _addressee), ("setting", _setting)):
            want = getattr(g, part)
            got = getter(p)
            if want is None or got is None:
                continue
            spans = _spans_of(want, text, report)
            report.tp[part] += _overlap(got, spans) > 0


def _addressee(a: Attribution) -> list[Span] | None:
    return list(a.addressee.spans) if a.addressee is not None else None


def _setting(a: Attribution) -> list[Span] | None:
    return list(a.setting.spans) if a.setting is not None else None


#: a judgement with its content and cue found again in today's text
Located = tuple[Judgement, list[Span], list[Span]]


def _locate(record: Record, judgements: list[Judgement], report: WebReport) -> list[Located]:
    text = record.text
    return [
        (j, _spans_of(j.content, text, report), _spans_of(j.cue, text, report)) for j in judgements
    ]


def judgement_of(p: Attribution, located: list[Located]) -> Judgement | None:
    """The judgement of prediction ``p``: the one of the same cue (or of none, when neither
    has one) whose content it overlaps most; None when no judgement covers it."""
    best, best_ov = None, 0
    for j, content, cue in located:
        if (cue or p.cue is not None) and (
            not cue or p.cue is None or _overlap(p.cue.spans, cue) == 0
        ):
            continue
        ov = _overlap(p.content.spans, content)
        if ov > best_ov:
            best, best_ov = j, ov
    return best


def _score_judged(record: Record, judgements: list[Judgement], report: WebReport) -> None:
    located = _locate(record, judgements, report)
    for p in record.attributions:
        best = judgement_of(p, located)
        if best is None:
            report.unjudged += 1
            continue
        report.judged += 1
        report.judged_attribution += best.attribution
        report.judged_full += best.full
        if not best.full:
            report.reasons[best.reason] += 1


def labelled(web: WebSet, records: dict[str, Record]) -> Iterator[tuple[str, Attribution, bool]]:
    """(page, prediction, is it an attribution) for every prediction the set can label: on a
    whole page, whether it matches a gold attribution; on a judged page, its judgement's
    verdict (predictions no judgement covers are left out)."""
    scratch = WebReport()
    for page in web.whole:
        record = records[page]
        contents = [_spans_of(g.content, record.text, scratch) for g in web.gold[page]]
        matched = {i for i, _ in _pairs(record.attributions, contents)}
        for i, p in enumerate(record.attributions):
            yield page, p, i in matched
    for page in web.judged:
        record = records[page]
        located = _locate(record, web.judgements[page], scratch)
        for p in record.attributions:
            best = judgement_of(p, located)
            if best is not None:
                yield page, p, best.attribution


def score_web(web: WebSet, records: dict[str, Record]) -> WebReport:
    """Score ``records`` (by page URL) against the web set."""
    report = WebReport()
    for page in web.whole:
        if page in records:
            report.pages += 1
            _score_whole(records[page], web.gold[page], report)
    for page in web.judged:
        if page in records:
            report.pages += 1
            _score_judged(records[page], web.judgements[page], report)
    return report

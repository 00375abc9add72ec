"""Accurate mode: the transformer tagger's spans combined with the parse.

The tagger (``tagger.py``) finds contents well and cues less well; the parse
links cues to their sources better. So, per document:

- a fast-mode attribution whose content overlaps a tagged content keeps its
  cue and source, unless the tagger disputes them: the tagger's cue (with its
  source) replaces a parse cue it gives a low probability when it is sure of
  its own (``CUE_DISPUTE``), and likewise its source when both agree on the
  cue (``SOURCE_DISPUTE``); the tagger's source fills in when the parse has
  none and the cue is not passive ("X was asked whether ...": X is not the
  source); the attribution takes the tagger's content boundaries when the
  tagger is sure (``SWAP_CONTENT_MIN``) and touches no other fast-mode
  attribution;
- a tagged attribution the parse missed becomes an attribution when its score
  reaches ``ADD_MIN`` and it has a cue: the tagger's own, or failing that the
  best parse cue candidate in the same sentence; its source is the tagger's,
  else the parse subject of that cue;
- a fast-mode attribution the tagger does not support is kept only when the
  cue model is confident (``KEEP_UNSUPPORTED``) and the tagger's content
  probability over it is not negligible (``KEEP_UNSUPPORTED_CONTENT``).

The probabilities the disputes are settled with are the tagger's per
wordpiece (``tagger.RoleProbs``), so the tagger judges spans it did not label
itself. Its cue spans are decoded with an extra bias (``ROLE_BIAS``): the
checks above make more of them usable than the tagger alone should output.

The tagger runs in this process, or in a child process of its own
(``accurate/process.py``) with ``ONRECORD_TAGGER_PROCESS=1``. The constants were
chosen on 40 train articles the tagger was not trained on
(``bench/quality/heldout_accurate.py``), with a fast-mode cue model fitted
without them (``train/train_fast.py --holdout-names``); docs/decisions/0008 lists
every variant tried.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from onrecord.stages.attribute import (
    Char,
    Found,
    attribution_kind,
    merge_spans,
    not_the_speaker,
    source_tokens,
    subject_of,
)
from onrecord.stages.quotes import Quote

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from onrecord.accurate.process import TaggerProcess
    from onrecord.accurate.tagger import RoleProbs, TaggedAttribution, Tagger
    from onrecord.stages.attribute import Attributor

    #: the tagged attributions of a text and the tagger's role probabilities
    Tagging = tuple[list[TaggedAttribution], RoleProbs | None]

log = logging.getLogger(__name__)

#: added to the tagger's decoding bias per role (source, cue, content): more tagged cues than
#: the tagger alone would output, since the parse and the role probabilities check them
ROLE_BIAS = (0.0, 0.5, 0.0)
#: the cue model's threshold for the parse's candidates in accurate mode (fast mode's is 0.42):
#: lower, since a candidate the tagger does not support is dropped unless it is far above it
CUE_THRESHOLD = 0.2
#: a fast-mode attribution no tagged content supports survives above this probability
KEEP_UNSUPPORTED = 0.6
#: ... and when the tagger's content probability over its content is at least this
KEEP_UNSUPPORTED_CONTENT = 0.1
#: a parse cue candidate may stand in for a missing tagger cue above this probability
CUE_FALLBACK = 0.1
#: a fast-mode attribution takes the content of the one tagged content that overlaps it when the
#: tagger is at least this sure of it (above 1: never)
SWAP_CONTENT_MIN = 0.7
#: a tagged content the parse missed is added only at or above this tagger score
ADD_MIN = 0.5
#: the tagger disputes the parse's cue of an attribution they share when its cue probability
#: over the parse's cue is below the first value and its own cue's is at least the second: the
#: tagger's cue and source are taken
CUE_DISPUTE = (0.15, 0.75)
#: likewise for the source, when both agree on the cue
SOURCE_DISPUTE = (0.2, 0.75)


def _overlap(a: Sequence[Char], b: Sequence[Char]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _tokens(doc: Doc, spans: Sequence[Char]) -> list[Token]:
    out: list[Token] = []
    for s, e in spans:
        span = doc.char_span(s, e, alignment_mode="expand")
        if span is not None:
            out.extend(t for t in span if not t.is_space)
    return out


class Combiner:
    """``combiner(doc, found, quotes, text, attributor) -> list[Found]``, where ``found`` is
    the attribute stage's output at ``cue_threshold``."""

    @property
    def cue_threshold(self) -> float:
        return CUE_THRESHOLD

    def __init__(self, threads: int = 1, *, process: bool = False) -> None:
        """``process``: the tagger in a process of its own (``TaggerProcess``), which starts on
        a text as soon as it is ``submit``ted, while the parse runs; else in this process."""
        self.tagger: Tagger | TaggerProcess
        #: the same tagger when it runs in its own process (texts can be sent ahead)
        self.ahead: TaggerProcess | None = None
        if process:
            from onrecord.accurate.process import TaggerProcess

            self.tagger = self.ahead = TaggerProcess(threads=threads, role_bias=ROLE_BIAS)
        else:
            from onrecord.accurate.tagger import Tagger

            self.tagger = Tagger(threads=threads, role_bias=ROLE_BIAS)

    def tag(self, texts: list[str]) -> list[Tagging]:
        """Per text: the tagged attributions and the tagger's role probabilities."""
        from onrecord.accurate.tagger import pair

        soft = self.tagger.tag_soft(texts)
        return [(pair(t, s), probs) for t, (s, probs) in zip(texts, soft, strict=True)]

    def submit(self, key: Any, text: str) -> bool:
        """Start tagging ``text`` ahead; False when the tagger runs in this process."""
        if self.ahead is None:
            return False
        self.ahead.submit(key, text)
        return True

    def result(self, key: Any, text: str) -> Tagging:
        """``tag``'s result for a text given to ``submit`` under ``key``."""
        from onrecord.accurate.tagger import pair

        if self.ahead is None:
            raise RuntimeError("result() of a text that was not submitted to a tagger process")
        spans, probs = self.ahead.result_soft(key)
        return pair(text, spans), probs

    def discard(self, keys: set[Any]) -> None:
        """Drop the results of submitted texts nobody will ask for."""
        if self.ahead is not None:
            for key in keys:
                self.ahead.discard(key)

    def close(self) -> None:
        if self.ahead is not None:
            self.ahead.close()

    def __call__(
        self,
        doc: Doc,
        found: list[Found],
        quotes: Sequence[Quote],
        text: str,
        attributor: Attributor,
        tagged: list[TaggedAttribution] | None = None,
        soft: RoleProbs | None = None,
        *,
        scores: Sequence[tuple[Token, float]] | None = None,
    ) -> list[Found]:
        """Combine; ``tagged`` and ``soft`` are ``tag``'s result for ``text`` (tagged here when
        not given; without ``soft`` no dispute is settled for the tagger); ``scores`` are the
        attribute stage's cue scores of ``doc`` (computed here when not given)."""
        if tagged is None:
            tagged, soft = self.tag([text])[0]
        quote_spans = [(q.start, q.end) for q in quotes]
        parse_cues = _ParseCues(doc, quotes, attributor, scores)
        supported: set[int] = set()
        extra: list[Found] = []
        for t in tagged:
            best = _match(found, t, supported)
            if best >= 0:
                if best not in supported:
                    supported.add(best)
                    _adjust_supported(doc, found, found[best], t, soft, quote_spans)
                continue
            if t.score < ADD_MIN:  # the parse missed it, and the tagger is unsure too
                continue
            item = _missed_attribution(doc, t, quote_spans, parse_cues)
            if item is not None:
                extra.append(item)
        out = _kept(found, supported, soft)
        out.extend(extra)
        out.sort(key=lambda f: f.content[0][0] if f.content else 0)
        return _relink(out, found)


class _ParseCues:
    """The parse's cue probabilities by token index, scored the first time they are asked
    for (only a tagged attribution without a cue needs them)."""

    def __init__(
        self,
        doc: Doc,
        quotes: Sequence[Quote],
        attributor: Attributor,
        scores: Sequence[tuple[Token, float]] | None,
    ) -> None:
        self.doc = doc
        self.quotes = quotes
        self.attributor = attributor
        self.scores = scores
        self._probs: dict[int, float] | None = None

    def probs(self) -> dict[int, float]:
        if self._probs is None:
            if self.scores is None:
                self.scores = self.attributor.score_cues(self.doc, self.quotes)
            self._probs = {tok.i: p for tok, p in self.scores}
        return self._probs


def _match(found: Sequence[Found], t: TaggedAttribution, supported: set[int]) -> int:
    """The position of the parse attribution whose content overlaps the tagged one's most
    (-1: none); a nested one already supported is not matched twice."""
    best, best_ov = -1, 0
    for k, f in enumerate(found):
        if f.via is not None and k in supported:
            continue
        ov = _overlap(f.content, t.content)
        if ov > best_ov:
            best, best_ov = k, ov
    return best


def _adjust_supported(
    doc: Doc,
    found: Sequence[Found],
    f: Found,
    t: TaggedAttribution,
    soft: RoleProbs | None,
    quote_spans: Sequence[Char],
) -> None:
    """Settle a parse attribution the tagged one ``t`` supports: the tagger's disputes, its
    source where the parse has none, its content boundaries when it is sure."""
    if soft is not None:
        _settle_disputes(doc, f, t, soft)
    if not f.source and t.source and not _is_passive(f.cue_head):
        f.source = _tokens(doc, t.source)
    # the tagger's boundaries are better than the parse's when it is sure and
    # the fast attribution is the only one it touches
    if (
        t.score >= SWAP_CONTENT_MIN
        and f.via is None
        and sum(_overlap(g.content, t.content) > 0 for g in found) == 1
    ):
        f.content = merge_spans(t.content)
        f.quotes = _inside(f.content, quote_spans)


def _missed_attribution(
    doc: Doc, t: TaggedAttribution, quote_spans: Sequence[Char], parse_cues: _ParseCues
) -> Found | None:
    """An attribution for a tagged one the parse missed (None: no cue for it)."""
    cue_toks, prob = _missed_cue(doc, t, parse_cues)
    if not cue_toks:
        return None
    head = _head(cue_toks)
    source, source_head = _missed_source(doc, t, head)
    content = merge_spans(t.content)
    inside = _inside(content, quote_spans)
    return Found(
        kind=attribution_kind(head.lemma_.lower(), content, inside),
        cue=sorted(cue_toks, key=lambda tok: tok.i),
        content=content,
        source=source,
        source_head=source_head,
        quotes=inside,
        confidence=prob,
        cue_head=head,
    )


def _missed_cue(
    doc: Doc, t: TaggedAttribution, parse_cues: _ParseCues
) -> tuple[list[Token], float]:
    """The tagger's cue with its score, else the best parse candidate nearby."""
    cue_toks = _tokens(doc, t.cue)
    if cue_toks:
        return cue_toks, t.score
    return _fallback_cue(doc, t.content, parse_cues.probs())


def _missed_source(doc: Doc, t: TaggedAttribution, head: Token) -> tuple[list[Token], Token | None]:
    """The tagger's source, else the parse subject of the cue when it is the speaker."""
    source = _tokens(doc, t.source)
    if source:
        return source, _head(source)
    subj = subject_of(head)
    if subj is not None and not not_the_speaker(head, head.lemma_.lower(), subj):
        return source_tokens(subj, head), subj
    return source, None


def _kept(found: Sequence[Found], supported: set[int], soft: RoleProbs | None) -> list[Found]:
    """The parse attributions kept: the supported, the nested, and the unsupported ones the
    cue model is sure of."""
    return [
        f
        for k, f in enumerate(found)
        if k in supported or f.via is not None or _kept_unsupported(f, soft)
    ]


def _inside(content: Sequence[Char], quotes: Sequence[Char]) -> list[Char]:
    return [q for q in quotes if any(s <= q[0] and q[1] <= e for s, e in content)]


def _fallback_cue(
    doc: Doc, content: Sequence[Char], probs: dict[int, float]
) -> tuple[list[Token], float]:
    """The most probable parse cue candidate in the content's sentence, outside the content."""
    start = content[0][0]
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    if span is None:
        return [], 0.0
    sent = span[0].sent
    best: tuple[Token | None, float] = (None, CUE_FALLBACK)
    for tok in sent:
        p = probs.get(tok.i, 0.0)
        if p > best[1] and not any(s <= tok.idx < e for s, e in content):
            best = (tok, p)
    return ([best[0]], best[1]) if best[0] is not None else ([], 0.0)


def _relink(out: list[Found], found: list[Found]) -> list[Found]:
    """Point ``via`` at positions in ``out`` (they were positions in ``found``)."""
    position = {id(f): n for n, f in enumerate(out)}
    for f in out:
        if f.via is not None and 0 <= f.via < len(found):
            f.via = position.get(id(found[f.via]))
    return out


def _char_spans(tokens: Sequence[Token]) -> list[Char]:
    return [(t.idx, t.idx + len(t.text)) for t in tokens]


def _head(tokens: Sequence[Token]) -> Token:
    """The token of ``tokens`` whose syntactic head lies outside them (or is itself)."""
    return next((t for t in tokens if t.head not in tokens or t.head.i == t.i), tokens[0])


def _settle_disputes(doc: Doc, f: Found, t: TaggedAttribution, soft: RoleProbs) -> None:
    """Take the tagger's cue (with its source), or its source alone, where it disputes the parse.

    The parse's choice loses only when the tagger gives it a low probability and is sure of its
    own span; the probabilities are the tagger's per-wordpiece ones (``RoleProbs``).
    """
    cue_low, cue_high = CUE_DISPUTE
    own_cue = soft.mean(t.cue, "cue") or 0.0
    parse_cue = soft.mean(_char_spans(f.cue), "cue")
    if parse_cue is not None and parse_cue < cue_low and own_cue >= cue_high:
        cue = _tokens(doc, t.cue)
        if cue:
            f.cue = sorted(cue, key=lambda tok: tok.i)
            f.cue_head = _head(f.cue)
            f.kind = attribution_kind(f.cue_head.lemma_.lower(), f.content, f.quotes)
            f.source = _tokens(doc, t.source)
            f.source_head = _head(f.source) if f.source else None
            return
    if not f.source or not t.source or _overlap(_char_spans(f.cue), t.cue) == 0:
        return
    src_low, src_high = SOURCE_DISPUTE
    parse_src = soft.mean(_char_spans(f.source), "source")
    own_src = soft.mean(t.source, "source") or 0.0
    if parse_src is not None and parse_src < src_low and own_src >= src_high:
        source = _tokens(doc, t.source)
        if source:
            f.source = source
            f.source_head = _head(source)


def _kept_unsupported(f: Found, soft: RoleProbs | None) -> bool:
    """A parse attribution no tagged content supports: kept when the cue model is sure and the
    tagger does not rule its content out."""
    if f.confidence < KEEP_UNSUPPORTED:
        return False
    if soft is None:
        return True
    return (soft.mean(f.content, "content") or 0.0) >= KEEP_UNSUPPORTED_CONTENT


def _is_passive(cue: Token | None) -> bool:
    """A passive cue ("X was asked"): its subject is what was said about, not who said it."""
    return cue is not None and any(c.dep_ in ("auxpass", "nsubjpass") for c in cue.children)

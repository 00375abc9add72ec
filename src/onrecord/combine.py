"""Accurate mode: the transformer tagger's spans combined with the parse.

The tagger (``tagger.py``) finds contents well and cues less well; the parse
links cues to their sources better. So, per document:

- a fast-mode attribution whose content overlaps a tagged content keeps its
  cue and source; it takes the tagger's content boundaries when the tagger is
  sure (``SWAP_CONTENT_MIN``) and touches no other fast-mode attribution, and
  the tagger's source fills in when the parse has none;
- a tagged attribution the parse missed becomes an attribution when its score
  reaches ``ADD_MIN`` and it has a cue: the tagger's own, or failing that the
  best parse cue candidate in the same sentence; its source is the tagger's,
  else the parse subject of that cue;
- a fast-mode attribution the tagger does not support is kept only when the
  cue model is confident (``KEEP_UNSUPPORTED``).

The tagger runs in this process, or in a child process of its own
(``tagproc.py``) with ``ONRECORD_TAGGER_PROCESS=1``. The constants were
chosen on 40 train articles the tagger was not trained on
(``bench/eval_heldout_accurate.py``); docs/quality.md lists every variant
tried.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .attribute import (
    Char,
    Found,
    _kind,
    _merge,
    _not_the_speaker,
    _source_tokens,
    _subject,
)
from .quotes import Quote

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from .attribute import Attributor
    from .tagger import TaggedAttribution

log = logging.getLogger(__name__)

#: a fast-mode attribution no tagged content supports survives above this probability
KEEP_UNSUPPORTED = 0.6
#: a parse cue candidate may stand in for a missing tagger cue above this probability
CUE_FALLBACK = 0.1
#: a fast-mode attribution takes the content of the one tagged content that overlaps it when the
#: tagger is at least this sure of it (above 1: never)
SWAP_CONTENT_MIN = 0.7
#: a tagged content the parse missed is added only at or above this tagger score
ADD_MIN = 0.5


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
    """``combiner(doc, found, quotes, text, attributor) -> list[Found]``."""

    def __init__(self, threads: int = 1, *, process: bool | None = None) -> None:
        self.tagger: Any
        if process is None:
            process = _own_process_wanted()
        if process:
            from .tagproc import TaggerProcess

            self.tagger = TaggerProcess(threads=threads)
        else:
            from .tagger import Tagger

            self.tagger = Tagger(threads=threads)

    def tag(self, texts: list[str]) -> list[list[TaggedAttribution]]:
        from .tagger import pair

        spans = self.tagger.tag_spans(texts)
        return [pair(t, s) for t, s in zip(texts, spans, strict=True)]

    def submit(self, key: Any, text: str) -> bool:
        """Start tagging ``text`` ahead (tagger process only); False when that is not possible."""
        if not hasattr(self.tagger, "submit"):
            return False
        self.tagger.submit(key, text)
        return True

    def result(self, key: Any, text: str) -> list[TaggedAttribution]:
        """The tagged attributions of a text given to ``submit`` under ``key``."""
        from .tagger import pair

        return pair(text, self.tagger.result(key))

    def discard(self, keys: set[Any]) -> None:
        """Drop the results of submitted texts nobody will ask for."""
        for key in keys:
            self.tagger.discard(key)

    def close(self) -> None:
        close = getattr(self.tagger, "close", None)
        if close is not None:
            close()

    def __call__(
        self,
        doc: Doc,
        found: list[Found],
        quotes: Sequence[Quote],
        text: str,
        attributor: Attributor,
        tagged: list[TaggedAttribution] | None = None,
    ) -> list[Found]:
        if tagged is None:
            tagged = self.tag([text])[0]
        quote_spans = [(q.start, q.end) for q in quotes]
        supported: set[int] = set()
        extra: list[Found] = []
        cue_probs: dict[int, float] | None = None
        for t in tagged:
            best, best_ov = -1, 0
            for k, f in enumerate(found):
                if f.via is not None and k in supported:
                    continue
                ov = _overlap(f.content, t.content)
                if ov > best_ov:
                    best, best_ov = k, ov
            if best >= 0:
                f = found[best]
                if best not in supported:
                    supported.add(best)
                    if not f.source and t.source:
                        f.source = _tokens(doc, t.source)
                    # the tagger's boundaries are better than the parse's when it is sure and
                    # the fast attribution is the only one it touches
                    if (
                        t.score >= SWAP_CONTENT_MIN
                        and f.via is None
                        and sum(_overlap(g.content, t.content) > 0 for g in found) == 1
                    ):
                        f.content = _merge(t.content)
                        f.quotes = _inside(f.content, quote_spans)
                continue
            if t.score < ADD_MIN:  # the parse missed it, and the tagger is unsure too
                continue
            # a tagger cue, else the best parse candidate nearby
            cue_toks = _tokens(doc, t.cue)
            prob = t.score
            if not cue_toks:
                if cue_probs is None:
                    cue_probs = {tok.i: p for tok, p in attributor.score_cues(doc, quotes)}
                cue_toks, prob = _fallback_cue(doc, t.content, cue_probs)
            if not cue_toks:
                continue
            head = min(cue_toks, key=lambda tok: tok.i if tok.head not in cue_toks else 10**9)
            source = _tokens(doc, t.source)
            source_head = None
            if source:
                source_head = next((s for s in source if s.head not in source), source[0])
            else:
                subj = _subject(head)
                if subj is not None and not _not_the_speaker(head, head.lemma_.lower(), subj):
                    source = _source_tokens(subj, head)
                    source_head = subj
            content = _merge(t.content)
            inside = _inside(content, quote_spans)
            extra.append(
                Found(
                    kind=_kind(head.lemma_.lower(), content, inside),
                    cue=sorted(cue_toks, key=lambda tok: tok.i),
                    content=content,
                    source=source,
                    source_head=source_head,
                    quotes=inside,
                    confidence=prob,
                    cue_head=head,
                )
            )
        out = [
            f
            for k, f in enumerate(found)
            if k in supported or f.via is not None or f.confidence >= KEEP_UNSUPPORTED
        ]
        out.extend(extra)
        out.sort(key=lambda f: f.content[0][0] if f.content else 0)
        return _relink(out, found)


def _own_process_wanted() -> bool:
    """The tagger gets a process of its own when ``ONRECORD_TAGGER_PROCESS=1`` (and this process
    is not a daemon, which may not start children).

    Off by default: on one core, the two processes taking turns cost more than the thread
    onnxruntime puts beside the parse (docs/quality.md); with a core to spare, the tagger in its
    own process works while the parse runs.
    """
    import multiprocessing
    import os

    if os.environ.get("ONRECORD_TAGGER_PROCESS", "0").strip().lower() not in ("1", "true", "yes"):
        return False
    return not multiprocessing.current_process().daemon


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

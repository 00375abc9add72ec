"""The accurate-mode combiner on hand-made tagger output (no tagger model needed)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from onrecord.accurate.combine import Combiner, _is_passive, _settle_disputes
from onrecord.accurate.tagger import ROLES, RoleProbs, TaggedAttribution
from onrecord.stages.attribute import Found
from onrecord.stages.quotes import find_quotes

pytestmark = pytest.mark.model

TEXT = (
    "Mayor Ilse Varga said the pier would reopen in May. "
    "The harbor, in the view of the dockworkers, is no longer safe."
)


def span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return (start, start + len(phrase))


def combine(
    pipeline: Any,
    text: str,
    tagged: list[TaggedAttribution],
    soft: RoleProbs | None = None,
) -> list[Any]:
    doc = pipeline.nlp(text)
    quotes = find_quotes(text)
    found = pipeline.attributor(doc, quotes, text)
    combiner = Combiner.__new__(Combiner)  # no tagger: the tagged spans are given
    return combiner(doc, found, quotes, text, pipeline.attributor, tagged=tagged, soft=soft)


def role_probs(text: str, marks: dict[str, tuple[str, float]]) -> RoleProbs:
    """Role probabilities over the whitespace words of ``text``: ``phrase -> (role, p)``."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    probs = np.zeros((len(words), len(ROLES)), dtype=np.float32)
    for phrase, (role, p) in marks.items():
        s, e = span(text, phrase)
        for j, (ws, we) in enumerate(words):
            if s <= ws and we <= e:
                probs[j, ROLES.index(role)] = p
    starts = np.asarray([w[0] for w in words], dtype=np.int64)
    return RoleProbs(starts, probs)


def test_combine_adds_what_only_the_tagger_found(pipeline: Any) -> None:
    extra = TaggedAttribution(
        source=[span(TEXT, "the dockworkers")],
        cue=[span(TEXT, "in the view of")],
        content=[span(TEXT, "The harbor"), span(TEXT, "is no longer safe")],
        score=0.9,
    )
    supported = TaggedAttribution(
        source=[], cue=[], content=[span(TEXT, "the pier would reopen in May")], score=0.9
    )
    out = combine(pipeline, TEXT, [supported, extra])
    contents = [[TEXT[s:e] for s, e in f.content] for f in out]
    assert ["the pier would reopen in May"] in contents
    assert ["The harbor", "is no longer safe"] in contents
    added = next(f for f in out if f.content[0] == span(TEXT, "The harbor"))
    assert " ".join(t.text for t in added.source) == "the dockworkers"
    assert added.cue_head is not None and added.cue_head.text in ("in", "view")


def test_combine_keeps_a_confident_parse_attribution_without_support(pipeline: Any) -> None:
    out = combine(pipeline, TEXT, [])
    said = [f for f in out if f.cue_head is not None and f.cue_head.lower_ == "said"]
    assert len(said) == 1 and said[0].confidence >= 0.7


def test_combine_skips_tagger_content_without_any_cue(pipeline: Any) -> None:
    text = "The pier reopened in May after a long repair."
    lone = TaggedAttribution(source=[], cue=[], content=[span(text, "a long repair")], score=0.9)
    assert combine(pipeline, text, [lone]) == []


def _words(doc: Any, phrase: str) -> list[Any]:
    s, e = span(doc.text, phrase)
    return [t for t in doc if s <= t.idx < e]


SAID = "Mayor Ilse Varga said the pier would reopen in May."


def test_a_disputed_cue_goes_to_the_tagger_with_its_source(pipeline: Any) -> None:
    """The parse's cue is one the tagger rules out, and the tagger is sure of its own."""
    doc = pipeline.nlp(SAID)
    f = Found(
        kind="belief",
        cue=_words(doc, "reopen"),
        content=[span(SAID, "in May")],
        source=_words(doc, "the pier"),
    )
    t = TaggedAttribution(
        source=[span(SAID, "Mayor Ilse Varga")],
        cue=[span(SAID, "said")],
        content=[span(SAID, "the pier would reopen in May")],
        score=0.9,
    )
    unsure = role_probs(SAID, {"reopen": ("cue", 0.5), "said": ("cue", 0.9)})
    _settle_disputes(doc, f, t, unsure)  # the parse's cue is not ruled out: kept
    assert [w.text for w in f.cue] == ["reopen"]
    sure = role_probs(SAID, {"reopen": ("cue", 0.05), "said": ("cue", 0.9)})
    _settle_disputes(doc, f, t, sure)
    assert [w.text for w in f.cue] == ["said"]
    assert f.cue_head is not None and f.cue_head.text == "said"
    assert f.kind == "indirect"  # re-read from the new cue
    assert " ".join(w.text for w in f.source) == "Mayor Ilse Varga"
    assert f.source_head is not None and f.source_head.text == "Varga"


def test_a_disputed_source_goes_to_the_tagger_when_the_cue_is_shared(pipeline: Any) -> None:
    doc = pipeline.nlp(SAID)
    t = TaggedAttribution(
        source=[span(SAID, "Mayor Ilse Varga")],
        cue=[span(SAID, "said")],
        content=[span(SAID, "the pier would reopen in May")],
        score=0.9,
    )
    marks = {"said": ("cue", 0.9), "Mayor Ilse Varga": ("source", 0.9)}

    def found() -> Found:
        return Found(
            kind="indirect",
            cue=_words(doc, "said"),
            content=[span(SAID, "would reopen in May")],
            source=_words(doc, "the pier"),
        )

    f = found()
    _settle_disputes(doc, f, t, role_probs(SAID, {**marks, "the pier": ("source", 0.5)}))
    assert " ".join(w.text for w in f.source) == "the pier"  # not ruled out: kept
    f = found()
    _settle_disputes(doc, f, t, role_probs(SAID, marks))
    assert " ".join(w.text for w in f.source) == "Mayor Ilse Varga"


def test_a_passive_cue_is_not_given_the_tagger_source(pipeline: Any) -> None:
    doc = pipeline.nlp("Mayor Ilse Varga was asked whether the pier would reopen in May.")
    assert _is_passive(next(t for t in doc if t.text == "asked"))
    assert not _is_passive(next(t for t in pipeline.nlp(SAID) if t.text == "said"))
    assert not _is_passive(None)


def test_an_unsupported_parse_attribution_the_tagger_rules_out_is_dropped(
    pipeline: Any,
) -> None:
    """Confident, but no tagged content supports it and the tagger gives its content no weight:
    dropped; with some weight on its content it stays."""
    kept = combine(pipeline, SAID, [], role_probs(SAID, {"the pier would": ("content", 0.5)}))
    assert [f.cue_head.text for f in kept if f.cue_head is not None] == ["said"]
    assert combine(pipeline, SAID, [], role_probs(SAID, {})) == []

"""The accurate-mode combiner on hand-made tagger output (no tagger model needed)."""

from __future__ import annotations

from typing import Any

import pytest

from onrecord.combine import Combiner
from onrecord.quotes import find_quotes
from onrecord.tagger import TaggedAttribution

pytestmark = pytest.mark.model

TEXT = (
    "Mayor Ilse Varga said the pier would reopen in May. "
    "The harbor, in the view of the dockworkers, is no longer safe."
)


def span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return (start, start + len(phrase))


def combine(pipeline: Any, text: str, tagged: list[TaggedAttribution]) -> list[Any]:
    doc = pipeline.nlp(text)
    quotes = find_quotes(text)
    found = pipeline.attributor(doc, quotes, text)
    combiner = Combiner.__new__(Combiner)  # no tagger: the tagged spans are given
    return combiner(doc, found, quotes, text, pipeline.attributor, tagged=tagged)


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

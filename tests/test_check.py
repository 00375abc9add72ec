"""Check: found attributions that are not attributions are dropped or doubted.

Every text here is made up: fictional people, fictional places, fictional products.
"""

from __future__ import annotations

from typing import Any

import pytest

from onrecord.stages import check as C
from onrecord.stages.quotes import find_quotes

pytestmark = pytest.mark.model


def judged(pipeline: Any, text: str) -> list[tuple[str, C.Facts, str | None]]:
    """(cue text, facts, decision) of every attribution the attribute stage finds."""
    doc = pipeline.nlp(text)
    quotes = find_quotes(text)
    found = pipeline.attributor(doc, quotes, text)
    rate = C.speech_rate(doc, found)
    out = []
    for item in found:
        f = C.facts(doc, item, quotes, rate)
        out.append((" ".join(t.text for t in item.cue), f, C.decide(f)))
    return out


def decision(pipeline: Any, text: str, cue: str) -> str | None:
    hits = [(f, d) for c, f, d in judged(pipeline, text) if cue in c]
    assert hits, f"no attribution with cue {cue!r} in {text!r}: {judged(pipeline, text)}"
    return hits[0][1]


def cues(record: Any) -> list[str]:
    return [a.cue.text for a in record.attributions if a.cue is not None]


# -- the narrator's own voice ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("I think this blender is the best one on the market.", "think"),
        ("We hope you enjoy the new soup recipes.", "hope"),
        ("You might think the course is too hard.", "think"),
    ],
)
def test_first_and_second_person_in_a_narrating_text_is_dropped(
    pipeline: Any, text: str, cue: str
) -> None:
    assert decision(pipeline, text, cue) == "drop"
    assert not any(cue in c for c in cues(pipeline(text, clean=False)))


def test_first_person_in_a_news_report_is_only_doubted(pipeline: Any) -> None:
    text = "Orla Brandt said the ferry would run again. I think the ferry is lovely."
    assert decision(pipeline, text, "think") == "demote"
    record = pipeline(text, clean=False)
    (think,) = [a for a in record.attributions if a.cue is not None and a.cue.text == "think"]
    (said,) = [a for a in record.attributions if a.cue is not None and a.cue.text == "said"]
    assert think.confidence < said.confidence


def test_first_person_inside_a_quote_is_the_quote_only(pipeline: Any) -> None:
    record = pipeline('"I think we will win," said Orla Brandt.', clean=False)
    assert [(a.kind, a.cue.text if a.cue else None) for a in record.attributions] == [
        ("direct", "said")
    ]


# -- narration: an action on a question, a sourceless non-speech verb -------------------


def test_an_action_on_a_question_is_narration(pipeline: Any) -> None:
    text = "The harbor board investigated how the pier collapsed."
    assert decision(pipeline, text, "investigated") == "drop"


def test_a_noun_phrase_parsed_as_verb_and_clause_is_narration(pipeline: Any) -> None:
    # "Zentra supported IDE" is a noun phrase; the parser made "supported" a verb
    text = "The Zentra supported IDE is one of the pain points of developers who use Zentra."
    assert decision(pipeline, text, "supported") == "drop"
    facts = [f for c, f, _ in judged(pipeline, text) if "supported" in c]
    assert facts[0].bare_clause and C.verdict(facts[0]) == "narration"


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("Orla Brandt said the ferry would run again in June.", "said"),
        ("Orla Brandt believes the ferry will run again in June.", "believes"),
    ],
)
def test_a_bare_clause_after_a_verb_of_saying_stays(pipeline: Any, text: str, cue: str) -> None:
    facts = [f for c, f, _ in judged(pipeline, text) if cue in c]
    assert facts[0].bare_clause and C.verdict(facts[0]) is None


def test_a_question_after_a_verb_of_saying_stays(pipeline: Any) -> None:
    text = "Orla Brandt asked whether the ferry would run again."
    assert decision(pipeline, text, "asked") is None


# -- topic only ------------------------------------------------------------------------


def test_a_low_confidence_bare_object_is_doubted(pipeline: Any) -> None:
    text = (
        "Orla Brandt said the ferry would run. "
        "In March, the harbor board offered a new schedule to the town."
    )
    assert decision(pipeline, text, "offered") == "demote"


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("Orla Brandt denied the report.", "denied"),
        ("Brandt called the plan a disaster.", "called"),
        ("The figures show a rise in ferry passengers.", "show"),
        ("Analysts expect prices to rise next year.", "expect"),
    ],
)
def test_a_statement_in_a_noun_phrase_stays(pipeline: Any, text: str, cue: str) -> None:
    assert decision(pipeline, text, cue) is None


# -- page furniture ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("For questions, write to help@example.org, stating your name.", "stating"),
        ("Also read: Mayor Brandt says the ferry will run in June.", "says"),
        (
            "Orla Brandt said the ferry would run. "
            "We want to hear from you, so tell us what you think of the ferry.",
            "tell",
        ),
    ],
)
def test_page_furniture_is_dropped(pipeline: Any, text: str, cue: str) -> None:
    assert decision(pipeline, text, cue) == "drop"


# -- true attributions survive -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("Orla Brandt said the ferry would run again in June.", "said"),
        ('"The ferry will run again," said Orla Brandt.', "said"),
        ("Orla Brandt told reporters that the ferry would run again.", "told"),
        ("According to the harbor board, the ferry will run in June.", "According"),
    ],
)
def test_reported_speech_survives(pipeline: Any, text: str, cue: str) -> None:
    assert decision(pipeline, text, cue) is None
    assert any(cue in c for c in cues(pipeline(text, clean=False)))


# -- the pieces ----------------------------------------------------------------------------


def test_content_shapes(pipeline: Any) -> None:
    shapes = {c: f.content for c, f, _ in judged(pipeline, "Varga said the pier would reopen.")}
    assert shapes == {"said": "clause"}
    shapes = {c: f.content for c, f, _ in judged(pipeline, "Varga denied the report.")}
    assert shapes == {"denied": "np"}


def test_verdicts_on_facts() -> None:
    base = C.Facts(
        lemma="say",
        kind="indirect",
        quoted=False,
        content="clause",
        source="name",
        cue_in_quote=False,
        confidence=0.9,
    )
    assert C.verdict(base) is None
    assert C.verdict(C.Facts(**{**_fields(base), "source": "first"})) == "narrator"
    assert C.verdict(C.Facts(**{**_fields(base), "furniture": True})) == "furniture"
    launched = {**_fields(base), "lemma": "launch", "content": "np", "confidence": 0.5}
    assert C.verdict(C.Facts(**launched)) == "topic_only"
    # a quotation is content after any cue
    assert C.verdict(C.Facts(**{**launched, "quoted": True})) is None
    # the cue model is trusted when it is sure
    assert C.verdict(C.Facts(**{**launched, "confidence": 0.95})) is None
    # doubted in a news report, dropped in a narrating text
    narr = C.Facts(**{**_fields(base), "source": "first", "speech_rate": 0.5})
    assert C.decide(narr) == "demote"
    assert C.decide(C.Facts(**{**_fields(narr), "speech_rate": 0.0})) == "drop"


def _fields(f: C.Facts) -> dict[str, Any]:
    return {k: getattr(f, k) for k in f.__slots__}  # type: ignore[attr-defined]


def test_check_renumbers_via_links(pipeline: Any) -> None:
    text = "We hope you enjoy the soup. Citing two officials, local media reported the pier shut."
    doc = pipeline.nlp(text)
    quotes = find_quotes(text)
    found = pipeline.attributor(doc, quotes, text)
    kept = C.check(doc, list(found), quotes)
    for item in kept:
        assert item.via is None or 0 <= item.via < len(kept)

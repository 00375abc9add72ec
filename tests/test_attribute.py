"""Attributions (source, cue, content) found in sentences, through the loaded pipeline.

Every text here is made up: fictional people, fictional events.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from onrecord.record import KINDS, SOURCE_KINDS, Record

pytestmark = pytest.mark.model

#: (kind, source text contains, cue text contains, content text contains)
Expected = tuple[str, str, str, str]

VARGA_CASES: list[tuple[str, list[Expected]]] = [
    # direct quote, speaker after / before / inside the quote
    ('"We will rebuild the pier," said Mayor Ilse Varga.',
     [("direct", "Ilse Varga", "said", "We will rebuild the pier")]),
    ('Varga said: "We will rebuild the pier."',
     [("direct", "Varga", "said", "We will rebuild the pier")]),
    ('Mayor Ilse Varga said: "We will rebuild the pier."',
     [("direct", "Ilse Varga", "said", "We will rebuild the pier")]),
    ('"We will," Varga said, "rebuild it."',
     [("direct", "Varga", "said", '"We will,"')]),
    # the quote goes on in the next sentence, and over a paragraph left open
    ('"We will rebuild the pier," Varga said. "The town deserves nothing less."',
     [("direct", "Varga", "said", "The town deserves nothing less")]),
    ('"We will rebuild the pier," Mayor Ilse Varga said. "It will take a year.\n'
     '"Then we open it to everyone."',
     [("direct", "Ilse Varga", "said", "Then we open it to everyone")]),
    # reported speech, with and without "that"
    ("Varga said the pier would reopen in May.",
     [("indirect", "Varga", "said", "the pier would reopen in May")]),
    ("Varga said that the pier would reopen in May.",
     [("indirect", "Varga", "said", "the pier would reopen in May")]),
    ("Varga told reporters the pier would reopen in May.",
     [("indirect", "Varga", "told", "the pier would reopen in May")]),
    # mixed: reported speech with a quoted fragment
    ('Varga said the plan was "a disaster".',
     [("mixed", "Varga", "said", 'the plan was "a disaster"')]),
    ('Mayor Ilse Varga called the plan "a disaster for the town."',
     [("mixed", "Ilse Varga", "called", '"a disaster for the town."')]),
    # denials
    ("The ministry denied that it had sold the land.",
     [("indirect", "ministry", "denied", "it had sold the land")]),
    ("Treasurer Piet Olam denied that the budget had grown.",
     [("indirect", "Piet Olam", "denied", "the budget had grown")]),
    # according to
    ("The budget grew, according to the treasurer.",
     [("according_to", "treasurer", "according to", "The budget grew")]),
    ("According to the treasurer, the budget grew by a third.",
     [("according_to", "treasurer", "According to", "the budget grew by a third")]),
    # belief
    ("Varga believes that the pier will reopen.",
     [("belief", "Varga", "believes", "the pier will reopen")]),
    ("Varga thinks the pier will reopen.",
     [("belief", "Varga", "thinks", "the pier will reopen")]),
    ('Burton thinks that cats are "cuties".',
     [("belief", "Burton", "thinks", 'cats are "cuties"')]),
    # curly quotes and guillemets
    ("“We will rebuild the pier,” said Mayor Ilse Varga.",
     [("direct", "Ilse Varga", "said", "“We will rebuild the pier,”")]),
    ("«We will rebuild the pier», said Mayor Ilse Varga.",
     [("direct", "Ilse Varga", "said", "«We will rebuild the pier»")]),
    ("« We will rebuild the pier », said Mayor Ilse Varga.",
     [("direct", "Ilse Varga", "said", "« We will rebuild the pier »")]),
    ("“We will,” Mayor Ilse Varga said, “rebuild it.”",
     [("direct", "Ilse Varga", "said", "“We will,”")]),
    ("Mayor Ilse Varga said the plan was “a disaster”.",
     [("mixed", "Ilse Varga", "said", "the plan was “a disaster”")]),
    ("Mayor Ilse Varga said the plan was «a disaster».",
     [("mixed", "Ilse Varga", "said", "the plan was «a disaster»")]),
    # negatives: quotes that are not attributions, sentences without any
    ('The so-called "deal" collapsed in March.', []),
    ('The word "harbor" appears twice in the charter.', []),
    ('Tickets for "Harbor Lights" sold out in an hour.', []),
    ('The ferry "Gull" sank in 1911.', []),
    ("The pier reopened on Tuesday.", []),
    # a time is never the content ("on Friday"); the quote near "opened" does not change that
    ('The film "Harbor Lights" opened on Friday.', []),
    ("Varga commented on the ferry schedule on Friday.",
     [("indirect", "Varga", "commented", "the ferry schedule")]),
    ("Fishermen unloaded the catch at dawn.", []),
    ("".join(random.Random(1001).choice('"“”«»„') for _ in range(1001)), []),
    ("".join(random.Random(3).choice('"“”«» \n') for _ in range(1001)), []),
]  # fmt: skip


def _id(i: int, text: str) -> str:
    return text[:40] if text.strip('"“”«»„ \n') else f"quote-marks-{i}"


CASES = [pytest.param(text, exp, id=_id(i, text)) for i, (text, exp) in enumerate(VARGA_CASES)]


def _matches(a: dict[str, Any], exp: Expected) -> bool:
    kind, source, cue, content = exp
    return (
        a["kind"] == kind
        and a["source"] is not None
        and source in a["source"]["text"]
        and a["cue"] is not None
        and cue in a["cue"]["text"]
        and content in a["content"]["text"]
    )


def check_spans(record: Record) -> None:
    """Every span indexes the text, and every ``text`` field is the text at its spans."""
    text = record.text
    n = len(text)

    def inside(spans: list[list[int]]) -> None:
        assert spans, "an empty span list"
        for s, e in spans:
            assert 0 <= s < e <= n, (s, e, n)

    data = record.to_dict()
    ids = {a["id"] for a in data["attributions"]}
    for a in data["attributions"]:
        assert a["kind"] in KINDS
        assert 0.0 <= a["confidence"] <= 1.0
        inside(a["content"]["spans"])
        assert a["content"]["text"] == " … ".join(text[s:e] for s, e in a["content"]["spans"])
        for s, e in a["quotes"]:
            assert 0 <= s < e <= n
            assert any(cs <= s and e <= ce for cs, ce in a["content"]["spans"]), (
                "a quote outside the content"
            )
        for role in ("cue", "source"):
            if a[role] is not None:
                inside(a[role]["spans"])
                assert a[role]["text"] == " ".join(text[s:e] for s, e in a[role]["spans"])
        if a["source"] is not None:
            assert a["source"]["kind"] in SOURCE_KINDS
        if a["via"] is not None:
            assert a["via"] in ids and a["via"] != a["id"]
    for ent in data["entities"]:
        for s, e in ent["mentions"]:
            assert 0 <= s < e <= n
    for t in data["times"]:
        inside(t["spans"])


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_attribute_cases(pipeline: Any, text: str, expected: list[Expected]) -> None:
    record = pipeline(text, clean=False)
    got = [a.to_dict() for a in record.attributions]
    summary = [
        (a["kind"], a["source"] and a["source"]["text"], a["cue"] and a["cue"]["text"],
         a["content"]["text"])
        for a in got
    ]  # fmt: skip
    assert len(got) == len(expected), summary
    for exp in expected:
        assert any(_matches(a, exp) for a in got), (exp, summary)


@pytest.mark.parametrize(
    ("text", "expected"),
    [*CASES, pytest.param('The film "Harbor Lights" opened on Friday.', [], id="film-title")],
)
def test_attribute_spans_index_the_text(pipeline: Any, text: str, expected: list[Expected]) -> None:
    record = pipeline(text, clean=False)
    assert record.text == text
    check_spans(record)


def test_attribute_quote_inside_covers_the_first_part_and_is_one_attribution(
    pipeline: Any,
) -> None:
    text = '"We will," Varga said, "rebuild it."'
    (a,) = pipeline(text, clean=False).attributions
    assert a.content.spans[0] == (0, 10)
    assert (0, 10) in a.quotes


def test_attribute_quote_continues_into_the_next_sentence(pipeline: Any) -> None:
    text = '"We will rebuild the pier," Varga said. "The town deserves nothing less."'
    (a,) = pipeline(text, clean=False).attributions
    assert a.content.spans == [(0, 27), (40, len(text))]
    assert a.quotes == [(0, 27), (40, len(text))]
    assert a.cue is not None and a.cue.lemma == "say"


@pytest.mark.parametrize("brk", ["\n", "\n\n"])
def test_attribute_closed_quote_does_not_run_into_the_next_paragraph(
    pipeline: Any, brk: str
) -> None:
    # the module's rule: a new paragraph continues a quote only when the last one ran open
    text = f'"We will rebuild the pier," Varga said.{brk}"Another thing entirely."'
    (a,) = pipeline(text, clean=False).attributions
    assert a.content.spans == [(0, 27)]
    assert "Another thing" not in a.content.text


def test_attribute_denial_cue_lemma(pipeline: Any) -> None:
    (a,) = pipeline("The ministry denied that it had sold the land.", clean=False).attributions
    assert a.cue is not None and a.cue.lemma == "deny"


def test_attribute_according_to_cue_lemma(pipeline: Any) -> None:
    (a,) = pipeline("The budget grew, according to the treasurer.", clean=False).attributions
    assert a.cue is not None and a.cue.lemma == "according to"
    assert a.source is not None and a.source.text == "the treasurer"


def test_attribute_citing_nests_the_cited_source_as_via(pipeline: Any) -> None:
    text = "Citing two unnamed officials, local media reported on Monday that the port would close."
    record = pipeline(text, clean=False)
    by_id = {a.id: a for a in record.attributions}
    outer = next(a for a in record.attributions if a.source and a.source.text == "local media")
    assert outer.source is not None
    assert outer.source.anonymous is True
    assert outer.source.kind == "media"
    assert "the port would close" in outer.content.text
    assert outer.via is not None and outer.via in by_id
    inner = by_id[outer.via]
    assert inner.source is not None and "officials" in inner.source.text
    assert inner.source.anonymous is True
    check_spans(record)


def test_attribute_citing_nests_with_anonymous_officials(pipeline: Any) -> None:
    text = "Citing anonymous officials, local media reported on Monday that the port would close."
    record = pipeline(text, clean=False)
    by_id = {a.id: a for a in record.attributions}
    outer = next(a for a in record.attributions if a.source and a.source.text == "local media")
    assert outer.source is not None
    assert (outer.source.anonymous, outer.source.kind) == (True, "media")
    assert outer.via is not None
    inner = by_id[outer.via]
    assert inner.source is not None and inner.source.text == "anonymous officials"
    assert inner.source.anonymous is True
    check_spans(record)


@pytest.mark.parametrize("text", ["", "   ", "\n\n", " \t\n "])
def test_attribute_blank_text_gives_an_empty_record(pipeline: Any, text: str) -> None:
    # the library takes any string (the CLI's reader rejects blank files with
    # InputError); a blank text is an empty record with its text kept as given
    record = pipeline(text, clean=False)
    assert record.text == text
    assert record.attributions == []
    assert record.entities == []
    cleaned = pipeline(text)
    assert cleaned.text == ""
    assert cleaned.attributions == []


@pytest.mark.parametrize(
    ("text", "cue", "content"),
    [
        # a raising verb or a passive without "by": the subject did not say it, and a raised
        # subject belongs to the content (PolNeAR's convention, learned from train)
        ("The harbor council is expected to approve the new budget on Monday.",
         "is expected", "The harbor council … to approve the new budget"),
        ("No serious study appears to have been done on the river crossing.",
         "appears", "No serious study … to have been done"),
        ("Mayor Ilse Varga was asked about the delay at a briefing on Tuesday.",
         "was asked", "the delay"),
    ],
)  # fmt: skip
def test_attribute_subject_of_raising_or_passive_cue_is_no_source(
    pipeline: Any, text: str, cue: str, content: str
) -> None:
    record = pipeline(text, clean=False)
    (a,) = record.attributions
    assert a.cue is not None and a.cue.text == cue
    assert a.source is None
    assert a.content.text.startswith(content)
    check_spans(record)


def test_attribute_passive_with_by_keeps_its_agent_as_source(pipeline: Any) -> None:
    text = "The closure was announced by Mayor Ilse Varga on Tuesday."
    record = pipeline(text, clean=False)
    sources = [a.source.text for a in record.attributions if a.source is not None]
    assert all("Varga" in s for s in sources), sources


def test_attribute_reduced_passive_clause_and_its_main_clause(pipeline: Any) -> None:
    text = "Asked about the delay, Mayor Ilse Varga said the pier would reopen in May."
    by_cue = {a.cue.text: a for a in pipeline(text, clean=False).attributions if a.cue}
    said = by_cue["said"]
    assert said.source is not None and said.source.text == "Mayor Ilse Varga"
    assert "Asked" not in by_cue or by_cue["Asked"].source is None


def test_attribute_subject_is_not_taken_across_a_line_break(pipeline: Any) -> None:
    text = (
        "Ferry traffic fell sharply last winter after the storms hit the coast of Maren.\n"
        "Ilse Varga added that the pier would reopen in May."
    )
    (a,) = pipeline(text, clean=False).attributions
    assert a.source is not None and a.source.text == "Ilse Varga"


def test_attribute_threshold_sets_which_cue_candidates_count(pipeline: Any) -> None:
    """Accurate mode asks for candidates below the cue model's threshold: a lower threshold
    keeps everything the default finds, a threshold above 1 finds nothing."""
    from onrecord.stages.quotes import find_quotes

    text = "Mayor Ilse Varga said the pier would reopen in May, and she hopes for a busy summer."
    doc = pipeline.nlp(text)
    quotes = find_quotes(text)
    default = pipeline.attributor(doc, quotes, text)
    lower = pipeline.attributor(doc, quotes, text, threshold=0.05)
    assert default and pipeline.attributor(doc, quotes, text, threshold=1.01) == []
    cues = {f.cue_head.i for f in lower if f.cue_head is not None}
    assert {f.cue_head.i for f in default if f.cue_head is not None} <= cues
    assert len(lower) >= len(default)


@pytest.mark.parametrize(
    ("text", "cue", "speaker"),
    [
        # a trailing participle the parser hangs inside the reported clause: the main subject
        (
            'Mayor Ilse Varga said the pier is safe but that its rails can be fixed "only '
            'when the money arrives," implying that the council is holding the money back.',
            "implying",
            "Ilse Varga",
        ),
        (
            "Harbor master Ines Okafor added a dry note to remarks that seemed meant to show no "
            "ship had been harmed during the storm, joking that her tugboats had slept through "
            "it.",
            "joking",
            "Ines Okafor",
        ),
    ],
)
def test_attribute_participle_takes_the_main_clause_subject(
    pipeline: Any, text: str, cue: str, speaker: str
) -> None:
    record = pipeline(text, clean=False)
    found = [a for a in record.attributions if a.cue and a.cue.text == cue]
    assert found and found[0].source is not None and found[0].source.name == speaker


def test_attribute_asked_does_not_make_the_answerer_the_asker(pipeline: Any) -> None:
    text = (
        "Asked what she thinks of the new ferry schedule, Mayor Ilse Varga said that the "
        "riders will decide."
    )
    record = pipeline(text, clean=False)
    by_cue = {a.cue.text: a for a in record.attributions if a.cue}
    assert by_cue["said"].source is not None and by_cue["said"].source.name == "Ilse Varga"
    asked = by_cue.get("Asked")
    assert asked is None or asked.source is None


@pytest.mark.parametrize(
    ("text", "source", "speaker"),
    [
        # remarks someone made: the one who made them says what they suggest
        ("Ms. Okafor gave remarks that appeared aimed to suggest no ship was harmed.",
         "Ms. Okafor", "Okafor"),
        ("Mayor Lina Ostrava spoke in the harbor town on Monday. She injected a note of "
         "mockery into remarks that appeared aimed to suggest no ship was harmed, quipping "
         "that her deputy had lost the keys.", "She", "Lina Ostrava"),
    ],
)  # fmt: skip
def test_attribute_a_relative_pronoun_source_is_its_antecedent_or_its_maker(
    pipeline: Any, text: str, source: str, speaker: str | None
) -> None:
    record = pipeline(text, clean=False)
    found = [a for a in record.attributions if a.cue and "suggest" in a.cue.text]
    assert found and found[0].source is not None
    assert (found[0].source.text, found[0].source.name) == (source, speaker)


@pytest.mark.parametrize(
    ("text", "content"),
    [
        (
            "Port director Mara Quist said in a statement that the cranes would stay idle.",
            "that the cranes would stay idle",
        ),
        (
            "Quist told reporters at a briefing that the cranes would stay idle.",
            "that the cranes would stay idle",
        ),
    ],
)
def test_attribute_a_that_clause_hung_on_the_setting_is_the_content(
    pipeline: Any, text: str, content: str
) -> None:
    (a,) = pipeline(text, clean=False).attributions
    assert a.content.text == content


def test_attribute_a_relative_clause_on_the_setting_is_no_content(pipeline: Any) -> None:
    record = pipeline("Quist spoke at a briefing that lasted an hour.", clean=False)
    assert record.attributions == []


@pytest.mark.parametrize(
    ("text", "cue", "content"),
    [
        ("Mayor Lina Ostrava praised the crews and voiced hope that the pier would reopen "
         "in May.", "voiced hope", "that the pier would reopen in May"),
        ("Harbor master Anton Velk expressed confidence that the cranes would run again.",
         "expressed confidence", "that the cranes would run again"),
    ],
)  # fmt: skip
def test_attribute_a_voiced_stance_is_an_attribution(
    pipeline: Any, text: str, cue: str, content: str
) -> None:
    record = pipeline(text, clean=False)
    found = [a for a in record.attributions if a.cue and a.cue.text == cue]
    assert found, [(a.cue.text if a.cue else None, a.content.text) for a in record.attributions]
    assert found[0].content.text == content
    assert found[0].source is not None and found[0].source.kind == "person"


def _one(pipeline: Any, text: str) -> Record:
    return next(pipeline.pipe([text]))


def test_attribute_a_quote_signed_with_a_dash(pipeline: Any) -> None:
    r = _one(pipeline, '"We will not raise the fares this year." — Commissioner Tomas Reyes')
    (a,) = r.attributions
    assert a.kind == "direct" and a.source is not None and a.source.name == "Tomas Reyes"
    assert a.content.text == '"We will not raise the fares this year."'


def test_attribute_a_quote_after_a_name_and_a_colon(pipeline: Any) -> None:
    text = (
        "The council met on Monday to vote on the budget.\n\n"
        'And from the chairwoman, Ines Okafor: "This is the best budget we have passed in '
        'ten years."'
    )
    found = [a for a in _one(pipeline, text).attributions if a.kind == "direct"]
    assert [a.source.name for a in found if a.source] == ["Ines Okafor"]


def test_attribute_a_dash_inside_a_sentence_signs_nothing(pipeline: Any) -> None:
    text = 'The slogan "Ferries for all" — printed on every ticket — was dropped in May.'
    assert not [a for a in _one(pipeline, text).attributions if a.kind == "direct"]


def test_attribute_told_an_agency_makes_it_the_addressee(pipeline: Any) -> None:
    text = "The harbor will close for repairs in May, Mayor Ida Brandt told The Northport Courier."
    (a,) = _one(pipeline, text).attributions
    assert a.source is not None and a.source.name == "Ida Brandt"
    assert "Courier" not in a.content.text
    assert a.addressee is not None and "Northport Courier" in a.addressee.text

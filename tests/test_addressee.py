"""Addressee (to whom) and setting (where, in what medium) of attributions.

Every text here is made up: fictional people, fictional outlets, fictional events.
"""

from __future__ import annotations

from typing import Any

import pytest

from onrecord.record import (
    ADDRESSEE_KINDS,
    Addressee,
    Attribution,
    Content,
    Record,
    Setting,
)

pytestmark = pytest.mark.model


def one(pipeline: Any, text: str, cue: str) -> Attribution:
    """The attribution of ``text`` whose cue is ``cue``."""
    record = pipeline(text, clean=False)
    found = [a for a in record.attributions if a.cue is not None and a.cue.text == cue]
    assert found, [(a.cue and a.cue.text, a.content.text) for a in record.attributions]
    a = found[0]
    for part in (a.addressee, a.setting):
        if part is not None:  # the spans index the text and give the text
            assert " ".join(text[s:e] for s, e in part.spans) == part.text
    return a


#: (text, cue, addressee text or None, addressee kind, setting text or None)
CASES: list[tuple[str, str, str | None, str | None, str | None]] = [
    # told X: a person, an audience, an outlet
    ("Harbor master Ines Okafor told Halvard Njoku that the pier would reopen in May.",
     "told", "Halvard Njoku", "person", None),
    ("Okafor told reporters that the ferry would run again by June.",
     "told", "reporters", "audience", None),
    ("The pier will reopen in May, Okafor told the Alder Courier.",
     "told", "the Alder Courier", None, None),
    ('"We are not in a crisis yet," Njoku told the crowd.',
     "told", "the crowd", "audience", None),
    # to X after a speech verb
    ("Okafor wrote to shareholders that the harbor fund was sound.",
     "wrote", "shareholders", "audience", None),
    ('"The pier will hold," Okafor said to the crowd.',
     "said", "the crowd", "audience", None),
    # settings, with their preposition, fronted or after the cue
    ("Okafor said at a press conference in Port Alder that the pier would reopen.",
     "said", None, None, "at a press conference in Port Alder"),
    ("In a statement, the harbor board said the fees would rise in July.",
     "said", None, None, "In a statement"),
    ('"The budget is tight," Njoku said during a hearing on Tuesday.',
     "said", None, None, "during a hearing on Tuesday"),
    ("In her remarks to the council, Okafor said the pier was safe.",
     "said", "the council", "organization", "In her remarks to the council"),
    ("Okafor said in a letter to shareholders that the harbor fund was sound.",
     "said", "shareholders", "audience", "in a letter to shareholders"),
    # the name inside an interview is the addressee too
    ("Okafor said in an interview with the Alder Courier that the pier was safe.",
     "said", "the Alder Courier", None, "in an interview with the Alder Courier"),
    # a platform is a setting, not an addressee
    ("Njoku said on Twitter that the ferry would be late.",
     "said", None, None, "on Twitter"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "cue", "addressee", "kind", "setting"), CASES)
def test_addressee_and_setting(
    pipeline: Any,
    text: str,
    cue: str,
    addressee: str | None,
    kind: str | None,
    setting: str | None,
) -> None:
    a = one(pipeline, text, cue)
    if addressee is None:
        assert a.addressee is None, a.addressee
    else:
        assert a.addressee is not None and a.addressee.text == addressee
        assert a.addressee.kind in ADDRESSEE_KINDS
        if kind is not None:
            assert a.addressee.kind == kind
    if setting is None:
        assert a.setting is None, a.setting
    else:
        assert a.setting is not None and a.setting.text == setting


def test_a_date_alone_is_no_setting(pipeline: Any) -> None:
    a = one(pipeline, "Okafor said on Friday that the pier would reopen in May.", "said")
    assert a.setting is None
    assert a.addressee is None
    assert a.time is not None  # the date is the statement's time, not its setting


def test_a_place_alone_is_no_setting(pipeline: Any) -> None:
    a = one(pipeline, "Okafor said in Port Alder that the pier would reopen in May.", "said")
    assert a.setting is None


def test_told_without_an_object_has_no_addressee(pipeline: Any) -> None:
    a = one(pipeline, '"The pier is safe," Okafor told.', "told")
    assert a.addressee is None


def test_what_is_told_is_not_the_addressee(pipeline: Any) -> None:
    record = pipeline("Okafor told the story of the old pier at length.", clean=False)
    assert all(a.addressee is None for a in record.attributions)


def test_addressee_resolves_to_the_article_entity(pipeline: Any) -> None:
    text = (
        "Halvard Njoku runs the Port Alder utility.\n\n"
        "Harbor master Ines Okafor told Njoku that the pier would reopen in May."
    )
    a = one(pipeline, text, "told")
    assert a.addressee is not None and a.addressee.text == "Njoku"
    assert a.addressee.name == "Halvard Njoku" and a.addressee.kind == "person"
    record = pipeline(text, clean=False)
    entity = next(e for e in record.entities if e.id == a.addressee.entity)
    assert entity.name == "Halvard Njoku"


def test_an_added_statement_shares_the_addressee(pipeline: Any) -> None:
    text = (
        "Okafor told the Alder Courier that the pier was safe, adding that the ferry would "
        "run again by June."
    )
    told = one(pipeline, text, "told")
    adding = one(pipeline, text, "adding")
    assert told.addressee is not None and adding.addressee is not None
    assert adding.addressee.spans == told.addressee.spans


def disjoint(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return all(e1 <= s2 or e2 <= s1 for s1, e1 in a for s2, e2 in b)


def test_addressee_and_setting_stay_out_of_content_source_and_cue(pipeline: Any) -> None:
    text = (
        "At a briefing on Monday, Okafor told reporters that the pier would reopen in May.\n\n"
        '"We will rebuild it," Njoku said in a statement.'
    )
    record = pipeline(text, clean=False)
    seen = 0
    for a in record.attributions:
        for part in (a.addressee, a.setting):
            if part is None:
                continue
            seen += 1
            assert disjoint(part.spans, a.content.spans)
            assert a.cue is not None and disjoint(part.spans, a.cue.spans)
            assert a.source is None or disjoint(part.spans, a.source.spans)
    assert seen == 3


def test_a_content_that_took_in_the_addressee_does_not_hide_it(pipeline: Any) -> None:
    # when the parse hangs the that-clause on the setting's noun, the object of "told" is
    # still the addressee and the clause is no part of the setting
    text = "Okafor told reporters at a briefing that the pier would reopen in May."
    a = one(pipeline, text, "told")
    assert a.addressee is not None and a.addressee.text == "reporters"
    assert a.setting is None or a.setting.text == "at a briefing"


def test_beliefs_have_neither(pipeline: Any) -> None:
    record = pipeline("Officials believe at the meeting that the pier is safe.", clean=False)
    for a in record.attributions:
        if a.kind == "belief":
            assert a.addressee is None and a.setting is None


def test_round_trip_and_old_records() -> None:
    a = Attribution(
        id="a1",
        kind="indirect",
        content=Content("the pier would reopen", [(30, 51)]),
        addressee=Addressee("reporters", [(10, 19)], kind="audience"),
        setting=Setting("in a statement", [(60, 74)]),
    )
    record = Record(doc="d", text="x" * 80, attributions=[a])
    data = record.to_dict()
    row = data["attributions"][0]
    assert list(row).index("addressee") == list(row).index("time") + 1
    assert row["addressee"] == {
        "text": "reporters",
        "spans": [[10, 19]],
        "entity": None,
        "name": None,
        "kind": "audience",
    }
    assert row["setting"] == {"text": "in a statement", "spans": [[60, 74]]}
    assert Record.from_dict(data).to_dict() == data
    # a record written before the fields existed reads with None
    for key in ("addressee", "setting"):
        del row[key]
    back = Record.from_dict(data).attributions[0]
    assert back.addressee is None and back.setting is None

"""Resolve: entities clustered from mentions, sources pointed at them, kinds and anonymity.

Every text here is made up: fictional people, fictional places.
"""

from __future__ import annotations

from typing import Any

import pytest

from onrecord.record import Record, Source

pytestmark = pytest.mark.model

VELK = (
    "Regional Governor Anton Velk spoke on Monday. Velk said the dam was safe. "
    "He added that repairs would start soon."
)


def source_of(record: Record, cue: str) -> Source:
    """The source of the one attribution whose cue text is ``cue``."""
    (a,) = [a for a in record.attributions if a.cue is not None and a.cue.text == cue]
    assert a.source is not None, f"no source for {cue!r}"
    return a.source


def test_resolve_pronoun_goes_to_the_person_named_before(pipeline: Any) -> None:
    record = pipeline(VELK, clean=False)
    (velk,) = [e for e in record.entities if e.name == "Anton Velk"]
    assert velk.type == "person"
    assert any("Governor" in t for t in velk.titles)
    he = source_of(record, "added")
    assert he.text == "He"
    assert (he.entity, he.name, he.kind, he.anonymous) == (velk.id, "Anton Velk", "person", False)
    assert (VELK.index("He"), VELK.index("He") + 2) in velk.mentions


def test_resolve_surname_joins_the_full_name(pipeline: Any) -> None:
    record = pipeline(VELK, clean=False)
    assert [e.name for e in record.entities if "Velk" in e.name] == ["Anton Velk"]
    (velk,) = [e for e in record.entities if e.name == "Anton Velk"]
    said = source_of(record, "said")
    assert (said.entity, said.name, said.kind) == (velk.id, "Anton Velk", "person")
    start = VELK.index("Velk said")
    assert (start, start + 4) in velk.mentions


@pytest.mark.parametrize(
    "text",
    [
        "A senior port official, Mara Quist, said the cranes were idle.",
        "Mara Quist, a senior port official, said the cranes were idle.",
    ],
)
def test_resolve_apposition_title(pipeline: Any, text: str) -> None:
    record = pipeline(text, clean=False)
    (quist,) = [e for e in record.entities if e.name == "Mara Quist"]
    assert "senior port official" in quist.titles
    src = source_of(record, "said")
    assert (src.entity, src.name, src.kind, src.anonymous) == (
        quist.id, "Mara Quist", "person", False)  # fmt: skip


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Port director Mara Quist said the cranes were idle.", "Port director"),
        ("Regional Governor Anton Velk said the dam was safe.", "Regional Governor"),
        ("Mayor Ilse Varga said the pier would reopen.", "Mayor"),
    ],
)
def test_resolve_title_before_the_name(pipeline: Any, text: str, title: str) -> None:
    record = pipeline(text, clean=False)
    src = source_of(record, "said")
    (ent,) = [e for e in record.entities if e.id == src.entity]
    assert ent.type == "person"
    assert ent.titles == [title]
    assert src.name is not None and src.name in text and not src.name.startswith(title)


@pytest.mark.parametrize(
    ("text", "cue", "source_text", "kind", "anonymous"),
    [
        # anonymous: nobody named
        ("Sources said the cranes were idle.", "said", "Sources", "unnamed", True),
        ("A source close to the mayor said the cranes were idle.", "said",
         "A source close to the mayor", "unnamed", True),
        ("Anonymous officials said the cranes were idle.", "said", "Anonymous officials",
         "unnamed", True),
        ("Residents said the cranes were idle.", "said", "Residents", "unnamed", True),
        ("Local media reported that the cranes were idle.", "reported", "Local media",
         "media", True),
        ("Reports said the cranes were idle.", "said", "Reports", "media", True),
        # named: not anonymous
        ("Port director Mara Quist said the cranes were idle.", "said",
         "Port director Mara Quist", "person", False),
        ("The Harbor Authority said the cranes were idle.", "said", "The Harbor Authority",
         "organization", False),
        ("The Daily Lantern reported that the cranes were idle.", "reported",
         "The Daily Lantern", "media", False),
        ("Citing a leaked memo, the Daily Lantern reported that the cranes were idle.",
         "Citing", "a leaked memo", "document", False),
        ("The report found that the cranes were idle.", "found", "The report", "document", False),
    ],
)  # fmt: skip
def test_resolve_source_kind_and_anonymity(
    pipeline: Any, text: str, cue: str, source_text: str, kind: str, anonymous: bool
) -> None:
    src = source_of(pipeline(text, clean=False), cue)
    assert (src.text, src.kind, src.anonymous) == (source_text, kind, anonymous)
    if anonymous:
        assert src.entity is None and src.name is None


def test_resolve_named_organization_is_an_entity(pipeline: Any) -> None:
    record = pipeline("The Harbor Authority said the cranes were idle.", clean=False)
    src = source_of(record, "said")
    (ent,) = [e for e in record.entities if e.id == src.entity]
    assert (ent.name, ent.type, src.name) == ("Harbor Authority", "organization",
                                              "Harbor Authority")  # fmt: skip


def test_resolve_entity_ids_are_unique_and_mentions_sorted(pipeline: Any) -> None:
    record = pipeline(VELK + " Mara Quist, a senior port official, disagreed.", clean=False)
    ids = [e.id for e in record.entities]
    assert len(ids) == len(set(ids))
    for e in record.entities:
        assert e.mentions == sorted(set(e.mentions))
        for s, t in e.mentions:
            assert 0 <= s < t <= len(record.text)


# -- names that are not people's, titles that are no names, pronouns of organizations -------


def test_resolve_a_bare_title_is_no_name(pipeline: Any) -> None:
    src = source_of(pipeline("Governor says the bridge will reopen in May.", clean=False), "says")
    assert (src.name, src.kind) == (None, "unnamed")


def test_resolve_a_name_with_an_article_is_an_organization(pipeline: Any) -> None:
    text = "The Lantern Tribune reported that the bridge would reopen in May."
    src = source_of(pipeline(text, clean=False), "reported")
    assert (src.name, src.kind) == ("Lantern Tribune", "media")


def test_resolve_it_goes_to_the_organization_that_spoke(pipeline: Any) -> None:
    text = "The Velmora Museum said it would reopen in May. It added that tickets would cost less."
    src = source_of(pipeline(text, clean=False), "added")
    assert (src.text, src.name, src.kind) == ("It", "Velmora Museum", "organization")


def test_resolve_the_company_goes_to_the_company_named_before(pipeline: Any) -> None:
    text = "Tovik Motors posted strong sales. The company said demand would grow next year."
    src = source_of(pipeline(text, clean=False), "said")
    assert (src.text, src.name, src.kind) == ("The company", "Tovik Motors", "organization")


def test_resolve_the_authority_only_goes_to_an_authority(pipeline: Any) -> None:
    named = "The Harbor Authority met on Monday. Later, the authority said the pier was safe."
    assert source_of(pipeline(named, clean=False), "said").name == "Harbor Authority"
    other = "Tovik Motors posted strong sales. Later, the authority said the pier was safe."
    assert source_of(pipeline(other, clean=False), "said").name is None


def test_resolve_who_is_the_noun_its_clause_modifies(pipeline: Any) -> None:
    named = "The plan was backed by Mara Quist, who said the pier was safe."
    assert source_of(pipeline(named, clean=False), "said").name == "Mara Quist"
    unnamed = "Port director Mara Quist spoke. Fishermen who said the pier was unsafe were ignored."
    src = source_of(pipeline(unnamed, clean=False), "said")
    assert (src.text, src.name) == ("who", None)


def test_resolve_which_is_never_a_person(pipeline: Any) -> None:
    text = "Mara Quist spoke. The novel by Ines Okafor, which says the pier was unsafe, sold well."
    src = source_of(pipeline(text, clean=False), "says")
    assert src.name is None and src.kind != "person"


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Meghan cry", "Meghan"),
        ("Ilse Varga's", "Ilse Varga"),
        ("the Harbor Board", "Harbor Board"),
        ("Osama bin Laden", "Osama bin Laden"),  # a lowercase particle inside stays
        ("bell hooks", "bell hooks"),  # a name written in lowercase stays whole
    ],
)
def test_resolve_a_name_that_ran_on_into_the_sentence_is_trimmed(raw: str, name: str) -> None:
    from onrecord.stages.resolve import _clean_name

    assert _clean_name(raw) == name


def test_resolve_an_image_credit_is_not_a_title(pipeline: Any) -> None:
    text = "Credit: NASA\n\nNASA said on Monday that five firms would carry cargo to the moon."
    record = pipeline(text, clean=False)
    nasa = [e for e in record.entities if e.name == "NASA"]
    assert nasa and nasa[0].titles == []


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        ("Russian President", True),
        ("Credit", False),
        ("Photo:", False),
        ("-", False),
        (None, False),
    ],
)
def test_resolve_titles_that_are_not_titles(title: str | None, kept: bool) -> None:
    from onrecord.stages.resolve import _not_a_title

    assert (_not_a_title(title) == title) is kept or (title is None and _not_a_title(None) is None)

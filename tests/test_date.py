"""Time expressions normalized against the publication date (onrecord.stages.date)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from spacy.lang.en import English
from spacy.tokens import Doc, Span

from onrecord.errors import InputError
from onrecord.record import TimeExpression
from onrecord.stages.date import Prefer, find_times, normalize, parse_published

WED = date(2017, 5, 17)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "published", "value", "anchored"),
    [
        # the cases the dates must handle
        ("May 17", WED, "2017-05-17", True),
        ("on May 16", WED, "2017-05-16", True),
        ("in February", WED, "2017-02", True),
        ("last year", WED, "2016", True),
        ("January 20", WED, "2017-01-20", True),
        ("Tuesday", WED, "2017-05-16", True),
        ("yesterday", WED, "2017-05-16", True),
        ("last week", WED, "2017-W19", True),
        ("2015", WED, "2015", False),
        ("in 2015", WED, "2015", False),
        ("May 17, 2015", WED, "2015-05-17", False),
        ("Sept. 11", date(2016, 9, 14), "2016-09-11", True),
        ("in July", WED, "2017-07", True),
        # yearless: the closest occurrence, a tie (six months) goes to the past
        ("in December", WED, "2016-12", True),
        ("in November", WED, "2016-11", True),
        ("Dec. 26", date(2016, 1, 5), "2015-12-26", True),
        # weekdays and days
        ("Wednesday", WED, "2017-05-17", True),
        ("Tuesday night", WED, "2017-05-16", True),
        ("late Tuesday", WED, "2017-05-16", True),
        ("Tuesday’s", WED, "2017-05-16", True),
        ("last Tuesday", WED, "2017-05-16", True),
        ("next Tuesday", WED, "2017-05-23", True),
        ("this Thursday", WED, "2017-05-18", True),
        ("today", WED, "2017-05-17", True),
        ("last night", WED, "2017-05-16", True),
        ("tomorrow", WED, "2017-05-18", True),
        # weeks, months, years
        ("this week", WED, "2017-W20", True),
        ("earlier this month", WED, "2017-05", True),
        ("last month", date(2017, 1, 10), "2016-12", True),
        ("later this year", WED, "2017", True),
        ("next year", WED, "2018", True),
        ("last November", date(2016, 9, 1), "2015-11", True),
        ("next January", WED, "2018-01", True),
        ("June of last year", WED, "2016-06", True),
        ("two weeks ago", WED, "2017-W18", True),
        ("four years ago", WED, "2013", True),
        ("Twenty-two years ago", WED, "1995", True),
        ("six months ago", WED, "2016-11", True),
        ("a year from now", WED, "2018", True),
        # precision kept: a month stays a month, a year a year
        ("early February", WED, "2017-02", True),
        ("mid-2015", WED, "2015", False),
        ("late May 2016", WED, "2016-05", False),
        ("the end of the year", WED, "2017", True),
        ("the first week of March", WED, "2017-03", True),
        ("the week of May 3", WED, "2017-W18", True),
        ("the first quarter of 2015", WED, "2015-Q1", False),
        ("the first half of 2015", WED, "2015-H1", False),
        ("this summer", WED, "2017-SU", True),
        ("last summer", WED, "2016-SU", True),
        ("the summer of 2001", WED, "2001-SU", False),
        ("the 1990s", WED, "199", False),
        ("the early 1960s", WED, "196", False),
        ("the '80s", WED, "198", True),
        ("the 20th century", WED, "19", False),
        # full dates in other shapes
        ("Tuesday, May 3, 2016", WED, "2016-05-03", False),
        ("February 28th, 2016", WED, "2016-02-28", False),
        ("17 May 2017", WED, "2017-05-17", False),
        ("2016-05-03", WED, "2016-05-03", False),
        # holidays
        ("Christmas", date(2016, 9, 1), "2016-12-25", True),
        ("Election Day", date(2016, 10, 1), "2016-11-08", True),
        ("Memorial Day", date(2017, 6, 1), "2017-05-29", True),
        ("Thanksgiving 2017", WED, "2017-11-23", False),
        # ranges become ISO 8601 intervals
        ("February 15-17", date(2016, 3, 1), "2016-02-15/2016-02-17", True),
        ("Feb. 15 to March 15", date(2016, 3, 1), "2016-02-15/2016-03-15", True),
        ("between 2006 and 2012", WED, "2006/2012", False),
        ("2008-9", WED, "2008/2009", False),
        ("September to December 2014", WED, "2014-09/2014-12", False),
    ],
)
def test_date_normalize_against_publication_date(
    text: str, published: date, value: str, anchored: bool
) -> None:
    assert normalize(text, published) == (value, anchored)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("May 17", "--05-17"),  # ISO 8601 month-day without a year
        ("in February", "--02"),
        ("Christmas", "--12-25"),
        ("in 2015", "2015"),
        ("May 17, 2015", "2015-05-17"),
        ("the 1990s", "199"),
        ("between 2006 and 2012", "2006/2012"),
        # relative: nothing to resolve against, nothing invented
        ("last year", None),
        ("Tuesday", None),
        ("yesterday", None),
        ("two weeks ago", None),
        ("this summer", None),
        ("Election Day", None),
        ("February 15-17", None),
        ("the '80s", None),
    ],
)
def test_date_without_publication_date_invents_nothing(text: str, value: str | None) -> None:
    assert normalize(text, None) == (value, False)


@pytest.mark.parametrize(
    "text",
    [
        # durations, ages, frequencies
        "three years",
        "the past decade",
        "decades",
        "72 hours",
        "the age of 70",
        "every year",
        "annual",
        # tied to another event, or too vague to date
        "four years later",
        "that day",
        "the next day",
        "the next year",
        "about 20 years ago",
        "decades ago",
        "a week before Christmas",
        "this weekend",
        "Super Tuesday",
        "the 2015 fiscal year",
        "July 8 and 9",
        # not dates at all
        "9:30 p.m.",
        "may",  # the verb: the NER's business, but must not crash
        "",
        "   ",
        "Mateen",
        "24",
    ],
)
def test_date_normalize_gives_no_value(text: str) -> None:
    assert normalize(text, WED) == (None, False)


@pytest.mark.parametrize(
    ("text", "prefer", "value"),
    [
        ("Tuesday", "future", "2017-05-23"),  # the next one, not the last one
        ("Wednesday", "future", "2017-05-17"),
        ("May 10", "future", "2018-05-10"),
        ("May 17", "future", "2017-05-17"),
        ("in February", "future", "2018-02"),
        ("in May", "future", "2017-05"),
        ("Christmas", "future", "2017-12-25"),
        ("this summer", "future", "2017-SU"),
        ("this summer", "past", "2017-SU"),  # "this" wins over the tense
        ("this fall", "past", "2017-FA"),
        ("last year", "future", "2016"),  # an explicit direction wins
        ("Tuesday", "past", "2017-05-16"),
        ("in July", "past", "2016-07"),  # closest would be 2017-07
        ("Sept. 30", "past", "2016-09-30"),
        ("Christmas", "past", "2016-12-25"),
        ("next week", "past", "2017-W21"),
    ],
)
def test_date_prefer_past_or_future(text: str, prefer: Prefer, value: str) -> None:
    assert normalize(text, WED, prefer=prefer) == (value, True)


def test_date_normalize_accepts_a_datetime() -> None:
    assert normalize("yesterday", datetime(2017, 5, 17, 23, 59)) == ("2017-05-16", True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-05-17", date(2017, 5, 17)),
        ("2017-05-17T10:00:00Z", date(2017, 5, 17)),
        ("2017-05-17T23:30:00-05:00", date(2017, 5, 17)),  # the date as written
        ("2017-05-17 10:00:00", date(2017, 5, 17)),
        ("20170517", date(2017, 5, 17)),
        ("2017/05/17", date(2017, 5, 17)),
        ("Wed, 17 May 2017 10:00:00 GMT", date(2017, 5, 17)),
        ("May 17, 2017", date(2017, 5, 17)),
        ("17 May 2017", date(2017, 5, 17)),
        (date(2017, 5, 17), date(2017, 5, 17)),
        (datetime(2017, 5, 17, 10, tzinfo=UTC), date(2017, 5, 17)),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_date_parse_published(value: str | date | None, expected: date | None) -> None:
    assert parse_published(value) == expected


@pytest.mark.parametrize(
    "value", ["garbage", "2017-02-30", "17/05/2017", "2017-05", "yesterday", "May 17"]
)
def test_date_parse_published_rejects_garbage(value: str) -> None:
    with pytest.raises(InputError) as info:
        parse_published(value)
    assert info.value.reason == "bad_date"
    assert "2017-05-17" in str(info.value)  # says what to use instead


def _doc(text: str, ents: list[tuple[int, int, str]]) -> Doc:
    doc = Doc(English().vocab, words=text.split())
    doc.ents = [Span(doc, start, end, label=label) for start, end, label in ents]
    return doc


def test_date_find_times_trims_and_skips() -> None:
    doc = _doc(
        "He spoke on Tuesday about the past decade at 9:30 p.m. in 2015",
        [(2, 4, "DATE"), (5, 8, "DATE"), (9, 11, "TIME"), (11, 13, "DATE")],
    )
    times = find_times(doc, WED)
    tuesday, year = doc.text.index("Tuesday"), doc.text.index("2015")
    assert times == [
        TimeExpression("Tuesday", [(tuesday, tuesday + 7)], "2017-05-16", True),
        TimeExpression("2015", [(year, year + 4)], "2015", False),
    ]


@pytest.mark.parametrize(
    ("words", "text", "value"),
    [
        ("she posted a tweet Tuesday", "Tuesday", "2017-05-16"),  # NER noise before the date
        ("they met the next Tuesday", "the next Tuesday", None),  # anaphoric: kept, no value
        ("they met Tuesday night", "Tuesday night", "2017-05-16"),
        ("rules since 2008", "2008", "2008"),
    ],
)
def test_date_find_times_span_text_matches_value(words: str, text: str, value: str) -> None:
    doc = _doc(words, [(2, len(words.split()), "DATE")])
    (found,) = find_times(doc, WED)
    assert (found.text, found.value) == (text, value)
    start, end = found.spans[0]
    assert doc.text[start:end] == text


@pytest.mark.model
def test_date_find_times_with_the_model(nlp) -> None:  # type: ignore[no-untyped-def]
    doc = nlp(
        "The council voted on April 7 and will meet again in June, "
        "a year after last year's vote. Its chair, 52, has served for three years."
    )
    times = {t.text: (t.value, t.anchored) for t in find_times(doc, date(2031, 4, 9))}
    assert times == {
        "April 7": ("2031-04-07", True),
        "June": ("2031-06", True),
        "last year": ("2030", True),
    }


@pytest.mark.model
@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (  # "will": the next Tuesday; "said": the last Wednesday (the publication day)
            "The committee will vote Tuesday, the chairman said on Wednesday.",
            {"Tuesday": "2031-04-15", "Wednesday": "2031-04-09"},
        ),
        (  # simple past: last September, although next September is closer
            "The old mayor retired in September.",
            {"September": "2030-09"},
        ),
        (  # "since": past
            "Fares have doubled since November.",
            {"November": "2030-11"},
        ),
        (  # no tense to go by: the closest September
            "The September festival draws crowds.",
            {"September": "2031-09"},
        ),
    ],
)
def test_date_find_times_reads_tense_from_the_parse(  # type: ignore[no-untyped-def]
    nlp, sentence: str, expected: dict[str, str]
) -> None:
    times = {t.text: t.value for t in find_times(nlp(sentence), date(2031, 4, 9))}
    assert times == expected

"""Quoted stretches of text (onrecord.stages.quotes): no model, one linear scan."""

from __future__ import annotations

import random
import time

import pytest

from onrecord.stages.quotes import Quote, find_quotes


def quoted(text: str) -> list[tuple[str, bool]]:
    """Each quote of ``text`` as (the text it covers, marks included; closed)."""
    return [(text[q.start : q.end], q.closed) for q in find_quotes(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the marks
        ('He said "yes" today.', [('"yes"', True)]),
        ("He said “yes” today.", [("“yes”", True)]),
        ("He said «yes» today.", [("«yes»", True)]),
        ("He said « yes » today.", [("« yes »", True)]),
        ("He said ''yes'' today.", [("''yes''", True)]),
        ("He said ``yes'' today.", [("``yes''", True)]),
        ("„Ja“, sagte er.", [("„Ja“", True)]),
        ('He said "yes" and "no".', [('"yes"', True), ('"no"', True)]),
        ("“One,” she said, “two.”", [("“One,”", True), ("“two.”", True)]),
        ('"Whole line quoted."', [('"Whole line quoted."', True)]),
        # a quote left open at the end of its paragraph, opened again in the next
        (
            '"We start now.\n"It will take a year."',
            [('"We start now.', False), ('"It will take a year."', True)],
        ),
        ("“We start now.  \n\n“It will take a year.”", [("“We start now.", False),
                                                          ("“It will take a year.”", True)]),
        ('He said "we start now', [('"we start now', False)]),
        ('He said "we start now   ', [('"we start now', False)]),
        # negatives: apostrophes, stray closing marks, nothing at all
        ("It's fine, isn't it? The cats' bowls are the dogs' now.", []),
        ("The mayor’s plan isn’t the council’s.", []),
        ("He said yes” and left.", []),
        ("Rain» fell.", []),
        ("", []),
        ("No quotes here at all.", []),
        ("\n\n\n", []),
    ],
)  # fmt: skip
def test_quotes_find(text: str, expected: list[tuple[str, bool]]) -> None:
    assert quoted(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        '"' * 1001,
        "“" * 1001,
        "”" * 1001,
        "«" * 1001,
        "»" * 1001,
        "''" * 1001,
        '" ”' * 1001,
        ('a"b ' * 1001),
        "".join(random.Random(1001).choice('"“”«»„\' \n') for _ in range(1001)),
        "".join(random.Random(7).choice('"“”«»') for _ in range(1001)),
    ],
    ids=["straight", "open-curly", "close-curly", "open-guillemet", "close-guillemet",
         "doubled-apostrophe", "mixed", "in-words", "random-with-spaces", "random"],
)  # fmt: skip
def test_quotes_unbalanced_marks_never_raise_and_stay_well_formed(text: str) -> None:
    start = time.perf_counter()
    quotes = find_quotes(text)
    # a generous bound: a linear scan of a few thousand characters takes milliseconds
    assert time.perf_counter() - start < 1.0
    last_end = 0
    for q in quotes:
        assert isinstance(q, Quote)
        assert last_end <= q.start < q.end <= len(text)  # in order, inside, no overlap
        last_end = q.end
        lo, hi = q.inner
        assert q.start < lo <= hi <= q.end


def test_quotes_inner_excludes_the_marks() -> None:
    text = 'He said "yes" and "we start'
    closed, open_ = find_quotes(text)
    assert text[slice(*closed.inner)] == "yes"
    assert text[slice(*open_.inner)] == "we start"

"""The plain-text cleaner: boilerplate lines out with reasons, body lines kept verbatim."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from conftest import EXAMPLES, SHARED, need_shared
from onrecord.stages.clean import Cleaned, clean_text, line_reasons, split_lines

RFERL = SHARED / "examples" / "rferl-putin-record.txt"

TITLE = "Port Alder Council Approves Harbor Budget"
BODY = [
    "The Port Alder city council approved a $48 million harbor budget on April 8 after a "
    "debate that ran past midnight.",
    '"This budget keeps the ferries running," Mayor Orla Brennan said after the vote.',
    "Councillor Tomas Reyes, who voted against the plan, said the city was borrowing against "
    "money it had not yet collected.",
    "The council will vote on a fishing fee again in June, the city clerk said.",
]


def article(
    *, before: Sequence[str] = (), middle: Sequence[str] = (), after: Sequence[str] = ()
) -> str:
    """An article with blank-line paragraphs and extra lines around and inside the body."""
    lines = [*before, TITLE, *BODY[:2], *middle, *BODY[2:], *after]
    return "\n\n".join(lines) + "\n"


def reasons(cleaned: Cleaned) -> dict[str, str]:
    return {r.text: r.reason for r in cleaned.removed}


def assert_body_intact(cleaned: Cleaned, middle: Sequence[str] = ()) -> None:
    assert cleaned.text == "\n\n".join([*BODY[:2], *middle, *BODY[2:]])


# ---------------------------------------------------------------------------
# boilerplate lines go, with their reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Accessibility links", "navigation"),
        ("Skip to content", "navigation"),
        ("Breaking News", "navigation"),
        ("Home | World | Politics | Business", "navigation"),
        ("Most Read", "navigation"),
        ("16x9 Image", "media_label"),
        ("Video", "media_label"),
        ("Photo: Jane Roe/Port Alder Ledger", "media_label"),
        ("Image caption The north pier after the storm", "media_label"),
        ("Jane Roe/Getty Images", "media_label"),
        ("Share this article", "share"),
        ("Facebook Twitter Email", "share"),
        ("Follow us on Twitter", "share"),
        ("Sign up for our daily newsletter", "subscribe"),
        ("We use cookies to improve your experience. Accept all cookies", "cookie"),
        ("© 2031 Port Alder Ledger. All rights reserved.", "footer"),
        ("Copyright 2031 Port Alder Ledger", "footer"),
        ("Privacy Policy | Terms of Use", "footer"),
        ("To find out more, click here.", "click_here"),
        ("Click here to subscribe", "click_here"),
        ("Read more", "related"),
        ("READ MORE: Council delays vote on ferry fares", "related"),
        ("Related: Council delays vote on ferry fares", "related"),
        ("Advertisement", "advertisement"),
        ("Story continues below advertisement", "advertisement"),
        ("By Mira Castellanos", "byline"),
        ("Updated April 8, 2031 6:55 AM", "date"),
        ("•", "empty"),
        ("***", "empty"),
    ],
)
def test_clean_removes_boilerplate_line_with_reason(line: str, reason: str) -> None:
    cleaned = clean_text(article(before=[line]))
    assert reasons(cleaned).get(line.strip()) == reason
    assert cleaned.title == TITLE
    assert_body_intact(cleaned)


def test_clean_strips_bullets_before_matching() -> None:
    cleaned = clean_text(article(after=["  • 16x9 Image"]))
    assert reasons(cleaned) == {TITLE: "title", "• 16x9 Image": "media_label"}
    assert_body_intact(cleaned)


@pytest.mark.parametrize(
    "line",
    ["Advertisement", "Read more", "READ MORE: Council delays vote on ferry fares", "Video"],
)
def test_clean_removes_inline_boilerplate_without_cutting_the_body(line: str) -> None:
    cleaned = clean_text(article(middle=[line]))
    assert line in reasons(cleaned)
    assert_body_intact(cleaned)


# ---------------------------------------------------------------------------
# body prose stays, whatever words it uses


@pytest.mark.parametrize(
    "line",
    [
        "A video of the hearing, which residents shared widely online, shows Reyes holding a "
        "cracked piling.",
        "Officials said residents who click on the link in the message risk losing their savings.",
        "Users were told to click here to claim a prize, the complaint said.",
        "Share prices of the ferry operator fell 4 percent after the announcement.",
        "Readers can subscribe to the council newsletter at the library, Brennan said.",
        "The site uses cookies to follow visitors, a practice regulators questioned in March.",
        "Copyright lawyers said the ruling would change how newspapers license photos.",
        "Related charges were filed against two other men in March.",
        "Advertising revenue at the Ledger fell sharply last year, its owner said.",
        "By Friday, the council had approved the plan.",
        "Home prices in the harbor district rose 3 percent in March.",
        "Comments from residents were overwhelmingly negative, according to the city clerk.",
        '"Read the report," Reyes told the council. "Then vote."',
        "Watch the full debate and you will see what happened, Reyes said.",
        "Photos of the damaged pier were published by the city on April 2.",
    ],
)
def test_clean_keeps_body_prose_that_mentions_boilerplate_words(line: str) -> None:
    cleaned = clean_text(article(middle=[line]))
    assert reasons(cleaned) == {TITLE: "title"}
    assert_body_intact(cleaned, [line])


def test_clean_keeps_subheadings_and_short_lines_inside_the_body() -> None:
    middle = ["What comes next", "Yes.", "He declined to comment."]
    cleaned = clean_text(article(middle=middle))
    assert_body_intact(cleaned, middle)


def test_clean_keeps_a_short_lede_and_a_short_closing_sentence() -> None:
    text = "\n\n".join([TITLE, "The council voted 5-4.", *BODY, "He declined to comment."])
    cleaned = clean_text(text)
    assert cleaned.text == "\n\n".join(["The council voted 5-4.", *BODY, "He declined to comment."])


def test_clean_leaves_a_clean_article_alone() -> None:
    text = "\n\n".join(BODY)
    cleaned = clean_text(text)
    assert cleaned.text == text
    assert cleaned.removed == []
    assert cleaned.title is None


def test_clean_short_text_without_paragraphs_is_kept() -> None:
    cleaned = clean_text("The mayor said yes.")
    assert cleaned.text == "The mayor said yes."
    assert cleaned.removed == []


@pytest.mark.parametrize("text", ["", "\n\n", "   \n\t\n"])
def test_clean_empty_text(text: str) -> None:
    assert clean_text(text) == Cleaned(text="", title=None, credits=[], removed=[])


# ---------------------------------------------------------------------------
# structure: repeats, page furniture, paragraphs


def test_clean_removes_a_caption_printed_twice() -> None:
    caption = "Councillor Tomas Reyes speaks during the budget hearing at City Hall on April 7."
    text = "\n\n".join([TITLE, f"{caption}\n{caption}", *BODY])
    cleaned = clean_text(text)
    assert [(r.text, r.reason) for r in cleaned.removed] == [
        (TITLE, "title"),
        (caption, "caption"),
        (caption, "caption"),
    ]
    assert cleaned.text == "\n\n".join(BODY)


def test_clean_removes_a_later_copy_of_a_line_as_duplicate() -> None:
    pull_quote = BODY[1]
    cleaned = clean_text(article(middle=[pull_quote]))
    assert reasons(cleaned)[pull_quote] == "duplicate"
    assert_body_intact(cleaned)


def test_clean_menu_and_teasers_outside_the_body_go() -> None:
    menu = ["News", "City Hall", "Harbor", "Sports"]
    teasers = ["Most Read", "Ferry timetable changes from May", "School board elects new chair"]
    cleaned = clean_text(article(before=menu, after=["Share this article", *teasers]))
    got = reasons(cleaned)
    assert all(got[m] == "navigation" for m in menu)
    assert got["Ferry timetable changes from May"] in {"navigation", "outside_body"}
    assert_body_intact(cleaned)


def test_clean_comment_section_is_not_the_body() -> None:
    comments = [
        "12 Comments",
        "This council has been wasting our money on that pier for years and nobody cares at all.",
        "Totally agree with the comment above, the whole budget process was a farce from day one.",
        "Another resident here: the ferries were late every single day last summer, fix that.",
        "We should be spending this money on schools instead of boats, in my humble opinion.",
    ]
    cleaned = clean_text(article(after=comments))
    assert_body_intact(cleaned)


def test_clean_keeps_one_blank_line_between_paragraphs() -> None:
    text = TITLE + "\n\n\n\n" + "\n\n\n".join(BODY) + "\n\n\n"
    cleaned = clean_text(text)
    assert cleaned.text == "\n\n".join(BODY)


def test_clean_single_newline_paragraphs_stay_single() -> None:
    cleaned = clean_text("\n".join([TITLE, *BODY]))
    assert cleaned.text == "\n".join(BODY)


def test_clean_crlf_input_gives_the_same_text() -> None:
    text = article(before=["Skip to content"])
    assert clean_text(text.replace("\n", "\r\n")) == clean_text(text)


def test_clean_line_reasons_align_with_input_lines() -> None:
    text = article(before=["Skip to content"])
    got = line_reasons(text)
    lines = split_lines(text)
    assert len(got) == len(lines)
    assert got[lines.index("Skip to content")] == "navigation"
    assert got[lines.index(BODY[0])] is None


# ---------------------------------------------------------------------------
# title


@pytest.mark.parametrize(
    ("lines", "title"),
    [
        ([TITLE], TITLE),
        (["Port Alder Ledger", "News", TITLE, "By Mira Castellanos"], TITLE),
        ([f"{TITLE} | Port Alder Ledger", "News", "City Hall", TITLE], TITLE),
        ([f"{TITLE} | Port Alder Ledger"], TITLE),
        (["Will The Ferries Run This Summer?"], "Will The Ferries Run This Summer?"),
        (["Here is what the council decided on Tuesday:"], None),
        (["The council met on Tuesday."], None),
    ],
)
def test_clean_detects_the_title(lines: list[str], title: str | None) -> None:
    cleaned = clean_text("\n\n".join([*lines, *BODY]))
    assert cleaned.title == title
    if title is not None:
        assert title not in cleaned.text


# ---------------------------------------------------------------------------
# credits


@pytest.mark.parametrize(
    ("line", "credits"),
    [
        ("With reporting by RIA, Reuters, AP, dpa, AFP, and TASS",
         ["RIA", "Reuters", "AP", "dpa", "AFP", "TASS"]),
        ("With reporting by Coastwire and Harborline", ["Coastwire", "Harborline"]),
        ("Associated Press contributed to this report.", ["AP"]),
        ("The Associated Press contributed to this report.", ["AP"]),
        ("Reuters and AFP contributed reporting.", ["Reuters", "AFP"]),
        ("(Reporting by Lena Marsh; Editing by Owen Price)", []),
        ("Reporting by Reuters; editing by Owen Price", ["Reuters"]),
        ("Additional reporting by Lena Marsh in Valmont", []),
    ],
)  # fmt: skip
def test_clean_extracts_credits(line: str, credits: list[str]) -> None:
    cleaned = clean_text(article(after=[line]))
    assert cleaned.credits == credits
    assert reasons(cleaned)[line] == "credit"
    assert_body_intact(cleaned)


def test_clean_credit_line_ends_the_body() -> None:
    footer = "The Ledger is an independent newspaper serving the harbor towns since 1921."
    cleaned = clean_text(article(after=["With reporting by Coastwire", footer]))
    assert reasons(cleaned)[footer] == "outside_body"
    assert_body_intact(cleaned)


@pytest.mark.parametrize(
    ("lede", "credits"),
    [
        ("PORT ALDER (AP) — The council approved the budget on April 8, the clerk said.", ["AP"]),
        ("(Reuters) - The council approved the budget on April 8, the clerk said.", ["Reuters"]),
        ("PORT ALDER, April 8 (Coastwire) - The council approved the budget, the clerk said.",
         ["Coastwire"]),
        ("PORT ALDER — The council approved the budget on April 8, the clerk said.", []),
    ],
)  # fmt: skip
def test_clean_credits_the_agency_of_a_dateline_and_keeps_it(lede: str, credits: list[str]) -> None:
    cleaned = clean_text("\n\n".join([TITLE, lede, *BODY]))
    assert cleaned.credits == credits
    assert cleaned.text.startswith(lede)


# ---------------------------------------------------------------------------
# real and demo articles


@pytest.mark.shared
def test_clean_rferl_example() -> None:
    text = need_shared(RFERL).read_text(encoding="utf-8")
    cleaned = clean_text(text)
    assert cleaned.title == "Putin Offers To Provide Record Of Controversial Trump-Lavrov Talks"
    assert cleaned.credits == ["RIA", "Reuters", "AP", "dpa", "AFP", "TASS"]

    got = [(r.text, r.reason) for r in cleaned.removed]
    caption = next(t for t, reason in got if reason == "caption")
    assert caption.startswith("Russian President Vladimir Putin speaks during a joint press")
    assert [t for t, _ in got].count(caption) == 2
    assert ("Accessibility links", "navigation") in got
    assert ("Breaking News", "navigation") in got
    assert (cleaned.title, "title") in got
    assert ("• 16x9 Image", "media_label") in got
    assert ("With reporting by RIA, Reuters, AP, dpa, AFP, and TASS", "credit") in got
    assert ("To find out more, click here.", "click_here") in got
    footers = [t for t, reason in got if reason == "footer"]
    assert any(t.startswith("RFE/RL journalists report the news in 27") for t in footers)
    assert any("undesirable organization" in t for t in footers)
    assert any(t.startswith("If you are in Russia") for t in footers)

    # every body paragraph, verbatim, in order, one blank line apart
    lines = text.splitlines()
    first = next(
        i for i, s in enumerate(lines) if s.startswith("Russian President Vladimir Putin says")
    )
    last = next(i for i, s in enumerate(lines) if s.startswith("Trump said on May 16 that"))
    paragraphs = [s for s in lines[first : last + 1] if s.strip()]
    assert len(paragraphs) == 16
    assert cleaned.text == "\n\n".join(paragraphs)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.txt")), ids=lambda p: p.name)
def test_clean_demo_examples(path: Path) -> None:
    cleaned = clean_text(path.read_text(encoding="utf-8"))
    assert cleaned.title
    assert cleaned.credits
    got = {r.reason for r in cleaned.removed}
    assert {"title", "navigation", "credit"} <= got
    assert "outside_body" not in got  # every demo boilerplate line is matched by a pattern
    paragraphs = cleaned.text.split("\n\n")
    assert len(paragraphs) >= 8
    assert all(p.rstrip('"”')[-1] in ".?!:" for p in paragraphs)

"""Clean stage for plain text: take the boilerplate lines out of scraped text.

``clean_text`` works on whole lines, in four passes, and keeps every removed
line with the reason it went (``Cleaned.removed``):

1. **Patterns** (``boilerplate.RULES``): menus, media labels, share and
   subscribe prompts, cookie notices, footers, "click here", "Read more",
   advertisements, bylines, date-only lines, symbol-only lines; wire credits
   ("With reporting by RIA, Reuters, AP") are removed and their names kept in
   ``Cleaned.credits``. Rules describe whole short lines, so body sentences
   that mention "video" or "share" stay.
2. **Repeats**: a line printed twice in a row is a caption (alt text plus
   figure caption): both copies go, reason ``caption``. A later copy of an
   earlier line goes as ``duplicate``; the first copy stays.
3. **Body**: paragraph-like lines (``PARA_MIN_WORDS`` words or more, ending
   a sentence) are grouped into blocks; page furniture between two of them
   (a menu, share buttons, a footer: ``boilerplate.Rule.boundary``) starts a
   new block. The block with the most paragraph text is the body. Short
   sentences right before or after it join it (a one-line lede, "He declined
   to comment."), and so do a dateline and a long lead-in ending with a
   colon. A comment-section heading ends the article. Everything between the
   first and last body line stays unless a pattern removed it (subheadings
   survive); a credit line after the body starts ends it. Lines outside the
   body go as ``navigation`` (a run of short link-like lines) or
   ``outside_body``.
4. **Title**: the longest headline-like line above the body (three to
   thirty words, a capital, no full stop or lead-in colon: "Putin Offers To
   Provide Record Of Controversial Trump-Lavrov Talks"); when a later line
   repeats an earlier one without the site name ("Headline | Site", then
   "Headline"), that later line wins. It is removed with reason ``title`` and
   returned as ``Cleaned.title``.

Kept lines lose surrounding whitespace but are otherwise verbatim; a blank
line in the input between two kept lines becomes exactly one blank line in
the output, so paragraph breaks survive. Text without any paragraph-like
line (a short note, a list) keeps every line the patterns leave.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass, field

from onrecord.record import Removed
from onrecord.stages import boilerplate

log = logging.getLogger(__name__)

#: a body paragraph has at least this many words and ends a sentence
PARA_MIN_WORDS = 8
#: removed lines after which the article is over (a comment section starts)
END_REASONS = frozenset({"comments"})
#: a line with fewer words that does not end a sentence is link-like (menus, teasers)
LINK_MAX_WORDS = 15
#: this many link-like lines in a row outside the body are a menu (reason ``navigation``)
LINK_RUN = 3
#: a short sentence next to the body joins it when it has at least this many words
SENTENCE_MIN_WORDS = 3
#: repeated lines shorter than this are left alone (the body may repeat "Yes.")
REPEAT_MIN_WORDS = 4
#: a line printed twice in a row is a caption up to this length (longer: a doubled paragraph)
CAPTION_MAX_WORDS = 60
#: a title has this many words (inclusive)
TITLE_WORDS = (3, 30)
#: a longer line with nearly every word capitalized is a menu, not a Title Case headline
TITLE_CASE_MAX_WORDS = 15

_BULLET_STRIP = " \t\u00a0" + boilerplate.BULLETS
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_ALNUM = re.compile(r"\w")
_SPACES = re.compile(r"\s+")
_SITE_SUFFIX = re.compile(r"\s*[|:\-–—]\s*\S.{0,60}")
_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(slots=True)
class Cleaned:
    """The body text of one article and what was taken out of it."""

    text: str
    title: str | None
    credits: list[str] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)


@dataclass(slots=True)
class _Line:
    index: int  # of the line in the input (blank lines counted)
    text: str  # without surrounding whitespace
    core: str  # without leading/trailing bullets and separators either
    words: int
    gap: bool  # a blank line comes before it
    reason: str | None = None
    boundary: bool = False  # page furniture: the body does not run across it
    para: bool = False
    credits: list[str] = field(default_factory=list)

    @property
    def ends_sentence(self) -> bool:
        return _ends_sentence(self.text)


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(boilerplate.CLOSERS + " ")
    return bool(stripped) and stripped[-1] in boilerplate.TERMINAL


def _word_count(text: str) -> int:
    words = len(text.split())
    if not text.isascii():
        # CJK text has no spaces between words: count two characters as a word
        words = max(words, len(_CJK.findall(text)) // 2)
    return words


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as the cleaner sees them: ``\\r\\n``, ``\\r`` or ``\\n`` ends one."""
    return _NEWLINE.split(text) if "\r" in text else text.split("\n")


def _split(text: str) -> list[_Line]:
    lines: list[_Line] = []
    gap = False
    for index, raw in enumerate(split_lines(text)):
        stripped = raw.strip()
        if not stripped:
            gap = True
            continue
        core = stripped.strip(_BULLET_STRIP)
        lines.append(_Line(index, stripped, core, _word_count(core), gap))
        gap = False
    return lines


# ---------------------------------------------------------------------------
# pass 1: patterns and credits


def _contains_any(text: str, needles: tuple[str, ...]) -> bool:
    # a plain loop: measurably cheaper than any() over a generator on this hot path
    for needle in needles:  # noqa: SIM110
        if needle in text:
            return True
    return False


def canonical_agency(name: str) -> str | None:
    """The short name of a known wire agency ("Associated Press" -> "AP"), else None."""
    return boilerplate.AGENCIES.get(_SPACES.sub(" ", name.strip(" .()")).casefold())


def _credit_names(names: str, *, agencies_only: bool) -> list[str]:
    items = [i.strip(" .()") for i in boilerplate.CREDIT_SPLIT.split(names)]
    items = [i for i in items if i]
    known = [canonical_agency(i) for i in items]
    if not agencies_only and all(
        k or len(i.split()) == 1 for i, k in zip(items, known, strict=True)
    ):
        # an agency list ("RIA, Reuters, AP, dpa, AFP, and TASS"): keep unknown one-word names too
        return [k or i for i, k in zip(items, known, strict=True)]
    return [k for k in known if k]


def _credit(line: _Line, lower: str) -> list[str] | None:
    """The names a credit line credits (maybe none), or None when it is no credit line."""
    if line.words > boilerplate.CREDIT_MAX_WORDS or not _contains_any(
        lower, boilerplate.CREDIT_NEEDS
    ):
        return None
    m = boilerplate.CREDIT_LINE.fullmatch(line.core)
    if m:
        # "With reporting by A, B" lists agencies; Reuters' "(Reporting by X; Editing by Y)"
        # names people, of whom only agencies are credits
        first = re.split(r"[;]|\bediting\b", m.group("names"), flags=re.IGNORECASE)[0]
        agencies_only = not line.core.lower().startswith("with")
        return _credit_names(first, agencies_only=agencies_only)
    m = boilerplate.CONTRIBUTED_LINE.fullmatch(line.core) if "contributed" in line.core else None
    if m and len(m.group("names").split()) <= 12:
        return _credit_names(m.group("names"), agencies_only=True)
    return None


def _rule_reason(line: _Line) -> str | None:
    if not _ALNUM.search(line.core):
        return "empty"
    lower = line.core.lower()
    names = _credit(line, lower)
    if names is not None:
        line.credits = names
        return "credit"
    prose: bool | None = None  # computed when first needed
    for rule in boilerplate.RULES:
        if line.words > rule.max_words or (rule.needs and not _contains_any(lower, rule.needs)):
            continue
        found = rule.pattern.search(line.core) if rule.search else rule.pattern.fullmatch(line.core)
        if found is None:
            continue
        if not rule.prose:
            if prose is None:
                prose = boilerplate.PROSE_CUE.search(line.core) is not None
            if prose:
                continue
        line.boundary = rule.boundary
        return rule.reason
    return None


# ---------------------------------------------------------------------------
# pass 2: repeated lines


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _mark_repeats(lines: list[_Line]) -> None:
    seen: set[str] = set()
    previous: _Line | None = None
    previous_key = ""
    for line in lines:
        if line.words < REPEAT_MIN_WORDS:
            previous = None
            continue
        key = _key(line.core)
        if line.reason is None:
            twice = key == previous_key and not line.gap and line.words <= CAPTION_MAX_WORDS
            if previous is not None and twice:
                line.reason = "caption"
                if previous.reason in (None, "duplicate"):
                    previous.reason = "caption"
            elif key in seen:
                line.reason = "duplicate"
        seen.add(key)
        previous, previous_key = line, key


# ---------------------------------------------------------------------------
# pass 3: the body


def _is_link_like(line: _Line) -> bool:
    return line.reason is None and line.words <= LINK_MAX_WORDS and not line.ends_sentence


def _joins_body(line: _Line) -> bool:
    """A line next to the body that belongs to it: a short sentence, a long lead-in ending
    with a colon ("... Listen to the interview, embedded below:"), a dateline."""
    if line.reason is not None:
        return False
    if line.ends_sentence:
        # "Will The Ferries Run?" is a headline, "Will the ferries run?" a sentence
        return line.words >= SENTENCE_MIN_WORDS and not (
            line.text.rstrip(boilerplate.CLOSERS + " ")[-1:] in "?!" and _title_case(line)
        )
    if line.words >= PARA_MIN_WORDS and line.text.endswith(":"):
        return True
    return boilerplate.DATELINE.match(line.text) is not None


def _body_span(lines: list[_Line]) -> tuple[int, int] | None:
    """First and last index of the body (inclusive), or None when no line is a paragraph."""
    paras = [i for i, line in enumerate(lines) if line.para]
    if not paras:
        return None
    # blocks of paragraphs with no page furniture (share buttons, menus, footers) between them
    blocks: list[list[int]] = [[paras[0]]]
    for before, after in itertools.pairwise(paras):
        if any(line.boundary for line in lines[before + 1 : after]):
            blocks.append([after])
        else:
            blocks[-1].append(after)
    # a comment section heading after a paragraph: what follows is readers' comments
    ends = [i for i, line in enumerate(lines) if line.reason in END_REASONS and i > paras[0]]
    if ends:
        blocks = [block for block in blocks if block[0] < ends[0]]
    main = max(blocks, key=lambda block: sum(len(lines[i].text) for i in block))
    start, end = main[0], main[-1]
    # a credit line after the body has started ends it
    for i in range(start + 1, end + 1):
        if lines[i].reason == "credit":
            end = max(j for j in main if j < i)
            break
    # a one-line lede before, a short closing sentence after; not across page furniture
    i = start - 1
    while i >= 0 and _extends_body(lines[i]):
        if lines[i].reason is None:
            start = i
        i -= 1
    i = end + 1
    while i < len(lines) and _extends_body(lines[i]) and lines[i].reason != "credit":
        if lines[i].reason is None:
            end = i
        i += 1
    return start, end


def _extends_body(line: _Line) -> bool:
    """The body may grow over this line: it joins the body, or it is removed but no boundary."""
    return _joins_body(line) if line.reason is None else not line.boundary


def _mark_outside(lines: list[_Line], start: int, end: int) -> None:
    """Give every unremoved line outside [start, end] a reason."""
    outside = [i for i in range(len(lines)) if (i < start or i > end)]
    run: list[int] = []

    def flush() -> None:
        reason = "navigation" if len(run) >= LINK_RUN else "outside_body"
        for j in run:
            lines[j].reason = reason
        run.clear()

    for i in outside:
        line = lines[i]
        if line.reason is not None:
            continue
        if _is_link_like(line):
            run.append(i)
            continue
        flush()
        line.reason = "outside_body"
    flush()


# ---------------------------------------------------------------------------
# pass 4: the title


def _title_candidate(line: _Line) -> bool:
    """A headline-like line: a few words, a capital, no full stop and no lead-in colon."""
    low, high = TITLE_WORDS
    return (
        line.reason is None
        and low <= line.words <= high
        and len(line.core) >= 12
        # "?" and "!" end headlines too; ":" and "," lead into what follows
        and line.text.rstrip(boilerplate.CLOSERS + " ")[-1:] not in boilerplate.NOT_TITLE_END
        and any(ch.isupper() for ch in line.core)
        and boilerplate.DATELINE.match(line.text) is None
        and not _menu_run(line)
    )


def _title_case(line: _Line) -> bool:
    words = line.core.split()
    return len(words) >= 2 and sum(1 for w in words if w[:1].isupper()) >= 0.8 * len(words)


def _menu_run(line: _Line) -> bool:
    """Many capitalized words in a row: menu labels run together ("News Sports Weather ...")."""
    return line.words > TITLE_CASE_MAX_WORDS and _title_case(line)


def _take_title(lines: list[_Line], start: int) -> str | None:
    candidates = [i for i in range(start) if _title_candidate(lines[i])]
    if not candidates:
        return None
    # the headline is the longest headline-like line above the body (site names, menu
    # items and section labels are shorter); the first of equals wins
    chosen = max(candidates, key=lambda i: (lines[i].words, -i))
    also: list[int] = []
    # "Headline | Site" (the page title) followed later by "Headline": take the latter
    for j in candidates[1:]:
        head = _key(lines[j].core)
        for i in candidates:
            if i >= j:
                break
            key = _key(lines[i].core)
            if key.startswith(head) and _SITE_SUFFIX.fullmatch(lines[i].core[len(lines[j].core) :]):
                chosen, also = j, [i]
                break
        if also:
            break
    for i in [chosen, *also]:
        lines[i].reason = "title"
    title = lines[chosen].core
    # a lone page title "Headline | Site": drop the site
    head, bar, site = title.rpartition(" | ")
    if bar and head and len(site.split()) <= 4:
        title = head.strip()
    return title


# ---------------------------------------------------------------------------


def _dateline_credit(line: _Line) -> str | None:
    m = boilerplate.DATELINE.match(line.text)
    if not m:
        return None
    agency = m.group("agency").strip()
    return canonical_agency(agency) or agency


def _classify(text: str) -> tuple[list[_Line], str | None]:
    """The non-blank lines of ``text`` with their removal reasons, and the title."""
    lines = _split(text)
    for line in lines:
        line.reason = _rule_reason(line)
    _mark_repeats(lines)
    for line in lines:
        line.para = line.reason is None and line.words >= PARA_MIN_WORDS and line.ends_sentence
    title: str | None = None
    span = _body_span(lines)
    if span is not None:
        start, end = span
        title = _take_title(lines, start)
        _mark_outside(lines, start, end)
    else:
        # no paragraph: a short text; keep its lines, but a headline above its first
        # sentence is still its title
        first = next((i for i, line in enumerate(lines) if _joins_body(line)), 0)
        title = _take_title(lines, first)
    return lines, title


def line_reasons(text: str) -> list[str | None]:
    """One entry per line of ``split_lines(text)``: why it is removed, or None when kept.

    Blank lines are None (they only separate paragraphs). This is the
    cleaner's decision line by line, for scoring and for explaining a result.
    """
    reasons: list[str | None] = [None] * len(split_lines(text))
    for line in _classify(text)[0]:
        reasons[line.index] = line.reason
    return reasons


def clean_text(text: str) -> Cleaned:
    """Split scraped plain text into body text, title, credits and removed lines."""
    lines, title = _classify(text)

    credits: list[str] = []
    parts: list[str] = []
    removed: list[Removed] = []
    gap = False
    for line in lines:
        gap = gap or line.gap
        if line.reason is None:
            if not parts:
                agency = _dateline_credit(line)
                if agency:
                    line.credits = [agency]
            else:
                # a blank line anywhere since the last kept line is a paragraph break
                parts.append("\n\n" if gap else "\n")
            parts.append(line.text)
            gap = False
        else:
            removed.append(Removed(line.text, line.reason))
        for name in line.credits:
            if name not in credits:
                credits.append(name)
    body = "".join(parts)
    log.debug("cleaned %d lines: removed %d, title %r", len(lines), len(removed), title)
    return Cleaned(text=body, title=title, credits=credits, removed=removed)

"""Normalize time expressions against the publication date.

``normalize(text, published)`` turns one time expression ("May 16", "last
year", "Tuesday night") into a value and says whether the value needed the
publication date; ``find_times(doc, published)`` does it for the DATE and TIME
entities of a parsed article.

Values
------
ISO 8601 where ISO has a form, TimeML TIMEX3 conventions where it has none.
Every dated value starts with its year digits, so values sort and
prefix-match by time ("2017" matches "2017-05-16"):

==========================  =========================  ==============================
precision                   value                      examples
==========================  =========================  ==============================
day                         ``2017-05-16``             "May 16", "yesterday", "Tuesday"
ISO week                    ``2017-W19``               "last week", "two weeks ago"
month                       ``2017-02``                "in February", "last month"
season (TIMEX3)             ``2017-SU``                "this summer" (SP, SU, FA, WI)
quarter, half (TIMEX3)      ``2015-Q1``, ``2015-H1``   "the first quarter of 2015"
year                        ``2016``                   "last year", "2015", "mid-2015"
decade (TIMEX3)             ``199``                    "the 1990s", "the early 1960s"
century (TIMEX3)            ``19``                     "the 20th century"
interval (ISO 8601)         ``2016-02-15/2016-02-17``  "February 15-17", "1993 to 2001"
yearless (no publication)   ``--05-17``, ``--05``      "May 17", "in May" (ISO 8601:2000
                                                       truncated forms, XML gMonthDay)
==========================  =========================  ==============================

Rules
-----
- Precision is kept, never invented: a month stays a month, a year a year.
  Modifiers that only narrow inside a value ("early February", "late last
  year", "the end of 2017", "mid-2015") give the containing value.
- A month, day or holiday without a year ("in July", "Sept. 11",
  "Christmas") takes the occurrence closest to the publication date (so
  always within six months of it); a tie goes to the past.
- A bare weekday ("Tuesday", "Tuesday night") is the most recent one on or
  before the publication date. "last Tuesday" is strictly before it, "next
  Tuesday" strictly after, "this Tuesday" is in the publication's ISO week.
- "last May" is the most recent May before the publication month, "next May"
  the first after it, "this May" the one in the publication year.
- ``prefer="future"`` picks the first occurrence on or after the publication
  date for weekdays, yearless dates, months, seasons and holidays;
  ``prefer="past"`` the last one on or before it ("this summer" stays the
  nearest). ``find_times`` reads it from the parse: "since" before the
  expression is past; an expression that dates a verb directly ("said
  Tuesday", "died in February"; not "the Nov. 8 election", "by March")
  takes the verb's tense: "will"/"shall" is future, the simple past or the
  perfect is past. Passives and modals are left alone: reported speech
  backshifts ("said the summit was set for July"). Checked by hand on
  PolNeAR train: the tense changed 65 values of the closest-occurrence
  rule, 58 for the better, 3 for the worse, 4 wrong either way.
- ``anchored`` is True when the value was computed from the publication date
  (relative or yearless expressions), False when the expression is absolute
  on its own ("May 17, 2015", "2015") or was not resolved.
- With no publication date, absolute expressions still get their value,
  yearless months and days get the ISO partial forms ``--05-17`` / ``--05``,
  and everything relative ("last year", "Tuesday", "two weeks ago") gives
  None: nothing is invented.
- Seasons are labelled by the year they start in: the winter of Dec 2016 -
  Feb 2017 is ``2016-WI``.
- Ranges become ISO intervals only when both ends are dates ("between 2006
  and 2012", "Feb. 15 to March 15"); "July 8 and 9" is a list and gives
  None. Numeric dates are read in US order (5/17/2017); "9/11" is 2001-09-11.
- Expressions tied to another event ("four years later", "that day", "the
  next day", "a week before Christmas"), vague counts ("about 20 years ago",
  "decades ago"), weekends (no ISO form), fiscal years and named days not in
  the holiday table ("Super Tuesday") give None.

``find_times`` trims signal words off each entity ("on May 16" -> "May 16",
"since 2008" -> "2008"): a time expression's text is exactly what its value
describes; the relation ("since") is left to the attribution. It keeps dates
(with a value, or with None when unresolvable) and skips what is not a date:
durations ("three years", "the past decade", "72 hours"), ages ("the age of
70", "a 6-year-old"), frequencies ("every year", "annual", "Tuesdays"), vague
references ("recently", "these days"), clock times without a day ("9:30
p.m.") and NER noise without a date word.

Common forms are parsed by the regular expressions below (a few microseconds
a call). Only an expression that no form covers and that still looks like a
date goes to dateparser (about 1 ms a call, cached), and its answer is kept
only when the text backs its precision: a day needs a month and a day number,
or a weekday; a month needs a month name; a year needs a year number.
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from onrecord.errors import InputError
from onrecord.record import TimeExpression

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

log = logging.getLogger(__name__)

#: (value, anchored)
Norm = tuple[str | None, bool]
#: which occurrence of a yearless date or weekday to take when the context tells
Prefer = Literal["past", "future"] | None
NONE: Norm = (None, False)

# --------------------------------------------------------------------------
# Word lists (data). Keys are in the cleaned form: lower case, no dots, no
# commas, no possessive "'s".
# --------------------------------------------------------------------------

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
    "april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9, "october": 10,
    "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
#: month names that are also common words: alone and in lower case, not a month
MONTH_WORDS = frozenset({"may", "march"})
WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}  # fmt: skip
NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
}  # fmt: skip
#: TIMEX3 season codes and the month each season starts in (winter: its December)
SEASONS: dict[str, tuple[str, int]] = {
    "spring": ("SP", 3), "summer": ("SU", 6), "fall": ("FA", 9), "autumn": ("FA", 9),
    "winter": ("WI", 12),
}  # fmt: skip
ORDINALS: dict[str, int] = {
    "first": 1, "1st": 1, "1": 1, "second": 2, "2nd": 2, "2": 2, "third": 3, "3rd": 3,
    "3": 3, "fourth": 4, "4th": 4, "4": 4,
}  # fmt: skip
#: fixed phrases relative to the publication date: (unit, offset)
RELATIVE: dict[str, tuple[str, int]] = {
    "today": ("day", 0), "tonight": ("day", 0), "this morning": ("day", 0),
    "this afternoon": ("day", 0), "this evening": ("day", 0), "earlier today": ("day", 0),
    "yesterday": ("day", -1), "last night": ("day", -1), "tomorrow": ("day", 1),
    "day before yesterday": ("day", -2), "day after tomorrow": ("day", 2),
    "this week": ("week", 0), "last week": ("week", -1), "next week": ("week", 1),
    "this month": ("month", 0), "last month": ("month", -1), "next month": ("month", 1),
    "this quarter": ("quarter", 0), "last quarter": ("quarter", -1),
    "next quarter": ("quarter", 1),
    "this year": ("year", 0), "last year": ("year", -1), "next year": ("year", 1),
    "this calendar year": ("year", 0), "last calendar year": ("year", -1),
}  # fmt: skip
#: "last"/"next"/"this" before a month, weekday, season or holiday
DIRECTIONS: dict[str, str] = {
    "last": "last", "past": "last", "this past": "last", "previous": "last",
    "next": "next", "coming": "next", "this coming": "next", "this": "this",
}  # fmt: skip
#: US holidays on a fixed day: (month, day)
FIXED_HOLIDAYS: dict[str, tuple[int, int]] = {
    "christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24),
    "new year day": (1, 1), "new years day": (1, 1), "new year eve": (12, 31),
    "new years eve": (12, 31), "independence day": (7, 4), "fourth of july": (7, 4),
    "july fourth": (7, 4), "veterans day": (11, 11), "valentine day": (2, 14),
    "valentines day": (2, 14), "halloween": (10, 31),
}  # fmt: skip
#: US holidays on the n-th weekday of a month: (month, weekday, n; -1 = the last)
NTH_HOLIDAYS: dict[str, tuple[int, int, int]] = {
    "labor day": (9, 0, 1), "memorial day": (5, 0, -1), "thanksgiving": (11, 3, 4),
    "thanksgiving day": (11, 3, 4), "martin luther king day": (1, 0, 3),
    "martin luther king jr day": (1, 0, 3), "mlk day": (1, 0, 3), "presidents day": (2, 0, 3),
    "columbus day": (10, 0, 2),
}  # fmt: skip
#: days computed by their own rule (see ``_holiday_date``)
RULE_HOLIDAYS = frozenset({"election day", "election night", "inauguration day", "black friday"})
HOLIDAYS = frozenset(FIXED_HOLIDAYS) | frozenset(NTH_HOLIDAYS) | RULE_HOLIDAYS
#: named days whose date is not computed here; they must not read as weekdays
UNRESOLVED_NAMES = frozenset(
    {"super tuesday", "mini-tuesday", "mini tuesday", "super saturday", "good friday",
     "ash wednesday", "cyber monday", "black monday", "black tuesday", "easter",
     "easter sunday", "palm sunday", "super bowl sunday"}
)  # fmt: skip
#: leading words dropped before parsing: they do not change the value
LEAD_WORDS = (
    "the", "on", "in", "at", "during", "of", "just", "only", "sometime", "early", "late",
    "earlier", "later", "mid", "middle", "very", "as recently as", "as early as",
    "as late as", "some time in", "back in", "midnight", "noon",
)  # fmt: skip
#: leading words find_times trims off an entity's span (signals, not part of the date)
TRIM_WORDS = frozenset(
    {"the", "on", "in", "at", "during", "of", "since", "until", "till", "by", "through",
     "from", "before", "after", "around", "for"}
)  # fmt: skip
#: words that change the meaning of what follows them ("the next Tuesday" is not
#: "Tuesday"): a tail of an entity is never taken right after one of them
TAIL_BLOCKERS = frozenset(
    {"the", "that", "this", "those", "these", "next", "last", "past", "following",
     "previous", "same", "coming", "every", "each", "first", "final", "other", "early",
     "late"}
)  # fmt: skip
#: auxiliaries that make a clause future
FUTURE_AUX = frozenset({"will", "'ll", "’ll", "ll", "shall", "wo"})
#: prepositions that put a verb at a time ("on", "in"), unlike "by", "until", "before"
DATING_PREPOSITIONS = frozenset({"on", "in", "at", "during", "over", "throughout"})
#: auxiliaries of the perfect: what they date is in the past
PERFECT_AUX = frozenset({"has", "have", "had", "'ve", "’ve"})
#: hedges before "N years ago": the count is not exact, so neither is the value
HEDGES = (
    "about", "around", "nearly", "almost", "some", "roughly", "more than", "less than",
    "over", "under", "at least", "only about", "several", "a few", "few", "many",
    "a couple of", "a couple", "couple of",
)  # fmt: skip

# --------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------

_TRANS = str.maketrans(
    {"’": "'", "‘": "'", "–": "-", "—": "-", "\u00a0": " ", ",": " ", ".": "", ";": " "}
)
_DECADE_APOS = re.compile(r"(\d0)'s\b")
_POSSESSIVE = re.compile(r"'s\b|(?<=s)'(?=\s|$)")
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_MID = re.compile(r"\b(mid|early|late)-(?=[a-z0-9])")
_CLOCK = re.compile(
    r"\b(?:at |around |about |by )?\d{1,2}(?::\d{2})?\s*(?:am|pm|a m|p m)\b"
    r"(?:\s*(?:et|est|edt|ct|cst|cdt|mt|mst|pt|pdt|pst|gmt|utc|local time))?"
)
_HAS_DIGIT = re.compile(r"\d")
_DAY_PART = re.compile(r"^(.+?) (?:morning|afternoon|evening|night|noon|midday|midnight)$")
_LEAD = re.compile(
    r"^(?:" + "|".join(sorted((re.escape(w) for w in LEAD_WORDS), key=len, reverse=True)) + r")\s+"
)
#: "the next year", "the same day", "the first week": not "next year", "same day"...
ANAPHORIC = ("next", "following", "previous", "last", "past", "coming", "same", "first",
             "second", "third", "fourth", "final", "other")  # fmt: skip
_THE_ANAPHORIC = re.compile(r"^the (?:" + "|".join(ANAPHORIC) + r")\b")


def _clean(text: str) -> str:
    """Lower case, no dots/commas/possessives/ordinal suffixes/clock times, one space."""
    s = text.translate(_TRANS).lower()
    if "'" in s:
        s = _POSSESSIVE.sub("", _DECADE_APOS.sub(r"\1s", s))
    if "-" in s:
        s = _MID.sub(r"\1 ", s)
    if _HAS_DIGIT.search(s):
        s = _ORDINAL.sub(r"\1", s)
        if "m" in s:
            s = _CLOCK.sub(" ", s)
    s = " ".join(s.split())
    return _strip_lead(s)


def _strip_lead(s: str) -> str:
    while True:
        m = _LEAD.match(s)
        if not m or m.end() == len(s) or _THE_ANAPHORIC.match(s):
            break
        s = s[m.end() :]
    if s not in RELATIVE and s not in HOLIDAYS:
        m2 = _DAY_PART.match(s)
        if m2:
            s = _strip_lead(m2.group(1))
    return s


# --------------------------------------------------------------------------
# Calendar arithmetic
# --------------------------------------------------------------------------


def _iso_week(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year:04d}-W{week:02d}"


def _shift(p: date, unit: str, n: int) -> str | None:
    """The ``unit`` that is ``n`` units away from ``p``, at that unit's precision."""
    try:
        if unit == "day":
            return (p + timedelta(days=n)).isoformat()
        if unit == "week":
            return _iso_week(p + timedelta(days=7 * n))
        if unit == "month":
            i = p.year * 12 + p.month - 1 + n
            return f"{i // 12:04d}-{i % 12 + 1:02d}"
        if unit == "quarter":
            i = p.year * 4 + (p.month - 1) // 3 + n
            return f"{i // 4:04d}-Q{i % 4 + 1}"
        if unit == "year":
            return f"{p.year + n:04d}" if 1 <= p.year + n <= 9999 else None
    except OverflowError:  # pragma: no cover - dates near year 1 or 9999
        return None
    return None


def _valid(y: int, m: int, d: int | None) -> bool:
    if not 1 <= m <= 12 or not 1 <= y <= 9999:
        return False
    return d is None or 1 <= d <= calendar.monthrange(y, m)[1]


def _fmt(y: int, m: int | None = None, d: int | None = None) -> str:
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _pick_year(p: date, m: int, d: int | None, prefer: Prefer) -> int | None:
    """The year that puts month ``m`` (day ``d``) closest to ``p``.

    Ties go to the past. ``prefer="future"`` takes the first occurrence on or
    after ``p``, ``prefer="past"`` the last one on or before it.
    """
    best: tuple[int, int, int] | None = None
    for y in (p.year - 1, p.year, p.year + 1):
        if d is None:
            delta = (y - p.year) * 12 + m - p.month
        elif _valid(y, m, d):
            delta = (date(y, m, d) - p).days
        else:
            continue
        if prefer == "future":
            if delta < 0:
                continue
            key = (delta, 0)
        elif prefer == "past":
            if delta > 0:
                continue
            key = (-delta, 0)
        else:
            key = (abs(delta), 1 if delta > 0 else 0)
        if best is None or key < best[:2]:
            best = (key[0], key[1], y)
    return best[2] if best else None


def _ymd(y: int | None, m: int, d: int | None, p: date | None, prefer: Prefer) -> Norm:
    """A month (and day) with or without its year."""
    if y is not None:
        return (_fmt(y, m, d), False) if _valid(y, m, d) else NONE
    if d is not None and not _valid(2000, m, d):  # 2000: leap year, allows Feb 29
        return NONE
    if p is None:
        return (f"--{m:02d}-{d:02d}" if d is not None else f"--{m:02d}", False)
    year = _pick_year(p, m, d, prefer)
    return (_fmt(year, m, d), True) if year is not None else NONE


def _weekday(p: date, wd: int, direction: str | None, prefer: Prefer) -> str:
    back = (p.weekday() - wd) % 7  # days since the last such weekday, on or before p
    ahead = (wd - p.weekday()) % 7  # days until the next one, on or after p
    if direction == "last":
        return (p - timedelta(days=back or 7)).isoformat()
    if direction == "next":
        return (p + timedelta(days=ahead or 7)).isoformat()
    if direction == "this":
        return (p + timedelta(days=wd - p.weekday())).isoformat()
    if prefer == "future":
        return (p + timedelta(days=ahead)).isoformat()
    return (p - timedelta(days=back)).isoformat()


def _month_direction(p: date, m: int, direction: str) -> str:
    if direction == "last":
        return _fmt(p.year if m < p.month else p.year - 1, m)
    if direction == "next":
        return _fmt(p.year if m > p.month else p.year + 1, m)
    return _fmt(p.year, m)


def _holiday_date(name: str, y: int) -> date | None:
    if name in FIXED_HOLIDAYS:
        return date(y, *FIXED_HOLIDAYS[name])
    if name in NTH_HOLIDAYS:
        month, wd, n = NTH_HOLIDAYS[name]
        if n > 0:
            first = date(y, month, 1)
            return first + timedelta(days=(wd - first.weekday()) % 7 + 7 * (n - 1))
        last = date(y, month, calendar.monthrange(y, month)[1])
        return last - timedelta(days=(last.weekday() - wd) % 7)
    if name in ("election day", "election night"):  # Tuesday after November's first Monday
        first = date(y, 11, 1)
        return first + timedelta(days=-first.weekday() % 7 + 1)
    if name == "inauguration day":  # January 20 after a presidential election year
        return date(y, 1, 20) if y % 4 == 1 else None
    if name == "black friday":
        thanksgiving = _holiday_date("thanksgiving", y)
        return thanksgiving + timedelta(days=1) if thanksgiving else None
    return None


def _holiday(
    name: str, y: int | None, direction: str | None, p: date | None, prefer: Prefer
) -> Norm:
    if y is not None:
        d = _holiday_date(name, y)
        return (d.isoformat(), False) if d else NONE
    if p is None:
        if name in FIXED_HOLIDAYS:
            return ("--{:02d}-{:02d}".format(*FIXED_HOLIDAYS[name]), False)
        return NONE
    found = [
        (d, (d - p).days) for yy in range(p.year - 1, p.year + 3) if (d := _holiday_date(name, yy))
    ]
    if direction == "last":
        past = [d for d, delta in found if delta < 0]
        return (past[-1].isoformat(), True) if past else NONE
    if direction == "next" or prefer == "future":
        ahead = [d for d, delta in found if (delta > 0 if direction == "next" else delta >= 0)]
        return (ahead[0].isoformat(), True) if ahead else NONE
    if prefer == "past":
        past = [d for d, delta in found if delta <= 0]
        return (past[-1].isoformat(), True) if past else NONE
    if direction == "this":
        same = [d for d, _ in found if d.year == p.year]
        return (same[0].isoformat(), True) if same else NONE
    near = [(abs(delta), delta > 0, d) for d, delta in found if abs(delta) <= 366]
    return (min(near)[2].isoformat(), True) if near else NONE


def _season(code: str, start: int, direction: str | None, p: date, prefer: Prefer) -> str | None:
    """The occurrence of a season relative to ``p`` (month precision)."""
    now = p.year * 12 + p.month - 1
    spans = [(y, y * 12 + start - 1) for y in range(p.year - 2, p.year + 2)]
    if direction == "last":
        past = [y for y, s in spans if s + 2 < now]
        return f"{past[-1]:04d}-{code}" if past else None
    if direction == "next":
        ahead = [y for y, s in spans if s > now]
        return f"{ahead[0]:04d}-{code}" if ahead else None
    if prefer == "future" and direction != "this":
        ahead = [y for y, s in spans if s + 2 >= now]
        return f"{ahead[0]:04d}-{code}" if ahead else None
    if prefer == "past" and direction != "this":  # "this summer": the nearest, whatever the verb
        past = [y for y, s in spans if s <= now]
        return f"{past[-1]:04d}-{code}" if past else None

    def distance(s: int) -> tuple[int, int]:
        if s <= now <= s + 2:
            return (0, 0)
        return (s - now, 1) if s > now else (now - s - 2, 0)

    return f"{min(spans, key=lambda ys: distance(ys[1]))[0]:04d}-{code}"


def _count(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    tens, _, unit = word.partition("-")  # twenty-two
    if unit:
        a, b = NUMBERS.get(tens), NUMBERS.get(unit)
        return a + b if a and b and a >= 20 and b < 10 else None
    return NUMBERS.get(word)


# --------------------------------------------------------------------------
# Grammar: one regular expression per form, tried in order (fullmatch on the
# cleaned text), each with the function that computes its value.
# --------------------------------------------------------------------------

_M = r"(?P<m>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
_WD = r"(?P<wd>" + "|".join(WEEKDAYS) + r")"
_Y = r"(?P<y>1\d{3}|20\d{2})"
_D = r"(?P<d>[0-3]?\d)"
_DIR = r"(?P<dir>this past|this coming|last|past|previous|next|coming|this)"
_UNIT = r"(?P<unit>day|week|month|year|decade|quarter)s?"
_NUM = r"(?P<n>\d{1,3}|[a-z]+-[a-z]+|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + r")"

Handler = Callable[[re.Match[str], date | None, Prefer], Norm]
_GRAMMAR: list[tuple[re.Pattern[str], Handler]] = []


def _form(pattern: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _GRAMMAR.append((re.compile(pattern), fn))
        return fn

    return register


@_form(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")
def _iso(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    return _ymd(int(m["y"]), int(m["m"]), int(m["d"]), p, prefer)


@_form(r"9/11")
def _nine_eleven(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    return ("2001-09-11", False)  # the name of the 2001 attacks, not a yearless date


@_form(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})")
def _us_numeric(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    return _ymd(int(m["y"]), int(m["m"]), int(m["d"]), p, prefer)  # US order: month/day/year


@_form(_Y)
def _year(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    return (m["y"], False)


@_form(r"year (?:of )?" + _Y)
def _the_year(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    return (m["y"], False)


@_form(r"'(?P<yy>\d{2})")
def _short_year(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    if p is None:
        return NONE
    yy = int(m["yy"])
    year = min(
        (c * 100 + yy for c in (p.year // 100 - 1, p.year // 100)), key=lambda y: abs(y - p.year)
    )
    return (f"{year:04d}", True)


@_form(r"(?P<c>1\d|20)(?P<x>\d)0s")
def _decade(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    return (m["c"] + m["x"], False)


@_form(r"'(?P<x>\d)0s")
def _short_decade(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    if p is None:
        return NONE
    x = int(m["x"])
    start = (p.year // 100) * 100 + 10 * x
    if start > p.year:
        start -= 100
    return (f"{start // 10:03d}", True)


@_form(r"(?P<n>[12]?\d) century")
def _century(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    n = int(m["n"])
    return (f"{n - 1:02d}", False) if 1 <= n <= 30 else NONE


@_form(r"(?:" + _WD + r" )?" + _M + r" " + _D + r"(?: " + _Y + r")?")
def _month_day(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    return _ymd(int(m["y"]) if m["y"] else None, MONTHS[m["m"]], int(m["d"]), p, prefer)


@_form(r"(?:" + _WD + r" )?" + _D + r" (?:of )?" + _M + r"(?: " + _Y + r")?")
def _day_month(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    return _ymd(int(m["y"]) if m["y"] else None, MONTHS[m["m"]], int(m["d"]), p, prefer)


@_form(_M + r" (?:of )?" + _Y)
def _month_year(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    return _ymd(int(m["y"]), MONTHS[m["m"]], None, p, prefer)


@_form(_M + r" (?:of )?(?P<dir>last|next|this) year")
def _month_of_relative_year(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    if p is None:
        return NONE
    return (_fmt(p.year + {"last": -1, "next": 1, "this": 0}[m["dir"]], MONTHS[m["m"]]), True)


@_form(_DIR + r" " + _M)
def _month_direction_form(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    if p is None:
        return NONE
    return (_month_direction(p, MONTHS[m["m"]], DIRECTIONS[m["dir"]]), True)


@_form(_M)
def _month(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    return _ymd(None, MONTHS[m["m"]], None, p, prefer)


@_form(_WD + r" (?:of )?(?P<dir>last|next|this) week")
def _weekday_of_week(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    if p is None:
        return NONE
    monday = (
        p
        - timedelta(days=p.weekday())
        + timedelta(weeks={"last": -1, "next": 1, "this": 0}[m["dir"]])
    )
    return ((monday + timedelta(days=WEEKDAYS[m["wd"]])).isoformat(), True)


@_form(r"(?:" + _DIR + r" )?" + _WD)
def _weekday_form(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    if p is None:
        return NONE
    direction = DIRECTIONS[m["dir"]] if m["dir"] else None
    return (_weekday(p, WEEKDAYS[m["wd"]], direction, prefer), True)


@_form(
    r"(?P<hedge>"
    + "|".join(HEDGES)
    + r" )?"
    + _NUM
    + r" "
    + _UNIT
    + r" (?P<way>ago|from now|from today)"
)
def _ago(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    n = _count(m["n"])
    if p is None or m["hedge"] or n is None or m["unit"] == "decade":
        return NONE
    value = _shift(p, m["unit"], -n if m["way"] == "ago" else n)
    return (value, value is not None)


@_form(r"(?:" + _DIR + r" )?(?P<season>spring|summer|fall|autumn|winter)(?: (?:of )?" + _Y + r")?")
def _season_form(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    code, start = SEASONS[m["season"]]
    if m["y"]:
        return (None, False) if m["dir"] else (f"{m['y']}-{code}", False)
    if p is None:
        return NONE
    value = _season(code, start, DIRECTIONS[m["dir"]] if m["dir"] else None, p, prefer)
    return (value, value is not None)


@_form(
    r"(?:"
    + _DIR
    + r" )?(?P<h>"
    + "|".join(sorted(HOLIDAYS, key=len, reverse=True))
    + r")(?: "
    + _Y
    + r")?"
)
def _holiday_form(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    direction = DIRECTIONS[m["dir"]] if m["dir"] else None
    if m["y"] and direction:
        return NONE
    value, _ = _holiday(m["h"], int(m["y"]) if m["y"] else None, direction, p, prefer)
    return (value, value is not None and p is not None and not m["y"])


_PARTS = (
    r"(?P<part>beginning|start|end|middle|close|rest|remainder|bulk|"
    r"(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th|last|final) (?P<pu>quarter|half)|"
    r"(?:first|second|third|fourth|last|final|closing|opening) (?:few |two |three |four )?"
    r"(?:days?|weeks?|months?|part)|"
    r"morning|afternoon|evening|night|week|weekend|spring|summer|fall|autumn|winter)"
)


@_form(r"(?:the )?" + _PARTS + r" of (?P<rest>.+)")
def _part_of(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    rest = _strip_lead(m["rest"])
    if rest in ("year", "month", "week", "quarter"):
        rest = "this " + rest  # "the end of the year": the current one
    value, anchored = _norm(rest, p, prefer) or NONE
    if value is None:
        return NONE
    part = m["part"]
    if m["pu"] and re.fullmatch(r"\d{4}", value):
        n = ORDINALS.get(m["ord"], 4 if m["pu"] == "quarter" else 2)
        if m["pu"] == "half" and n > 2:
            return NONE
        return (f"{value}-{'Q' if m['pu'] == 'quarter' else 'H'}{n}", anchored)
    if part in SEASONS and re.fullmatch(r"\d{4}", value):
        return (f"{value}-{SEASONS[part][0]}", anchored)
    if part in ("week", "weekend") and _DAY_VALUE.fullmatch(value):
        return (_iso_week(date.fromisoformat(value)), anchored)  # the week of May 3
    return (value, anchored)


@_form(
    r"(?:the )?(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th|q1|q2|q3|q4) quarter(?: of)? " + _Y
)
def _quarter(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    q = m["ord"][1] if m["ord"].startswith("q") else str(ORDINALS[m["ord"]])
    return (f"{m['y']}-Q{q}", False)


@_form(r"(?P<q>q[1-4]) " + _Y)
def _quarter_short(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    return (f"{m['y']}-Q{m['q'][1]}", False)


@_form(
    r"the (?:" + "|".join(ANAPHORIC) + r") .+"  # tied to another event, or a duration
    r"|.+ (?:ago|from now|from today|later|earlier|before|after)"  # hedged or event-relative
    r"|.+ (?:before|after|since|until|prior to) .+"  # relative to another time
    r"|.*\b(?:fiscal|fy)\b.*"  # fiscal years are not calendar years
    r"|(?:that|those|the same|same|his|her|their|its|our) .+"  # tied to another event
    r"|(?:this past |this coming |this |last |next |past |coming )?weekend"  # Sat-Sun: no ISO form
)
def _unresolvable(m: re.Match[str], p: date | None, prefer: Prefer) -> Norm:
    return NONE


_DAY_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}")

# --------------------------------------------------------------------------
# Ranges: "February 15-17", "between 2006 and 2012", "September to December
# 2014", "Feb. 15 to March 15". Both ends are (year, month, day) partials.
# --------------------------------------------------------------------------

_RANGE = re.compile(
    r"(?:(?P<between>between|from) )?(?P<a>.+?)"
    r"(?: to | through | thru | until | till |-| - | and )(?P<b>.+)"
)
_PARTIAL_FORMS = [
    re.compile(_Y),
    re.compile(_M + r"(?: " + _D + r")?(?: " + _Y + r")?"),
    re.compile(_D + r" (?:of )?" + _M + r"(?: " + _Y + r")?"),
    re.compile(r"(?P<d>[0-3]?\d)(?: " + _Y + r")?"),
]
_MODIFIER = re.compile(r"^(?:early|late|mid|the end of|the beginning of|the start of) ")

Partial = tuple[int | None, int | None, int | None]  # year, month, day


def _partial(s: str, *, right: bool, years: bool = False) -> tuple[Partial, str | None] | None:
    """(year, month, day) of one end of a range, and its short year ("2008-9") if any."""
    s = _MODIFIER.sub("", s)
    if right and years and s.isdigit() and len(s) <= 2:
        return ((None, None, None), s)
    for i, rx in enumerate(_PARTIAL_FORMS):
        m = rx.fullmatch(s)
        if not m:
            continue
        if i == 3 and not right:
            return None
        gd = m.groupdict()
        y = int(gd["y"]) if gd.get("y") else None
        month = MONTHS[gd["m"]] if gd.get("m") else None
        d = int(gd["d"]) if gd.get("d") else None
        return ((y, month, d), None)
    return None


def _range(s: str, p: date | None, prefer: Prefer) -> Norm | None:
    """An ISO 8601 interval, NONE for a range that cannot be resolved, None for no range."""
    m = _RANGE.fullmatch(s)
    if not m or (" and " in m.group(0)[m.end("a") : m.start("b")] and not m["between"]):
        return None
    left = _partial(m["a"], right=False)
    if left is None:
        return None
    (ly, lm, ld), _ = left
    right = _partial(m["b"], right=True, years=lm is None)
    if right is None:
        return None
    (ry, rm, rd), yy = right
    if yy is not None:  # 2008-9, 2008-09: years only
        if ly is None:
            return NONE
        base = 10 ** len(yy)
        ry = ly - ly % base + int(yy)
        if ry < ly:
            return NONE
    if rd is not None and rm is None:  # February 15-17
        if lm is None or ld is None:
            return NONE
        rm = lm
    if (lm is None) != (rm is None) or (ld is None) != (rd is None):
        return NONE  # mixed precision: "2015 to March"
    anchored = False
    if ly is None and ry is None:
        if p is None or lm is None:
            return NONE
        ly = _pick_year(p, lm, ld, prefer)
        anchored = True
    if ly is None:
        assert ry is not None
        ly = ry if (lm or 0, ld or 0) <= (rm or 0, rd or 0) else ry - 1
    if ry is None:
        ry = ly if (rm or 0, rd or 0) >= (lm or 0, ld or 0) else ly + 1
    if not (_valid(ly, lm or 1, ld) and _valid(ry, rm or 1, rd)):
        return NONE
    a, b = _fmt(ly, lm, ld), _fmt(ry, rm, rd)
    if b <= a:
        return NONE
    return (f"{a}/{b}", anchored)


# --------------------------------------------------------------------------
# What is a date at all (used for the dateparser fallback and by find_times)
# --------------------------------------------------------------------------

_SKIP = re.compile(
    r"\b(?:year-old|years? old|year-olds|-year-old|ages?|aged|under \d+|every|each|per|"
    r"annual|annually|monthly|weekly|daily|nightly|hourly|quarterly|yearly|biannual|"
    r"biennial|semiannual|"
    r"mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays|"
    r"now|nowadays|recently|currently|these days|recent \w+|future|past$|"
    r"the (?:past|last|next|coming|first|final)(?: \w+)?(?: few)? "
    r"(?:days|nights|hours|weeks?|months?|years?|decades?|centur(?:y|ies)|quarters?)|"
    r"(?:past|last|next|coming|first|final) (?:\w+ )?(?:few )?"
    r"(?:days|nights|hours|weeks|months|years|decades|centuries|quarters))\b"
)
_DATE_WORD = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec) \d|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"today|tonight|yesterday|tomorrow|last night|this (?:morning|afternoon|evening)|"
    r"1\d{3}|20\d{2}|1\d{3}s|20\d0s|'\d0s|'\d\d|\d+ century|"
    r"ago|from now|weekend|spring|summer|fall|autumn|winter|christmas|thanksgiving|"
    r"election (?:day|night)|"
    r"(?:that|same|next|following|previous|this|last) (?:day|week|month|year|quarter)|"
    r"(?:later|earlier|before|after)$)"
)


def _is_date_like(text: str, cleaned: str | None = None) -> bool:
    """Whether an unresolved expression still names a point in time."""
    s = _clean(text) if cleaned is None else cleaned
    if _SKIP.search(s):
        return False
    return bool(_DATE_WORD.search(s) or _NAMED_DAY.search(text))


_NAMED_DAY = re.compile(r"\b[A-Z][a-z]+ Day\b")  # Primary Day, Earth Day...


# --------------------------------------------------------------------------
# dateparser fallback
# --------------------------------------------------------------------------

_HAS_DAY_NUMBER = re.compile(r"(?<![\d/-])(?:[1-9]|[12]\d|3[01])(?![\d/-])")
_HAS_DAY_WORD = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|"
    r"tomorrow|tonight)\b"
)
_HAS_MONTH = re.compile(r"\b(?:" + "|".join(MONTHS) + r")\b")
_HAS_YEAR = re.compile(r"\b(?:1\d{3}|20\d{2}|(?:last|next|this) year)\b")


@lru_cache(maxsize=4096)
def _dateparser(s: str, p: date | None) -> Norm:
    """Ask dateparser; keep its answer only when the text backs its precision."""
    from dateparser.date import DateDataParser

    explicit_year = re.search(r"\b(\d{4})\b", s)
    if p is None and not explicit_year:
        return NONE  # dateparser would fill in today's date: invented
    settings: dict[str, object] = {
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    if p is not None:
        settings["RELATIVE_BASE"] = datetime(p.year, p.month, p.day)
    try:
        data = DateDataParser(languages=["en"], settings=settings).get_date_data(s)
    except Exception:  # dateparser raises assorted errors on odd input
        log.debug("dateparser failed on %r", s, exc_info=True)
        return NONE
    found, period = data.date_obj, data.period
    if found is None:
        return NONE
    if len(_HAS_DAY_WORD.findall(s)) + len(_HAS_MONTH.findall(s)) > 1:
        return NONE  # a list ("today, tomorrow"): dateparser picks one of them
    month = _HAS_MONTH.search(s)
    if period == "day" and ((month and _HAS_DAY_NUMBER.search(s)) or _HAS_DAY_WORD.search(s)):
        value = found.date().isoformat()
    elif period == "week" and "week" in s:
        value = _iso_week(found.date())
    elif period == "month" and month:
        value = _fmt(found.year, found.month)
    elif period in ("year", "month", "day") and _HAS_YEAR.search(s):
        value = _fmt(found.year)
    else:
        return NONE
    anchored = not (explicit_year and explicit_year.group(1) == value[:4])
    if anchored and p is None:
        return NONE
    return (value, anchored)


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _norm(s: str, p: date | None, prefer: Prefer) -> Norm | None:
    """Normalize a cleaned expression; None when no form of the grammar applies."""
    if not s or s in UNRESOLVED_NAMES:
        return NONE
    rel = RELATIVE.get(s)
    if rel is not None:
        value = _shift(p, *rel) if p is not None else None
        return (value, value is not None)
    for rx, fn in _GRAMMAR:
        m = rx.fullmatch(s)
        if m:
            return fn(m, p, prefer)
    if " " in s or "-" in s:
        return _range(s, p, prefer)
    return None


@lru_cache(maxsize=16384)
def _normalize(text: str, published: date | None, prefer: Prefer) -> Norm:
    s = _clean(text)
    if s in MONTH_WORDS and text.strip().islower():
        return NONE  # "may", "march": the verb, not the month
    try:
        found = _norm(s, published, prefer)
    except (OverflowError, ValueError):  # arithmetic past year 1 or 9999
        log.debug("date out of range: %r against %s", text, published)
        return NONE
    if found is None:  # no form applies: ask dateparser, if it looks like a date at all
        return _dateparser(s, published) if _is_date_like(text, s) else NONE
    return found


def normalize(text: str, published: date | None, *, prefer: Prefer = None) -> Norm:
    """Normalize one time expression against the publication date.

    Returns ``(value, anchored)``: the ISO 8601 / TIMEX3 value (None when the
    expression cannot be resolved, or needs a publication date that is not
    known) and whether the publication date was needed. ``prefer`` ("past"
    or "future") says which occurrence of a yearless date or weekday the
    context points to (see the module docstring); None takes the closest.
    """
    if isinstance(published, datetime):
        published = published.date()
    return _normalize(text, published, prefer)


_PUBLISHED_FORMS = (
    re.compile(r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)


def parse_published(value: str | date | datetime | None) -> date | None:
    """The publication date from what a reader found.

    Accepts a ``date``/``datetime``, ISO 8601 ("2017-05-17",
    "2017-05-17T10:00:00Z", "2017-05-17 10:00:00+02:00"), "2017/05/17",
    RFC 2822 ("Wed, 17 May 2017 10:00:00 GMT") and written dates ("May 17,
    2017", "17 May 2017"). A datetime keeps the date as written, in its own
    time zone. None and blank strings give None; anything else raises
    ``InputError`` (reason ``bad_date``).
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InputError(
            f"publication date must be a string or a date, not {type(value).__name__}",
            reason="bad_date",
        )
    s = value.strip()
    if not s:
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00") if s.endswith("Z") else s).date()
    except ValueError:
        pass
    for rx in _PUBLISHED_FORMS:
        m = rx.fullmatch(s)
        if m and _valid(int(m["y"]), int(m["m"]), int(m["d"])):
            return date(int(m["y"]), int(m["m"]), int(m["d"]))
    try:
        return parsedate_to_datetime(s).date()
    except (TypeError, ValueError, IndexError):
        pass
    cleaned = _clean(s)
    for rx, fn in _GRAMMAR:
        if fn in (_month_day, _day_month):
            m = rx.fullmatch(cleaned)
            if m and m["y"]:
                found, _ = fn(m, None, None)
                if found:
                    return date.fromisoformat(found)
    raise InputError(
        f"cannot read the publication date {value[:60]!r}: use ISO 8601 (2017-05-17)",
        reason="bad_date",
    )


def _lean(span: SpacySpan) -> Prefer:
    """Past or future, when the sentence says so; None when it does not.

    "since" before the expression: past. Otherwise only an expression that
    dates a verb directly ("said Tuesday", "died in February"; not "the
    November election", "by March") takes the verb's tense: "will"/"shall"
    is future, the simple past or the perfect is past.
    """
    doc = span.doc
    before = doc[span.start - 1].text.lower() if span.start > 0 else ""
    if before == "since" or span[0].text.lower() == "since":
        return "past"
    root: Token = span.root
    if root.dep_ in ("npadvmod", "tmod", "advmod", "obl"):
        verb = root.head
    elif root.dep_ == "pobj" and root.head.dep_ == "prep":
        if root.head.text.lower() not in DATING_PREPOSITIONS:
            return None
        verb = root.head.head
    else:
        return None
    if verb.pos_ not in ("VERB", "AUX"):
        return None
    aux = {c.text.lower() for c in verb.children if c.dep_ in ("aux", "auxpass")}
    if aux & FUTURE_AUX:
        return "future"
    if aux & PERFECT_AUX or (verb.tag_ == "VBD" and not aux):
        return "past"
    return None


def _trim(toks: list[Token]) -> list[Token]:
    """Drop leading signal words and trailing punctuation or possessive "'s"."""
    while len(toks) > 1 and (
        toks[0].is_punct
        or (
            toks[0].text.lower() in TRIM_WORDS
            and not (toks[0].text.lower() == "the" and toks[1].text.lower() in ANAPHORIC)
        )
    ):
        toks = toks[1:]
    while toks and (toks[-1].is_punct or toks[-1].is_space or toks[-1].tag_ == "POS"):
        toks = toks[:-1]
    return toks


def time_expression(span: SpacySpan, published: date | None) -> TimeExpression | None:
    """The time expression of one DATE/TIME entity, or None when it is not a date.

    Leading signal words ("the", "on", "in", "since"...) and a trailing
    possessive are trimmed off the span, so that the value describes exactly
    the text. When the whole entity does not resolve, its longest tail that
    does is used, so the text is the part the value describes ("a tweet
    Tuesday" -> "Tuesday", "a year after last year's" -> "last year"); a tail
    is never taken right after a word that changes it ("the next Tuesday").
    Whether to prefer the past or the future comes from the parse (see
    ``_lean``).
    """
    toks = _trim(list(span))
    if not toks:
        return None
    doc = span.doc
    prefer = _lean(span)

    def make(ts: list[Token]) -> tuple[int, int, str, Norm]:
        start, end = ts[0].idx, ts[-1].idx + len(ts[-1].text)
        text = doc[ts[0].i : ts[-1].i + 1].text  # doc.text would join the whole document
        return start, end, text, normalize(text, published, prefer=prefer)

    start, end, text, (value, anchored) = make(toks)
    if value is None:
        if _SKIP.search(_clean(text)):
            log.debug("duration, age or frequency, skipped: %r", text)
            return None
        for i in range(1, len(toks)):
            if toks[i - 1].is_punct or toks[i - 1].text.lower() in TAIL_BLOCKERS:
                continue
            tail = _trim(toks[i:])
            if not tail:
                continue
            s2, e2, t2, found = make(tail)
            if found[0] is not None:
                start, end, text, (value, anchored) = s2, e2, t2, found
                break
    if value is None and not _is_date_like(text):
        log.debug("not a date, skipped: %r", text)
        return None
    return TimeExpression(text=text, spans=[(start, end)], value=value, anchored=anchored)


def find_times(doc: Doc, published: date | None) -> list[TimeExpression]:
    """The dated time expressions among a parsed document's DATE and TIME entities."""
    if isinstance(published, datetime):
        published = published.date()
    times = []
    for ent in doc.ents:
        if ent.label_ in ("DATE", "TIME"):
            found = time_expression(ent, published)
            if found is not None:
                times.append(found)
    return times

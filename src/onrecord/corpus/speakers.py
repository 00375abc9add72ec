"""Which speaker keys are one speaker, and the ``speakers`` table's rows.

How the merging decides, per block (the last word of a surname or a name,
``corpus.names.block_of``):

1. Mentions with the same key are one speaker: "Donald J. Trump", "Donald
   Trump" and "Mr. Donald Trump" (``person|trump|donald|``). Different first
   names or suffixes are different people: Bill, Hillary and Chelsea Clinton;
   Donald Trump and Donald Trump Jr.
2. A surname alone (an article that never gives the first name: "Mr. Trump
   said") joins a full name of its block only when the evidence leaves one:
   the candidates are the full names its article gives, or, when it gives
   none, the block's full names quoted in at least ``PROMINENT`` articles
   within ``WINDOW`` days of it (the time window); a candidate is out when
   the honorific's gender contradicts the honorifics seen with that name
   elsewhere ("Mrs. Clinton" is not Bill), and when a title of the mention
   agrees with titles of some candidates, only those stay ("former President
   Clinton"). The surname joins the candidate with the most articles when that
   one has at least ``DOMINANCE`` of the remaining candidates' articles;
   otherwise it stays a speaker of its own ("Clinton"), which is not merged by
   guess. A full name whose honorific its other mentions contradict ("Mr.
   Clinton" tied to Hillary by its article) is decided the same way.
3. An "organization" that a parser made of a person: a one-word one ("Trump")
   is the person its article names in full, or one quoted in ``ORG_RATIO``
   times more articles than the name is as an organization; one named exactly
   like a full name of its block ("Ines Okafor") is that person.
4. Otherwise organizations, outlets, documents and named groups merge only by
   their key (case, punctuation and a leading "the" aside).

A speaker's id is a hash of its key, so it does not depend on which article
came first, and the same input gives the same ids on one machine and on Spark.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from onrecord.corpus.names import (
    HONORIFICS,
    SEP,
    block_of,
    fold,
    honorific,
    is_one_word_name,
    is_surname_only,
    person_name,
)

#: the share of the candidates' articles the leading full name needs to take a lone surname
DOMINANCE = 0.8
#: words of a title that say when or for whom, not what: "former President" is "president"
_TITLE_NOISE = {
    "former",
    "then",
    "ex",
    "acting",
    "the",
    "of",
    "for",
    "and",
    "democratic",
    "republican",
    "gop",
    "presidential",
    "us",
    "u.s",
    "state",
    "s",
}
#: a lone surname joins a full name its article does not give only when that name is quoted
#: in at least this many articles within WINDOW days of it
PROMINENT = 3
WINDOW = 90
#: how many times more articles a person needs than a one-word organization of the surname
#: to take it without its article naming the person
ORG_RATIO = 5
#: the share of a name's honorifics one gender needs to count (against a misread one)
GENDER_SHARE = 0.2
#: aliases kept per speaker, most frequent first
MAX_ALIASES = 20


@functools.lru_cache(maxsize=65536)
def speaker_id(key: str) -> str:
    """The id of the speaker whose key this is."""
    return "sp" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:14]


_ID = re.compile(r"sp[0-9a-f]{14}")


def is_speaker_id(value: str) -> bool:
    """Whether a string is a speaker id (``speaker_id``'s form), not a name."""
    return _ID.fullmatch(value) is not None


@dataclass(slots=True)
class Mention:
    """One attribution whose source has a speaker key, with what its article says of it."""

    article_id: str
    attribution_id: str
    key: str
    name: str  # the source's resolved name, or its text
    source: str  # the source's words ("Mr. Trump")
    titles: list[str] = field(default_factory=list)
    published: str | None = None  # ISO date
    publisher: str | None = None

    @property
    def ref(self) -> tuple[str, str]:
        return (self.article_id, self.attribution_id)


@functools.lru_cache(maxsize=65536)
def title_words(title: str) -> frozenset[str]:
    """A title's words that say what the office is ("former Secretary of State" ->
    {"secretary"})."""
    words = fold(title).replace("-", " ").split()
    return frozenset(w.strip(".,") for w in words if w.strip(".,") not in _TITLE_NOISE)


def _gender(source: str) -> str:
    word = honorific(source)
    return HONORIFICS.get(word, "") if word else ""


@dataclass(slots=True)
class Candidate:
    key: str
    articles: set[str] = field(default_factory=set)
    #: the publication date of each of its articles (undated ones left out)
    dates: dict[str, date] = field(default_factory=dict)
    #: those dates as sorted day numbers, once asked for
    sorted_days: list[int] | None = None
    titles: set[str] = field(default_factory=set)
    honorifics: Counter[str] = field(default_factory=Counter)

    @property
    def genders(self) -> set[str]:
        """The genders its honorifics say, leaving out a stray one (a misread "Mr.")."""
        total = sum(self.honorifics.values())
        return {g for g, n in self.honorifics.items() if n >= GENDER_SHARE * total}

    def contradicts(self, gender: str) -> bool:
        """Whether the honorifics seen with this name rule out a gender."""
        seen = self.genders
        return bool(seen) and gender not in seen and sum(self.honorifics.values()) >= 2


def resolve_block(mentions: Iterable[Mention]) -> dict[tuple[str, str], str]:
    """The speaker key of every mention of one block: its own, or the full name a lone
    surname can only mean."""
    mentions = list(mentions)
    out = {m.ref: m.key for m in mentions}
    out.update(decide(candidates_of(mentions), [m for m in mentions if decidable(m)]))
    return out


def is_candidate(key: str) -> bool:
    """A full person name: what a lone surname of its block may turn out to mean."""
    parts = key.split(SEP)
    return parts[0] == "person" and len(parts) == 4 and bool(parts[2])


def decidable(m: Mention) -> bool:
    """A mention whose speaker the block decides, not its key alone: anything but a full
    person name (a lone surname, an organization that may be a person), or a name with an
    honorific (which may contradict it)."""
    return not is_candidate(m.key) or bool(_gender(m.source))


def candidates_of(mentions: Iterable[Mention]) -> dict[str, Candidate]:
    """The full names of a block, with what their mentions say of them."""
    candidates: dict[str, Candidate] = {}
    for m in mentions:
        if not is_candidate(m.key):
            continue
        c = candidates.get(m.key)
        if c is None:
            c = candidates[m.key] = Candidate(m.key)
        add_evidence(c, m.article_id, m.published, m.titles, m.source)
    return candidates


def add_evidence(
    c: Candidate,
    article: str,
    published: str | None,
    titles: Iterable[str],
    source: str,
    n: int = 1,
) -> None:
    """One mention's evidence (``n`` alike ones') about a full name."""
    c.articles.add(article)
    if published:
        c.dates[article] = date.fromisoformat(published[:10])
    for t in titles:
        c.titles.update(title_words(t))
    if g := _gender(source):
        c.honorifics[g] += n


def decide(candidates: dict[str, Candidate], mentions: list[Mention]) -> dict[tuple[str, str], str]:
    """The speaker key of each decidable mention of a block, given the block's full names."""
    out = {m.ref: m.key for m in mentions}
    if not candidates:
        return out
    lone: dict[tuple[str, str], list[Mention]] = defaultdict(list)  # (article, gender)
    named: dict[str, list[Mention]] = defaultdict(list)  # article -> one-word org names
    for m in mentions:
        g = _gender(m.source)
        if is_surname_only(m.key):
            lone[(m.article_id, g)].append(m)
        elif is_one_word_name(m.key):
            named[m.article_id].append(m)
        elif not m.key.startswith("person" + SEP):
            # an "organization" named like a person of the block ("Ines Okafor" typed by the
            # parser) is that person
            parts = person_name(m.key.split(SEP, 1)[1])
            if parts is not None and parts.first and parts.key in candidates:
                out[m.ref] = parts.key
        elif g and m.key in candidates and candidates[m.key].contradicts(g):
            # a full name whose honorific the name's other mentions contradict ("Mr.
            # Clinton" tied to Hillary Clinton by its article): decided like a lone surname
            lone[(m.article_id, g)].append(m)
    for (article, _), group in lone.items():
        chosen = _choose(group, candidates, article)
        if chosen is not None:
            for m in group:
                out[m.ref] = chosen
    org_articles: dict[str, set[str]] = defaultdict(set)
    for group in named.values():
        for m in group:
            org_articles[m.key].add(m.article_id)
    for article, group in named.items():
        # a one-word "organization" is the person of that surname where its article names
        # that person in full, or where the person is quoted in many times more articles
        # than the name is as an organization ("Trump" typed by the parser, not "Ford" the
        # company)
        chosen = _choose(group, candidates, article, same_article=True)
        if chosen is None:
            chosen = _choose(group, candidates, article)
            if chosen is not None and len(candidates[chosen].articles) < ORG_RATIO * len(
                org_articles[group[0].key]
            ):
                chosen = None
        if chosen is not None:
            for m in group:
                out[m.ref] = chosen
    return out


def _choose(
    group: list[Mention],
    candidates: dict[str, Candidate],
    article: str,
    *,
    same_article: bool = False,
) -> str | None:
    """The full name an article's lone surname means, or None when the evidence does not
    single one out. With ``same_article``, only a full name the article itself gives."""
    pool = [c for c in candidates.values() if article in c.articles]
    weight = {c.key: len(c.articles) for c in pool}
    if not pool:
        if same_article:
            return None
        # a full name the article does not give: only one quoted in at least PROMINENT
        # articles within WINDOW days of it ("Trump" in the 2016 campaign; not "Taylor"
        # because some Taylor was in the news)
        when = next((m.published for m in group if m.published), None)
        weight = {c.key: _near(c, when) for c in candidates.values()}
        pool = [c for c in candidates.values() if weight[c.key]]
        if not pool or max(weight.values()) < PROMINENT:
            return None
    genders = {g for m in group if (g := _gender(m.source))}
    for g in genders:
        pool = [c for c in pool if not c.contradicts(g)]
    titles: set[str] = set()
    for m in group:
        for t in m.titles:
            titles.update(title_words(t))
    if titles:
        agreeing = [c for c in pool if c.titles & titles]
        if agreeing:
            pool = agreeing
    if not pool:
        return None
    best = max(pool, key=lambda c: (weight[c.key], c.key))
    if weight[best.key] >= DOMINANCE * sum(weight[c.key] for c in pool):
        return best.key
    return None


def _near(c: Candidate, when: str | None) -> int:
    """How many of a candidate's articles are within WINDOW days of a date (all of them
    when the date is unknown)."""
    if when is None:
        return len(c.articles)
    if c.sorted_days is None:
        c.sorted_days = sorted(d.toordinal() for d in c.dates.values())
    day = date.fromisoformat(when[:10]).toordinal()
    days = c.sorted_days
    return bisect.bisect_right(days, day + WINDOW) - bisect.bisect_left(days, day - WINDOW)


def resolve(mentions: Iterable[Mention]) -> dict[tuple[str, str], str]:
    """The speaker key of every mention, block by block."""
    blocks: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        blocks[block_of(m.key)].append(m)
    out: dict[tuple[str, str], str] = {}
    for group in blocks.values():
        out.update(resolve_block(group))
    return out


def _display_name(key: str, names: Counter[str]) -> str:
    """A speaker's name as shown: its most frequent full form."""
    parts = key.split(SEP)
    if parts[0] == "person" and parts[2]:
        full = Counter({n: c for n, c in names.items() if len(n.split()) > 1})
        if full:
            names = full
    return max(names.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]


@dataclass(slots=True)
class SpeakerFacts:
    """What a speaker's row is made of, summed over its mentions (so that a store can sum
    them in SQL): names with counts, titles with counts and first and last dates, articles,
    attributions, dates."""

    names: Counter[str] = field(default_factory=Counter)
    #: raw title -> [count, first date, last date]
    titles: dict[str, list[Any]] = field(default_factory=dict)
    articles: int = 0
    attributions: int = 0
    first_seen: str | None = None
    last_seen: str | None = None

    def add_title(self, title: str, n: int, first: str | None, last: str | None) -> None:
        entry = self.titles.setdefault(title, [0, None, None])
        entry[0] += n
        entry[1] = min(filter(None, (entry[1], first)), default=None)
        entry[2] = max(filter(None, (entry[2], last)), default=None)


def speaker_rows(key: str, mentions: list[Mention]) -> dict[str, Any]:
    """The ``speakers`` row of one speaker from all its mentions."""
    facts = SpeakerFacts(Counter(m.name for m in mentions))
    for m in mentions:
        for t in m.titles:
            facts.add_title(t, 1, m.published, m.published)
    dates = sorted(m.published for m in mentions if m.published)
    facts.articles = len({m.article_id for m in mentions})
    facts.attributions = len(mentions)
    facts.first_seen = dates[0] if dates else None
    facts.last_seen = dates[-1] if dates else None
    return speaker_row(key, facts)


def speaker_row(key: str, facts: SpeakerFacts) -> dict[str, Any]:
    """The ``speakers`` row of one speaker from its facts. Titles that differ only in case
    or accents are one, shown as their most frequent spelling."""
    folded: dict[str, list[Any]] = {}  # folded title -> [count, first, last, spellings]
    for title, (n, first, last) in facts.titles.items():
        entry = folded.setdefault(fold(title), [0, None, None, Counter()])
        entry[0] += n
        entry[1] = min(filter(None, (entry[1], first)), default=None)
        entry[2] = max(filter(None, (entry[2], last)), default=None)
        entry[3][title] += n
    titles = []
    for n, first, last, spellings in folded.values():
        shown = max(spellings.items(), key=lambda kv: (kv[1], [-ord(c) for c in kv[0]]))[0]
        titles.append((n, shown, first, last))
    titles.sort(key=lambda e: (-e[0], e[1]))
    names = facts.names
    return {
        "id": speaker_id(key),
        "key": key,
        "name": _display_name(key, names),
        "aliases": [n for n, _ in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))][
            :MAX_ALIASES
        ],
        "kind": key.split(SEP)[0],
        "titles": [{"title": t, "first_seen": a, "last_seen": b} for _, t, a, b in titles],
        "articles": facts.articles,
        "attributions": facts.attributions,
        "first_seen": facts.first_seen,
        "last_seen": facts.last_seen,
    }

"""Which attributions of one speaker report one statement, and the ``statements`` table.

Two attributions of the same speaker are linked when

- their contents share a run of words: after folding case, quotes, dashes and
  ellipses, and splitting numbers from units ("2.6million" -> "2.6 million"),
  at least ``MIN_SHARED`` of the shorter content's word trigrams are the
  longer one's (an excerpt, a dropped clause, a changed word), and at least
  two trigrams are shared (or the words are equal). A content less than
  ``EXCERPT`` as long as the other is its excerpt only when both quote (a
  phrase such as "a ban on ..." inside another statement is its topic, not
  the statement). Contents under
  ``MIN_WORDS`` words (a topic, "it") link to nothing; or
- they are in one article, one gives words in quotation marks and the other
  does not, and the other's content words are mostly the quote's (the
  article's paraphrase of a quote it also gives).

A statement is a connected group of links (so a paraphrase in one outlet
reaches the quote another outlet printed through the article that gave both).
Links are symmetric and read nothing but the two attributions, so the groups do
not depend on the order articles arrived in; a statement's id is a hash of its
speaker and its first member by (article id, attribution id).
"""

from __future__ import annotations

import difflib
import hashlib
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from onrecord.corpus.names import fold

#: the share of the shorter content's word trigrams the other must have
MIN_SHARED = 0.5
#: contents shorter than this (in words) are no statement to link: a topic ("Sanders"), "it"
MIN_WORDS = 4
#: the share of a paraphrase's content words its article's quote must have
PARAPHRASE = 0.6
#: below this length ratio (in trigrams), a shorter content links only when both quote
EXCERPT = 0.5
_UNIT = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)?")
_STOP_WORDS = """a an the and or but if of to in on at by for with from as
is are was were be been being
it its this that these those he she they we i you his her their our my your him them us me
will would could should can may might must shall do does did has have had not no so than
then there here what which who whom whose when where why how all any some such very just
about into over after before up out said says say"""
_STOP = frozenset(_STOP_WORDS.split())


def words(text: str) -> list[str]:
    """A content's words, compared across outlets: case, quotes, dashes, ellipses off."""
    folded = fold(text).replace("\u2026", " ").replace("...", " ")
    return _TOKEN.findall(_UNIT.sub(" ", folded))


def _trigrams(ws: list[str]) -> set[tuple[str, ...]]:
    return {tuple(ws[i : i + 3]) for i in range(len(ws) - 2)}


def gram_hashes(text: str) -> list[int]:
    """A content's word trigrams as sorted 31-bit hashes (none for a content too short to
    link): what the store indexes to find the statements a new content may join."""
    ws = words(text)
    if len(ws) < MIN_WORDS:
        return []
    return sorted({zlib.crc32(" ".join(g).encode("utf-8")) & 0x7FFFFFFF for g in _trigrams(ws)})


def _content_words(ws: list[str]) -> set[str]:
    return {w[:6] for w in ws if w not in _STOP and len(w) > 2}


@dataclass(slots=True)
class Item:
    """One attribution of a speaker, as the statement layer reads it."""

    article_id: str
    attribution_id: str
    content: str
    quoted: bool  # it gives words in quotation marks
    published: str | None = None
    publisher: str | None = None
    words: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.words:
            self.words = words(self.content)

    @property
    def ref(self) -> tuple[str, str]:
        return (self.article_id, self.attribution_id)

    @property
    def order(self) -> tuple[str, str, str]:
        """Earliest first: by publication date (undated last), then article and id."""
        return (self.published or "9999", self.article_id, self.attribution_id)


def _linked(a: Item, b: Item, ta: set[tuple[str, ...]], tb: set[tuple[str, ...]]) -> bool:
    if len(a.words) < MIN_WORDS or len(b.words) < MIN_WORDS:
        return False
    shared = len(ta & tb)
    short, long_ = sorted((len(ta), len(tb)))
    if shared >= 2 and shared >= MIN_SHARED * short:
        # a short content inside a long one is an excerpt only of quoted words; a phrase
        # ("a ban on ...") inside another statement is a topic, not the statement
        return short >= EXCERPT * long_ or (a.quoted and b.quoted)
    return False


def _paraphrase(a: Item, b: Item) -> bool:
    if a.article_id != b.article_id or a.quoted == b.quoted:
        return False
    quote, other = (a, b) if a.quoted else (b, a)
    said = _content_words(other.words)
    if len(said) < 3:
        return False
    return len(said & _content_words(quote.words)) >= PARAPHRASE * len(said)


class Union:
    """Union-find over 0..n-1 (a group's root is its smallest member)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def links(items: list[Item], new: int = 0) -> Iterator[tuple[int, int]]:
    """The links (index pairs) among ``items`` that involve one of the first ``new`` of them
    (0: every link): every pair that shares a trigram is tried, so the links do not depend
    on the items' order."""
    grams = [_trigrams(it.words) for it in items]
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        fresh = not new or i < new
        seen: set[int] = set()
        for gram in grams[i]:
            posting = index[gram]
            for j in posting:
                if j not in seen and (fresh or j < new):
                    seen.add(j)
                    if _linked(items[j], it, grams[j], grams[i]):
                        yield j, i
            posting.append(i)
        for j in by_article[it.article_id]:
            if (fresh or j < new) and _paraphrase(items[j], it):
                yield j, i
        by_article[it.article_id].append(i)


def cluster(items: Iterable[Item]) -> list[list[Item]]:
    """One speaker's attributions in statements (each sorted earliest first)."""
    items = sorted(items, key=lambda it: it.ref)
    union = Union(len(items))
    for i, j in links(items):
        union.join(i, j)
    groups: dict[int, list[Item]] = defaultdict(list)
    for i, it in enumerate(items):
        groups[union.find(i)].append(it)
    return [sorted(g, key=lambda it: it.order) for g in groups.values()]


def statement_id(speaker_id: str, members: list[Item]) -> str:
    first = min(it.ref for it in members)
    raw = "\x1f".join((speaker_id, *first))
    return "st" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:14]


def canonical(members: list[Item]) -> Item:
    """The member whose words stand for the statement: the longest quote, else the earliest."""
    quoted = [it for it in members if it.quoted]
    if quoted:
        return max(quoted, key=lambda it: (len(it.words), [-ord(c) for c in it.article_id]))
    return members[0]


def statement_row(speaker_id: str, members: list[Item]) -> dict[str, Any]:
    """The ``statements`` row of one statement (members earliest first)."""
    first = members[0]
    return {
        "id": statement_id(speaker_id, members),
        "speaker_id": speaker_id,
        "text": canonical(members).content,
        "first_published": first.published,
        "first_article": first.article_id,
        "articles": len({it.article_id for it in members}),
        "outlets": sorted({it.publisher for it in members if it.publisher}),
        "attributions": len(members),
    }


def differences(base: str, other: str) -> list[dict[str, str]]:
    """The word-level differences of ``other`` from ``base``: a list of ``{"op", "text"}``
    with op ``same``, ``added`` or ``removed`` (in the order of reading)."""
    a, b = base.split(), other.split()
    key_a = [" ".join(words(w)) for w in a]
    key_b = [" ".join(words(w)) for w in b]
    out: list[dict[str, str]] = []
    matcher = difflib.SequenceMatcher(a=key_a, b=key_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append({"op": "same", "text": " ".join(b[j1:j2])})
            continue
        if i2 > i1:
            out.append({"op": "removed", "text": " ".join(a[i1:i2])})
        if j2 > j1:
            out.append({"op": "added", "text": " ".join(b[j1:j2])})
    return out

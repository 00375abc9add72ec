"""The key of an attribution's speaker: who its article says spoke, as a comparable string.

A person's key is ``person|surname|first name|suffix`` from the name the
article resolved the source to ("Donald J. Trump" -> ``person|trump|donald|``,
"Donald Trump Jr." -> ``person|trump|donald|jr``, "Trump" alone ->
``person|trump||``): case, accents, honorifics and middle names or initials do
not count; a generational suffix does (a son is not his father). An
organization, outlet or document is its name without case, punctuation or a
leading "the" (``organization|white house``). A named group ("Senate
Democrats") is keyed by its words. Sources that name nobody (anonymous ones,
"officials", pronouns left unresolved) have no key: they are nobody's speaker.

The *block* of a key is the last word of its surname or name (``block_of``):
only keys of one block can be one speaker, so a block is the unit every later
decision reads.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from onrecord.record import Attribution, Entity
from onrecord.stages.lexicon import (
    BELIEF_LEMMAS,
    ORG_PRONOUNS,
    PERSON_PRONOUNS,
    SPEECH_LEMMAS,
    TITLE_NOUNS,
    UNNAMED_NOUNS,
)

SEP = "|"

#: words before a name that say how to address the person, not who it is; the value is the
#: gender the honorific implies ("" when it implies none)
HONORIFICS = {
    "mr": "m",
    "mister": "m",
    "mrs": "f",
    "ms": "f",
    "miss": "f",
    "madam": "f",
    "dr": "",
    "prof": "",
    "sir": "m",
    "dame": "f",
    "lord": "m",
    "lady": "f",
    "rev": "",
    "sen": "",
    "rep": "",
    "gov": "",
    "gen": "",
}
_SUFFIXES = {"jr": "jr", "sr": "sr", "ii": "ii", "iii": "iii", "iv": "iv", "junior": "jr"}
#: lowercase particles that belong to a surname ("de Blasio", "van der Berg")
_PARTICLES = {"de", "da", "del", "der", "van", "von", "la", "le", "di", "du", "bin", "al"}
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*\.?|\d+", re.UNICODE)
_KINDS = {"person", "organization", "media", "document"}
#: a source that is a pronoun names nobody by its words
_PRONOUNS = PERSON_PRONOUNS | ORG_PRONOUNS
#: words that end a name in a headline ("Sanders Promises Action On Immigration")
_FUNCTION_WORDS = frozenset(
    {"on", "in", "to", "of", "the", "and", "at", "for", "with", "as", "after", "over", "is"}
)
#: headline verbs after a name that the speech lexicon does not hold
_HEADLINE_VERBS = frozenset(
    {"apologizes", "slams", "blasts", "vows", "urges", "rips", "hits", "endorses", "defends"}
)
#: titles that, before a single name, are part of how the person is named
_STYLES = frozenset(
    {"prince", "princess", "king", "queen", "duke", "duchess", "pope", "emperor", "empress"}
)
#: words before a surname that are no first name and no title either
_NOT_FIRST_NAMES = frozenset(
    {"rip", "candidate", "nominee", "billionaire", "mogul", "tycoon", "former", "then", "ex"}
)


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lowercase, accents off, curly apostrophes straight."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _words(text: str) -> list[str]:
    return [w.rstrip(".") for w in _WORD.findall(fold(text))]


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name as parts: surname, first name ("" when only the surname is known),
    generational suffix."""

    last: str
    first: str = ""
    suffix: str = ""

    @property
    def key(self) -> str:
        return SEP.join(("person", self.last, self.first, self.suffix))


@functools.lru_cache(maxsize=65536)
def person_name(name: str) -> PersonName | None:
    """The parts of a person's name; None when it has no word that can be a surname."""
    name = name.strip().split("\n")[0]  # a dateline or heading run into the name
    if " - " in name:  # "Weak - Rubio": a heading's words before a dash
        name = name.rsplit(" - ", 1)[1]
    words = [w for w in _words(name) if w and not w.isdigit()]
    while words and words[0] in HONORIFICS:
        words = words[1:]
    # a headline's words after the name: "Obama Says ...", "Cruz Apologizes"
    for i, w in enumerate(words[1:], start=1):
        if w in _FUNCTION_WORDS or _speech_verb(w):
            words = words[:i]
            break
    suffix = ""
    if len(words) > 1 and words[-1] in _SUFFIXES:
        suffix = _SUFFIXES[words[-1]]
        words = words[:-1]
    words = [w for w in words if len(w) > 1 or w == words[-1]]  # initials out ("Donald J.")
    # words a sentence or a description put before the name: "Certainly Trump", "Billionaire
    # Trump" are Trump with no first name
    while len(words) > 1 and _not_a_name(words[0]):
        if len(words) == 2 and words[0] in _STYLES:  # "Prince Harry": the style is the name
            break
        words = words[1:]
    if len(words) == 2 and words[0] == words[1]:
        words = words[1:]
    if not words:
        return None
    # the surname takes the particles before it: "Bill de Blasio" -> "de blasio"
    start = len(words) - 1
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    last = " ".join(words[start:])
    first = words[0] if start > 0 else ""
    return PersonName(last, first, suffix)


def _speech_verb(word: str) -> bool:
    """A verb form of a speech or belief verb ("says", "apologizes", "warned")."""
    if word in _HEADLINE_VERBS:
        return True
    if not word.endswith("s"):  # a headline's verb is in the present: "Says", "Warns"
        return False
    stems = {word.removesuffix("s"), word.removesuffix("es")}
    return any(s in SPEECH_LEMMAS or s in BELIEF_LEMMAS for s in stems if len(s) > 2)


def _not_a_name(word: str) -> bool:
    """A word that is no first name: a title or role noun, an adverb or a verb form."""
    return (
        word in HONORIFICS
        or word in TITLE_NOUNS
        or word in UNNAMED_NOUNS
        or word in _NOT_FIRST_NAMES
        or (len(word) > 4 and word.endswith(("ly", "ed", "ing")))
    )


def _named_in(source: str) -> PersonName | None:
    """The person a source's own words name ("former President Bill Clinton", "Mr. Trump"):
    the capitalized words that end it, after the last honorific or title among them; None
    for a pronoun or a description."""
    head = source.split(",")[0].split("\n")[0].strip()
    words = head.split()
    if {"and", "or", "&"} & set(words):  # two sources ("Ryan and Trump"): the entity decides
        return None
    run: list[str] = []
    for word in reversed(words):
        if not word[:1].isupper():
            break
        run.insert(0, word)
    if not run or fold(run[-1]).strip(".'") in _PRONOUNS:
        return None
    titled = [i for i, w in enumerate(run) if _not_a_name(fold(w).strip("."))]
    if titled:
        honor = fold(run[titled[-1]]).strip(".")
        name = run[titled[-1] + 1 :]
        if honor in HONORIFICS and name:  # "Mr. Trump": keep the honorific's gender
            name = [run[titled[-1]], *name]
        run = name
    if not run or _not_a_name(fold(run[-1]).strip(".")):
        return None
    return person_name(" ".join(run))


@functools.lru_cache(maxsize=65536)
def honorific(text: str) -> str | None:
    """The honorific a source's words put before its name ("Mr. Trump" -> "mr"), if any."""
    for word in _words(text):
        if word in HONORIFICS:
            return word
    return None


def name_key(kind: str, name: str) -> str | None:
    """The key of a name of a kind (``person``, ``organization``, ``media``, ``document``,
    ``group``); None when the name has nothing to key on."""
    if kind == "person":
        parts = person_name(name)
        return parts.key if parts is not None else None
    words = _words(name)
    if words and words[0] == "the":
        words = words[1:]
    if words and words[-1] in ("'s", "s'"):
        words = words[:-1]
    words = [w.removesuffix("'s") for w in words]
    if not words:
        return None
    return SEP.join((kind, " ".join(words)))


@functools.lru_cache(maxsize=65536)
def block_of(key: str) -> str:
    """The block of a key: the last word of its surname (a person) or of its name. A parser
    may type a person as an organization ("Trump", "Ines Okafor"): both land in the block of
    the surname, and ``corpus.speakers`` decides."""
    parts = key.split(SEP)
    words = parts[1].split() if len(parts) > 1 else []
    return "b" + SEP + (words[-1] if words else "")


def is_one_word_name(key: str) -> bool:
    """A one-word organization, outlet, document or group name ("Trump", "Reuters")."""
    parts = key.split(SEP)
    return parts[0] != "person" and len(parts) == 2 and " " not in parts[1]


def is_surname_only(key: str) -> bool:
    parts = key.split(SEP)
    return parts[0] == "person" and len(parts) == 4 and not parts[2]


def _named_group(text: str) -> bool:
    """A source that names a group by a proper name ("Senate Democrats", "NATO allies"),
    not a description ("officials", "the company")."""
    words = text.split()
    if len(words) == 1:  # a lone word is capitalized by the sentence; an acronym is a name
        return len(words[0]) > 1 and words[0].isupper()
    return any(w[:1].isupper() for w in words[1:])


def speaker_key(
    source: str, kind: str, *, anonymous: bool, entity_name: str | None, name: str | None
) -> str | None:
    """The key of a source's speaker, from the source's words, kind and anonymity, the name of
    the entity it resolved to and its resolved name; None when it names nobody."""
    if anonymous:
        return None
    if kind == "person":
        named = entity_name or name
        key = name_key(kind, named) if named else None
        # the source's own words win over the entity it was tied to when they give another
        # first name of that surname ("former President Bill Clinton" tied to Hillary)
        said = _named_in(source)
        if key is not None and said is not None and said.key != key:
            parts = key.split(SEP)
            if parts[1] == said.last and said.first and parts[2] != said.first:
                return said.key  # another first name of the surname
            if parts[1] != said.last and said.last not in parts[2:3]:
                return said.key  # "Mr. Trump" tied to "Trump Tower": the words win
        return key
    if kind in _KINDS:
        named = entity_name or name
        return name_key(kind, named) if named else None
    if kind == "unnamed" and entity_name is None and _named_group(source):
        return name_key("group", source)
    return None


def attribution_key(attribution: Attribution, entities: dict[str, Entity]) -> str | None:
    """The key of an attribution's speaker (``speaker_key`` of its source); None when it has
    no source or its source names nobody."""
    source = attribution.source
    if source is None:
        return None
    entity = entities.get(source.entity) if source.entity else None
    return speaker_key(
        source.text,
        source.kind,
        anonymous=source.anonymous,
        entity_name=entity.name if entity is not None else None,
        name=source.name,
    )

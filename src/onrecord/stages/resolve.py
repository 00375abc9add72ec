"""Resolve: cluster the people and organizations of an article, point sources at them.

No coreference model installs here, so this is built on the parse and the
named entities the pipeline already has:

- mentions of a PERSON cluster by name: a full name opens a cluster, a later
  surname ("Putin", "Putin's") or a title + surname joins the cluster whose
  name ends with it; ORG / NORP-free organizations cluster by exact name or
  by their acronym;
- people who share a surname stay apart: a full name joins only the cluster of
  the same first name (or a short form of it: "Larry", "Lawrence"), a suffix
  keeps "Donald Trump Jr." from "Donald Trump"; a bare surname goes to the
  namesake its honorific ("Mr.", "Mrs.", "Ms.") and title ("former President
  Clinton") fit, known by the pronouns of the sentence that named them and by
  relation words ("their daughter, Chelsea Clinton"), else to the one it named
  before, the one named just before, the one named far more often, or the only
  one without a suffix; else it stays unresolved (a person, no entity);
- a name is trimmed to the name (no heading line above it, no role before it:
  "Rep.", "rookie", "Farmer"; no unclosed bracket), and what the recognizer
  called a person but is a thing or an organization ("The Zentra supported
  IDE", a name labelled an organization elsewhere, a song title in quotes, a
  people, a common noun opening a sentence) is not one; a date, a product or a
  language never speaks ("SPH on Tuesday reported": no source);
- titles come from pre-modifiers ("Russian President Vladimir Putin") and
  apposition ("A senior Kremlin aide, Yury Ushakov", "Ushakov, a Kremlin
  aide");
- a pronoun source goes to the most recent person mentioned before it,
  preferring the last resolved speaker; a role source ("the Kremlin aide",
  "his longtime foreign minister") to the cluster whose titles share its head
  noun;
- every source gets a kind (person, organization, media, document, unnamed)
  and an ``anonymous`` flag when it names nobody ("anonymous officials",
  "sources", "U.S. media", "reports").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from onrecord.record import Entity, Source
from onrecord.stages.lexicon import (
    ANONYMOUS_MODIFIERS,
    DOCUMENT_NOUNS,
    GENERIC_ORG_NOUNS,
    MEDIA_NOUNS,
    NOT_TITLES,
    ORG_NAME_WORDS,
    ORG_NOUNS,
    ORG_PRONOUNS,
    PERSON_PRONOUNS,
    RELATIVE_PRONOUNS,
    TITLE_NOUNS,
    UNNAMED_NOUNS,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from onrecord.stages.attribute import Found

_ENT_TYPES = {"PERSON": "person", "ORG": "organization", "NORP": "group", "GPE": "place"}
_MEDIA_NAME = re.compile(
    r"\b(times|post|news|journal|reuters|associated press|ap|afp|cnn|bbc|fox|nbc|abc|cbs|"
    r"msnbc|bloomberg|guardian|tribune|herald|gazette|telegraph|breitbart|politico|axios|"
    r"magazine|daily|press|radio|tv|television|wire|tass|ria|interfax|xinhua|al jazeera|"
    r"huffington|huffpost|npr|pbs|economist|newsweek|wsj|nyt|usa today|vox|hill)\b",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
#: tokens back from a pronoun within which the last speaker keeps the floor
_SPEAKER_WINDOW = 60
#: tokens back from a pronoun searched for a person mention
_PRONOUN_WINDOW = 150
_TITLE_STOP = frozenset({"the", "a", "an", "former", "then", "his", "her", "their", "its"})


@dataclass(slots=True)
class _Cluster:
    id: str
    name: str
    type: str
    titles: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)
    #: "m" or "f" when an honorific or a pronoun told; None when nothing did
    gender: str | None = None
    #: a bare surname ("Clinton") was this person's before: it stays theirs
    owns_surname: bool = False


@dataclass(slots=True)
class _Mention:
    """What a person's mention says of whom it names: the gender of its honorific
    ("Mrs. Clinton") and the title nouns before it ("former President Clinton")."""

    gender: str | None = None
    titles: frozenset[str] = frozenset()
    #: where the mention starts (a character offset)
    at: int = -1


@dataclass(slots=True)
class Resolved:
    entities: list[Entity]
    sources: list[Source | None]


def _clean_name(text: str) -> str:
    # a name is on one line: a heading or a caption above it is not part of it
    text = text.strip().rsplit("\n", 1)[-1].strip()
    text = _POSSESSIVE.sub("", text)
    text = text.rstrip(",;:.(-–— ") if not _INITIAL_END.search(text) else text
    if text.count("(") > text.count(")"):
        text = text[: text.index("(")].strip()
    text = re.sub(r"^(?:the|The)\s+", "", text).strip()
    # a recognized name that ran on into the sentence ("Kate made Meghan cry" -> "Meghan cry"):
    # lowercase words after the capitalized ones are not part of it
    trimmed = _TRAILING_LOWER.sub("", text)
    return trimmed if trimmed and trimmed[0].isupper() else text


_TRAILING_LOWER = re.compile(r"(?:\s+[a-z][a-z'-]*)+$")
#: a name ending in an initial or an abbreviation keeps its period: "Larry Wallace Jr."
_INITIAL_END = re.compile(r"(?:\b[A-Z]|\b[JS]r|\bInc|\bCo|\bCorp|\bLtd)\.$")
#: titles that are part of the name they stand before ("Prince Harry", "Pope Leo")
_NAME_TITLES = frozenset(
    {"prince", "princess", "king", "queen", "pope", "sheikh", "lady", "lord", "sir", "dame",
     "saint", "st.", "emperor", "empress", "duke", "duchess"}
)  # fmt: skip
#: words that stand before a person's name as a role, never part of it
_ROLE_WORDS = frozenset(
    {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "sen", "rep", "gov", "lt.",
     "sgt.", "capt.", "det.", "rev.", "supt.", "insp.", "cpl.", "pvt.", "atty.", "hon.", "prof",
     "rabbi", "reverend", "father", "farmer", "chef", "chefs", "coach", "rookie", "veteran",
     "superintendent", "supervisor", "administrator", "tanaiste", "taoiseach", "detective",
     "sergeant", "captain", "lieutenant", "inspector", "sheriff", "trooper", "pastor",
     "bishop", "archbishop", "cardinal", "producer", "developer", "author", "actor",
     "actress", "singer", "star", "striker", "defender", "midfielder", "goalkeeper",
     "quarterback", "coordinator", "physician", "nurse", "doctor", "scientist", "researcher",
     "chair", "commander", "minister", "mp", "mep", "sen.", "rep.", "gov."}
)  # fmt: skip


_INNER_POSSESSIVE = re.compile(r"(?:'s|’s)\s+\S")


def _is_role_word(word: str) -> bool:
    low = word.lower()
    return (low in TITLE_NOUNS or low in _ROLE_WORDS or low.strip("-") in TITLE_NOUNS) and (
        low not in _NAME_TITLES
    )


def _person_name(name: str) -> str:
    """A person's name without the roles the recognizer took in with it: "Rep. Jared
    Golden" -> "Jared Golden", "rookie Emil Bemstrom" -> "Emil Bemstrom", "Browns DL
    Sheldon Richardson" -> "Sheldon Richardson", "Mr Ng" -> "Ng"; "Prince Harry" stays."""
    inner = _INNER_POSSESSIVE.search(name)
    if inner:
        name = name[: inner.start()]  # "Harry Potter’s Marauder’s Map": Harry Potter's thing
    words = name.split()
    cut = 0
    for i, w in enumerate(words[:-1]):
        role = _is_role_word(w) or (w[:1].islower() and not any(c.isupper() for c in words[0]))
        abbrev = 2 <= len(w) <= 4 and w.isupper() and w.isalpha() and len(words) - i >= 3
        if role or abbrev:
            cut = i + 1
    if cut and words[cut - 1].lower() in _HONORIFICS and cut == len(words) - 1:
        return words[-1]  # "Mr Ng" -> "Ng"
    rest = words[cut:]
    if cut and (
        len(rest) >= 2
        or words[cut - 1].lower() in _HONORIFICS
        or not any(w.lower() in _NAME_TITLES for w in words[:cut])
    ):
        return " ".join(rest)
    return name


_DAY_OR_MONTH = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
     "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december", "today", "tonight", "yesterday", "tomorrow"}
)  # fmt: skip


def _name_like(name: str) -> bool:
    """Whether ``name`` can be someone's: letters, no broken characters, not a day."""
    if "\ufffd" in name or not any(c.isalpha() for c in name):
        return False
    if name.lower() in _DAY_OR_MONTH:
        return False
    return name[0].isupper() or name[0].isdigit() or " " in name


#: labels of what never speaks: dates and times, products, languages (a share of people,
#: "52 percent said", and a work, "the book says", may)
_MUTE_LABELS = frozenset({"DATE", "TIME", "PRODUCT", "LANGUAGE"})


def _may_speak(head: Token) -> bool:
    """Whether the source's head can be a speaker: not a date, a product or a language
    ("SPH on Tuesday reported", "The Zentra supported ...")."""
    if head.ent_type_ == "PERSON" or head.pos_ in ("NOUN", "PRON"):
        return True
    if any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in head.children):
        return True  # a name of several words: "Theresa May", "Ivanka Trump"
    return head.ent_type_ not in _MUTE_LABELS


def _common_word(ent: Span) -> bool:
    """A common noun the recognizer took for a name because a sentence opens with it
    ("Aides said ...", "Officials say ..."), a people ("Africans"), or a title in quotes
    (a song called "Glasgow")."""
    doc = ent.doc
    if (
        ent.start > 0
        and doc[ent.start - 1].is_quote
        and ent.end < len(doc)
        and (doc[ent.end].is_quote or doc[ent.end].text == "(")
    ):
        return True
    if len(ent) != 1:
        return False
    tok = ent[0]
    if tok.tag_ == "NNPS":
        return True
    low = tok.lower_
    if low in UNNAMED_NOUNS or low in TITLE_NOUNS or low in ORG_NOUNS:
        return True
    return bool(tok.is_sent_start) and tok.tag_ in ("NN", "NNS")


_THING_LABELS = frozenset(("ORG", "PRODUCT", "GPE", "LOC", "FAC", "WORK_OF_ART", "LANGUAGE"))


def _labels_by_name(doc: Doc) -> dict[str, list[Any]]:
    """Per entity text, and per word-final part of one ("Scala" of "The Scala"), how many of
    the document's entities bear it as a thing (ORG, PRODUCT, places...) and as a PERSON:
    counted once per document."""
    counts: dict[str, list[Any]] = {}
    for e in doc.ents:
        text = e.text
        words = text.split(" ")
        thing, person = e.label_ in _THING_LABELS, e.label_ == "PERSON"
        for i in range(len(words)):
            entry = counts.setdefault(" ".join(words[i:]), [0, 0])
            entry[0] += thing
            entry[1] += person
        counts[f"\x00{e.start}"] = [int(thing), int(person), text]  # by where it starts
    return counts


def _not_a_person(name: str, ent: Span, labels_by_name: dict[str, list[Any]]) -> bool:
    """A name the recognizer called a person's that is an organization's, an outlet's or a
    thing's: "The Scala supported IDE", "Politico reported", "Tovik Records"."""
    doc = ent.doc
    before = doc[ent.start - 1] if ent.start > 0 else None
    if (
        before is not None
        and before.lower_ in ("the", "a", "an")
        and len(name.split()) <= 3
        and ent.root.dep_ != "compound"
    ):
        # "the Scala", "the MacBook Pro"; not "the late Ines Okafor" (no "the" right before)
        return True
    words = {w.lower() for w in name.split()}
    if words & ORG_NAME_WORDS or _MEDIA_NAME.fullmatch(name):
        return True
    # the same name elsewhere labelled an organization, a product or a place, never a person
    text = ent.text
    things, persons = labels_by_name.get(text, (0, 0))
    # the entity starting where this one does, under another text
    other = labels_by_name.get(f"\x00{ent.start}")
    if other is not None and other[2] != text and not other[2].endswith(" " + text):
        things += other[0]
        persons += other[1]
    return things > persons


def _not_a_title(title: str | None) -> str | None:
    """``title``, unless its last word is an image credit's or the page's ("Credit")."""
    if title is None or title.split()[-1].lower().strip(":") in NOT_TITLES:
        return None
    return title if any(c.isalpha() for c in title) else None


def _acronym(name: str) -> str:
    words = [w for w in re.split(r"[\s\-]+", name) if w and w[0].isupper()]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def _pre_title(ent: Span) -> str | None:
    """ "Russian President Vladimir Putin" -> "Russian President"."""
    doc = ent.doc
    i = ent.start - 1
    words: list[Token] = []
    while i >= 0 and i >= ent.start - 6:
        tok = doc[i]
        if tok.is_punct or tok.is_space or tok.lower_ in _TITLE_STOP:
            break
        if tok.lower_ == "of" and i > 0 and doc[i - 1].lower_ in TITLE_NOUNS and words:
            words.insert(0, tok)  # "Secretary of State Hillary Clinton"
            i -= 1
            continue
        if tok.pos_ not in ("PROPN", "NOUN", "ADJ"):
            break
        if tok.ent_type_ and tok.ent_type_ not in ("NORP", "GPE", "ORG"):
            break
        words.insert(0, tok)
        i -= 1
    while words and words[0].lower_ == "of":
        words.pop(0)
    if not words:
        return None
    if not any(w.lower_ in TITLE_NOUNS for w in words):
        return None
    return " ".join(w.text for w in words)


def _appos_title(ent: Span) -> str | None:
    """ "A senior Kremlin aide, Yury Ushakov" / "Ushakov, a Kremlin aide"."""
    root = ent.root
    cand: Token | None = None
    if root.dep_ == "appos" and root.head.pos_ == "NOUN":
        cand = root.head
    else:
        for child in root.children:
            if child.dep_ == "appos" and child.pos_ == "NOUN":
                cand = child
                break
    if cand is None:
        return None
    toks = [
        t
        for t in cand.subtree
        if not (ent.start <= t.i < ent.end)
        and t.dep_ not in ("det", "punct", "relcl")
        and not t.is_space
    ]
    toks = [t for t in toks if t.i <= cand.i or t.dep_ in ("prep", "pobj", "compound", "amod")]
    if not toks or len(toks) > 8:
        return None
    toks.sort(key=lambda t: t.i)
    if toks[-1].i - toks[0].i + 1 != len(toks):
        return None
    if cand.tag_ in ("NNS", "NNPS") and not any(t.dep_ == "prep" for t in toks):
        return None  # "Googlers", "two young computer whizzes": a group, not one's title
    return ent.doc[toks[0].i : toks[-1].i + 1].text


def _cluster_entities(
    doc: Doc,
) -> tuple[list[_Cluster], dict[int, _Cluster], set[int]]:
    """Clusters of named mentions, token index -> cluster, and the tokens of surnames
    that could name more than one person of the article ("Clinton" beside Bill and
    Hillary Clinton, nothing telling which)."""
    clusters: list[_Cluster] = []
    by_token: dict[int, _Cluster] = {}
    ambiguous: set[int] = set()
    persons: list[_Cluster] = []
    by_key: dict[str, _Cluster] = {}
    labels_by_name = _labels_by_name(doc)
    for ent in doc.ents:
        etype = _ENT_TYPES.get(ent.label_)
        if ent.label_ in ("GPE", "FAC") and ent[-1].lower_ in _PLACE_BODIES:
            etype = "organization"  # "Howard County", "Stansted Airport": they speak
        if etype is None or etype in ("place", "group"):
            continue
        if etype == "person":
            ent = _from_the_name(ent)
        name = _clean_name(ent.text)
        if not name or len(name) < 2 or not _name_like(name) or _common_word(ent):
            continue
        if etype == "person" and _not_a_person(name, ent, labels_by_name):
            etype = "media" if _MEDIA_NAME.fullmatch(name) else "organization"
        if etype == "person":
            name = _person_name(name)
        mention = _mention_of(ent)
        if etype == "person":
            cluster = _person_cluster(name, persons, mention)
        else:
            cluster = _named_cluster(name, clusters, persons, by_key, mention)
        if cluster is _AMBIGUOUS:
            ambiguous.update(range(ent.start, ent.end))
            continue
        if cluster is None:
            cluster = _new_cluster(name, etype, clusters, persons, by_key)
            if cluster.type == "person":
                cluster.gender = mention.gender or _pronoun_gender(ent)
        elif cluster.type == "person" and cluster.gender is None:
            cluster.gender = mention.gender or _pronoun_gender(ent)
        _add_mention(cluster, ent, by_token)
    return clusters, by_token, ambiguous


#: last words of places' names that are bodies that speak ("the county said")
_PLACE_BODIES = frozenset({"county", "city", "airport", "district", "port", "council"})
#: honorifics and the gender they tell
_HONORIFICS = {"mr": "m", "mr.": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "miss": "f"}
#: name suffixes: "Donald Trump Jr." is not "Donald Trump"
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_MALE_PRONOUNS = frozenset({"he", "him", "his", "himself"})
_FEMALE_PRONOUNS = frozenset({"she", "her", "hers", "herself"})
#: title words too general to tell two people apart
_WEAK_TITLE_WORDS = frozenset({"national", "security", "foreign", "prime", "vice", "member"})


def _mention_of(ent: Span) -> _Mention:
    """The honorific and title words before a name."""
    doc = ent.doc
    gender = _HONORIFICS.get(ent[0].lower_)
    if gender is None and ent.start > 0:
        gender = _HONORIFICS.get(doc[ent.start - 1].lower_)
    words: set[str] = set()
    i = ent.start - 1
    while i >= 0 and ent.start - i <= 4:
        tok = doc[i]
        low = tok.lower_.strip("-")
        if low in TITLE_NOUNS and low not in _WEAK_TITLE_WORDS:
            words.add(low)
        elif tok.pos_ not in ("PROPN", "NOUN", "ADJ", "PUNCT") and low not in _HONORIFICS:
            break
        i -= 1
    return _Mention(gender, frozenset(words), ent.start_char)


def _pronoun_gender(ent: Span) -> str | None:
    """The gender of the person a name introduces, from the pronouns of its own sentence
    when the name is that sentence's subject and no one else is named in it ("Ines Okafor
    said she would ...", "Anton Velk said his pier ...")."""
    if ent.root.dep_ not in ("nsubj", "nsubjpass"):
        return None
    sent = ent.sent
    genders: set[str] = set()
    for tok in sent:
        if tok.i < ent.end:
            continue
        if tok.ent_type_ in ("PERSON", "ORG", "NORP") or tok.is_quote:
            return None  # someone else named, or a quotation: the pronoun may be theirs
        low = tok.lower_
        if low in _MALE_PRONOUNS:
            genders.add("m")
        elif low in _FEMALE_PRONOUNS:
            genders.add("f")
    return genders.pop() if len(genders) == 1 else None


def _from_the_name(ent: Span) -> Span:
    """A person's entity from its first proper noun: "Hosting Cook at ..." -> "Cook"."""
    start = ent.start
    while start < ent.end - 1 and ent.doc[start].pos_ in ("VERB", "AUX", "ADV", "ADP", "DET"):
        start += 1
    return ent if start == ent.start else ent.doc[start : ent.end]


#: short forms of given names: "Larry Page" is "Lawrence Edward Page"
_NICKNAMES = {
    "al": "albert", "alex": "alexander", "andy": "andrew", "bill": "william",
    "billy": "william", "bob": "robert", "bobby": "robert", "chris": "christopher",
    "chuck": "charles", "dan": "daniel", "danny": "daniel", "dave": "david", "dick": "richard",
    "don": "donald", "ed": "edward", "eddie": "edward", "fred": "frederick", "greg": "gregory",
    "jack": "john", "jim": "james", "jimmy": "james", "joe": "joseph", "jon": "jonathan",
    "ken": "kenneth", "larry": "lawrence", "liz": "elizabeth", "matt": "matthew",
    "mike": "michael", "nick": "nicholas", "pat": "patrick", "pete": "peter", "rich": "richard",
    "rick": "richard", "rob": "robert", "ron": "ronald", "sam": "samuel", "steve": "stephen",
    "sue": "susan", "ted": "edward", "tim": "timothy", "tom": "thomas", "tony": "anthony",
    "will": "william", "kate": "katherine", "katie": "katherine", "beth": "elizabeth",
    "jen": "jennifer", "jenny": "jennifer", "meg": "margaret", "peggy": "margaret",
}  # fmt: skip


def _same_given(a: str, b: str) -> bool:
    """Whether two first names may be one person's: the same, an initial of the other, or
    a short form of it ("Larry", "Lawrence")."""
    a, b = a.rstrip(".").lower(), b.rstrip(".").lower()
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return _NICKNAMES.get(a, a) == _NICKNAMES.get(b, b)


def _tail_of(a: list[str], b: list[str]) -> bool:
    """Whether one name ends the other: "Hawk Sawyer" and "Kathleen Hawk Sawyer", "Van
    Hollen" and "Chris Van Hollen"."""
    n = min(len(a), len(b))
    return n >= 2 and a[-n:] == b[-n:]


def _split_name(name: str) -> tuple[list[str], str, str]:
    """ "Donald Trump Jr." -> (["Donald"], "Trump", "jr")."""
    parts = name.split()
    while len(parts) > 1 and (parts[0].lower() in _HONORIFICS or _is_role_word(parts[0])):
        parts = parts[1:]
    suffix = ""
    if len(parts) > 1 and parts[-1].lower().rstrip(",") in _SUFFIXES:
        suffix = parts[-1].lower().rstrip(".,")
        parts = parts[:-1]
    if not parts:
        return [], name, suffix
    return parts[:-1], parts[-1], suffix


#: characters back from a bare surname within which a namesake named is the one it names
_RECENT_CHARS = 400
#: what ``_person_cluster`` answers when a surname could be several people's
_AMBIGUOUS = _Cluster("", "", "")


def _title_words(cluster: _Cluster) -> set[str]:
    return {
        w.strip("-")
        for t in cluster.titles
        for w in t.lower().split()
        if w.strip("-") in TITLE_NOUNS and w.strip("-") not in _WEAK_TITLE_WORDS
    }


def _person_cluster(
    name: str, persons: list[_Cluster], mention: _Mention | None = None
) -> _Cluster | None:
    """The person cluster ``name`` refers to, its name lengthened when this mention's is
    longer; None for a person not named before; ``_AMBIGUOUS`` for a surname that could be
    several people's (Bill, Hillary and Chelsea Clinton) with nothing telling which.

    A full name joins the cluster with the same first name (or one known only by its
    surname); a lone word the person whose first or last name it is. Among people who
    share a surname, a bare surname goes to the one its honorific ("Mr.", "Mrs.") and its
    title ("former President Clinton") fit, else to the one it named before, else to the
    only one without a suffix ("Trump" beside "Donald Trump Jr.")."""
    mention = mention or _Mention()
    given, surname, suffix = _split_name(name)
    same = [
        c
        for c in persons
        if _split_name(c.name)[1] == surname
        and (_split_name(c.name)[2] == suffix or (not suffix and not given))
    ]
    cluster: _Cluster | None = None
    if given:
        first = given[0].rstrip(".")
        words = name.split()
        fits = [
            c
            for c in same
            if not _split_name(c.name)[0]
            or _same_given(_split_name(c.name)[0][0], first)
            or _tail_of(words, c.name.split())
        ]
        if not fits:
            # a person first called by the first name alone: "Ed told ..." then "Ed Sheeran"
            fits = [c for c in persons if c.name == given[0] and c.name not in _HONORIFICS]
        cluster = fits[-1] if fits else None
    elif same:
        cluster = _pick_by_surname(same, mention)
    elif suffix:
        # "Donald Jr." after "Donald Trump Jr."
        named = [c for c in persons if surname in _split_name(c.name)[0] and _split_name(c.name)[2]]
        cluster = named[-1] if len(named) == 1 else None
    elif len(name.split()) == 1:
        # a first name alone: "Hillary said" after "Hillary Clinton"
        named = [c for c in persons if name in _split_name(c.name)[0]]
        cluster = named[-1] if len(named) == 1 else (_AMBIGUOUS if named else None)
    if (
        cluster is not None
        and cluster is not _AMBIGUOUS
        and given
        and len(name.split()) > len(cluster.name.split())
    ):
        cluster.name = name
    return cluster


def _pick_by_surname(same: list[_Cluster], mention: _Mention) -> _Cluster | None:
    """Which of the people sharing a surname a bare surname names."""
    cands = same
    if mention.titles:
        titled = [c for c in cands if _title_words(c) & mention.titles]
        # no one has that title: not those known by another one ("then-Secretary Clinton"
        # is not the Clinton titled President)
        cands = titled or [c for c in cands if not _title_words(c)] or cands
    if mention.gender is not None:
        cands = [c for c in cands if c.gender in (mention.gender, None)]
        if not cands:
            return None  # "Mr. Taylor" is not Breonna Taylor: someone not named before
    if len(cands) > 1:
        owners = [c for c in cands if c.owns_surname]
        if len(owners) == 1:
            cands = owners
    if len(cands) > 1:
        plain = [c for c in cands if not _split_name(c.name)[2]]
        if len(plain) == 1:
            cands = plain
    if len(cands) > 1 and (mention.gender or mention.titles):
        # "Mrs. Clinton" beside Hillary (a secretary of state) and Chelsea (a daughter):
        # the one with a public title
        titled = [c for c in cands if _title_words(c)]
        if len(titled) == 1:
            cands = titled
    if len(cands) > 1:
        # the article's main person of that name: "Cook" is Tim Cook, named ten times,
        # beside a Cook named once
        most = max(cands, key=lambda c: len(c.mentions))
        if len(most.mentions) >= 3 and all(
            len(most.mentions) >= 3 * len(c.mentions) for c in cands if c is not most
        ):
            cands = [most]
    if len(cands) > 1 and mention.at >= 0:
        # one of them was named just before, the others not: "Maulana Karenga said ...
        # Karenga added"
        near = [
            c for c in cands if any(0 <= mention.at - e <= _RECENT_CHARS for _, e in c.mentions)
        ]
        if len(near) == 1:
            cands = near
    if len(cands) > 1:
        return _AMBIGUOUS
    for c in same:
        c.owns_surname = c is cands[0]
    return cands[0]


def _named_cluster(
    name: str,
    clusters: list[_Cluster],
    persons: list[_Cluster],
    by_key: dict[str, _Cluster],
    mention: _Mention | None = None,
) -> _Cluster | None:
    """The cluster a non-person name refers to: the same name or acronym, a person's
    surname, or an organization it is the acronym of."""
    key = name.lower()
    cluster = by_key.get(key) or by_key.get(_acronym(name).lower() or "\0")
    if cluster is None and " " not in name:
        # the recognizer often calls a lone surname an ORG: "Trump said"
        same = [c for c in persons if _split_name(c.name)[1] == name]
        if same:
            return _pick_by_surname(same, mention or _Mention())
    if cluster is None and key.isupper() is False:
        cluster = next(
            (c for c in clusters if c.type != "person" and _acronym(c.name) == name), None
        )
    return cluster


def _new_cluster(
    name: str,
    etype: str,
    clusters: list[_Cluster],
    persons: list[_Cluster],
    by_key: dict[str, _Cluster],
) -> _Cluster:
    """A cluster for a name seen first, indexed for the mentions that follow."""
    if etype == "organization" and _MEDIA_NAME.search(name):
        etype = "media"
    cluster = _Cluster(f"e{len(clusters) + 1}", name, etype)
    clusters.append(cluster)
    if etype == "person":
        persons.append(cluster)
    else:
        by_key[name.lower()] = cluster
        if _acronym(name):
            by_key.setdefault(_acronym(name).lower(), cluster)
    return cluster


#: relation and role words that tell a person's gender ("their daughter, Chelsea ...")
_GENDERED_WORDS = {
    **dict.fromkeys(
        ["daughter", "wife", "mother", "sister", "widow", "aunt", "niece", "granddaughter",
         "grandmother", "girlfriend", "bride", "lady", "queen", "princess", "duchess",
         "actress", "chairwoman", "spokeswoman", "congresswoman", "councilwoman",
         "businesswoman", "woman", "girl", "mrs.", "ms.", "mrs", "ms", "madam"],
        "f",
    ),
    **dict.fromkeys(
        ["son", "husband", "father", "brother", "widower", "uncle", "nephew", "grandson",
         "grandfather", "boyfriend", "groom", "king", "prince", "duke", "chairman",
         "spokesman", "congressman", "councilman", "businessman", "man", "boy", "mr.", "mr"],
        "m",
    ),
}  # fmt: skip


def _title_gender(title: str) -> str | None:
    genders = {_GENDERED_WORDS[w] for w in title.lower().split() if w in _GENDERED_WORDS}
    return genders.pop() if len(genders) == 1 else None


def _add_mention(cluster: _Cluster, ent: Span, by_token: dict[int, _Cluster]) -> None:
    """Add the entity ``ent`` to ``cluster``: its span, its titles, its tokens."""
    cluster.mentions.append((ent.start_char, ent.end_char))
    for title in (_not_a_title(_pre_title(ent)), _not_a_title(_appos_title(ent))):
        if title and title not in cluster.titles:
            cluster.titles.append(title)
        if title and cluster.type == "person" and cluster.gender is None:
            cluster.gender = _title_gender(title)
    for i in range(ent.start, ent.end):
        by_token[i] = cluster


def _head_noun(tokens: list[Token], head: Token | None) -> Token | None:
    if head is not None and head.pos_ in ("NOUN", "PROPN", "PRON"):
        return head
    nouns = [t for t in tokens if t.pos_ in ("NOUN", "PROPN", "PRON")]
    return nouns[-1] if nouns else head


class _Resolver:
    def __init__(self, doc: Doc, text: str) -> None:
        self.doc = doc
        self.text = text
        self.clusters, self.by_token, self.ambiguous = _cluster_entities(doc)
        self.last_speaker: _Cluster | None = None
        self.last_speaker_at = -(10**9)
        self.last_org: _Cluster | None = None
        self.last_org_at = -(10**9)

    def resolve(self, item: Found) -> Source | None:
        if not item.source:
            return None
        toks = sorted(item.source, key=lambda t: t.i)
        spans = _spans(toks)
        text = " ".join(self.text[s:e] for s, e in spans)
        head = _head_noun(toks, item.source_head)
        if head is not None and head.lower_ in RELATIVE_PRONOUNS:
            # "officials who said", "Velk, who said": the noun the clause hangs from
            antecedent = _antecedent(head)
            if antecedent is not None and self._may_stand_for(head, antecedent):
                toks, head = [antecedent], antecedent
        if head is not None and not _may_speak(head):
            return None  # "SPH on Tuesday reported": a date, a number, a product speaks not
        cluster = self._named(toks, head)
        anonymous = False
        kind = "unnamed"
        lower = head.lower_ if head is not None else ""
        if cluster is None and head is not None and head.i in self.ambiguous:
            # "Clinton said" beside Bill and Hillary Clinton, nothing telling which
            return Source(text, spans, None, None, False, "person")
        if cluster is None and head is not None and head.pos_ == "PRON":
            if lower in PERSON_PRONOUNS or lower in ("who", "his", "hers"):
                cluster = self._pronoun(head)
                kind = "person"
            elif lower in ORG_PRONOUNS:
                kind = "organization" if lower == "it" else "unnamed"
                if lower == "it":
                    cluster = self._organization(head)
        elif cluster is None and head is not None and head.pos_ == "PROPN":
            cluster = self._new_name(head)
            if cluster is None and head.lower_ in UNNAMED_NOUNS:
                kind, anonymous = _unnamed_kind(toks, head)
        elif cluster is None and head is not None:
            cluster = self._role(head)
            if cluster is None and _definite_organization(head):
                cluster = self._organization(head)
            if cluster is None:
                kind, anonymous = _unnamed_kind(toks, head)
        if cluster is not None:
            kind = cluster.type if cluster.type in ("person", "organization", "media") else kind
            if kind == "unnamed":
                kind = "organization"
            if head is not None and head.i not in self.by_token:
                cluster.mentions.append((head.idx, head.idx + len(head.text)))
            at = head.i if head is not None else toks[-1].i
            if cluster.type == "person":
                self.last_speaker = cluster
                self.last_speaker_at = at
            else:
                self.last_org = cluster
                self.last_org_at = at
            return Source(text, spans, cluster.id, cluster.name, False, kind)
        return Source(text, spans, None, None, anonymous, kind)

    def _named(self, toks: list[Token], head: Token | None) -> _Cluster | None:
        """The cluster the source names: its head, or a name in apposition to it.

        A name that only modifies the head ("Senior Trump administration
        officials", "a Kremlin aide") does not make the source that entity.
        """
        if head is None:
            return None
        if head.i in self.by_token:
            return self.by_token[head.i]
        for child in head.children:
            if child.dep_ == "appos" and child.i in self.by_token:
                return self.by_token[child.i]
        if head.dep_ == "appos" and head.head.i in self.by_token:
            return self.by_token[head.head.i]
        return None

    def _may_stand_for(self, pron: Token, antecedent: Token) -> bool:
        """ "who" stands for anyone; "which" and "that" for no person."""
        if pron.lower_ in ("who", "whom"):
            return True
        named = self.by_token.get(antecedent.i)
        if named is not None:
            return named.type != "person"
        return antecedent.pos_ != "PROPN"

    def _new_name(self, head: Token) -> _Cluster | None:
        """A name the entity recognizer missed ("Harbor master Ines Okafor"): a person's,
        or an organization's when it says so ("the Louvre", "Tovik Records", a name the
        recognizer calls an organization or a place). A bare title ("Governor", "the
        Prime Minister") is no name: the person it stands for, or no one."""
        doc = self.doc
        lo = hi = head.i
        while lo > 0 and doc[lo - 1].pos_ == "PROPN" and doc[lo - 1].dep_ == "compound":
            lo -= 1
        span = doc[lo : hi + 1]
        name = _clean_name(span.text)
        if not name or name.lower() in UNNAMED_NOUNS:
            return None
        words = [w.lower() for w in name.split()]
        if all(w in TITLE_NOUNS or w.rstrip(".") in TITLE_NOUNS for w in words):
            return self._role(head)
        persons = [c for c in self.clusters if c.type == "person"]
        named = _person_cluster(_person_name(name), persons, _mention_of(span)) if persons else None
        if named is _AMBIGUOUS:
            return None
        if named is not None:
            return named  # a person named before: "Okafor" after "Ines Okafor"
        if not _name_like(name):
            return None
        etype = "person"
        title = _not_a_title(_pre_title(span))
        determined = any(c.dep_ == "det" and c.lower_ == "the" for c in head.children)
        if (
            determined
            or any(w in ORG_NAME_WORDS for w in words)
            or (head.ent_type_ in _ORG_ENT_TYPES and title is None)
        ):
            etype = "media" if _MEDIA_NAME.search(name) else "organization"
            for c in self.clusters:
                if c.type != "person" and c.name.lower() == name.lower():
                    return c
        if etype == "person":
            name = _person_name(name)
        cluster = _Cluster(f"e{len(self.clusters) + 1}", name, etype)
        self.clusters.append(cluster)
        cluster.mentions.append((span.start_char, span.end_char))
        if title and etype == "person":
            cluster.titles.append(title)
        for i in range(lo, hi + 1):
            self.by_token[i] = cluster
        return cluster

    def _organization(self, tok: Token) -> _Cluster | None:
        """The organization "it" or "the company" stands for.

        "the authority", "the trust": the last organization before ``tok`` whose name holds
        that noun ("the Harbor Authority"), else no one; "it" and a generic noun ("the
        company", "the airline"): the organization that spoke last, when lately, else the
        nearest one named before ``tok``."""
        lemma = tok.lemma_.lower()
        if tok.pos_ != "PRON" and lemma not in GENERIC_ORG_NOUNS:
            return next(
                (
                    named
                    for named in reversed(self.clusters)
                    if named.type != "person"
                    and lemma in named.name.lower().split()
                    and _before(named, tok)
                ),
                None,
            )
        if (
            self.last_org is not None
            and tok.i - self.last_org_at <= _SPEAKER_WINDOW
            and _fits(self.last_org, tok)
        ):
            return self.last_org
        for i in range(tok.i - 1, max(-1, tok.i - _PRONOUN_WINDOW), -1):
            c = self.by_token.get(i)
            if c is not None and c.type in ("organization", "media") and _fits(c, tok):
                return c
        return None

    def _pronoun(self, tok: Token) -> _Cluster | None:
        """The person a pronoun source stands for.

        The last resolved speaker when it spoke recently (news keeps the
        floor with its speaker: "Putin said ... He added again: ..."), else the
        nearest person before the pronoun in subject position, else the nearest
        person at all.
        """
        gender = (
            "m" if tok.lower_ in _MALE_PRONOUNS else "f" if tok.lower_ in _FEMALE_PRONOUNS else None
        )
        if (
            self.last_speaker is not None
            and tok.i - self.last_speaker_at <= _SPEAKER_WINDOW
            and _may_be(self.last_speaker, gender)
        ):
            return self.last_speaker
        nearest: _Cluster | None = None
        for i in range(tok.i - 1, max(-1, tok.i - _PRONOUN_WINDOW), -1):
            c = self.by_token.get(i)
            if c is None or c.type != "person" or not _may_be(c, gender):
                continue
            if nearest is None:
                nearest = c
            if self.doc[i].dep_ in ("nsubj", "nsubjpass"):
                return c
        if nearest is None and self.last_speaker is not None:
            return self.last_speaker if _may_be(self.last_speaker, gender) else None
        return nearest

    def _role(self, head: Token) -> _Cluster | None:
        """ "the Kremlin aide" -> the cluster titled "senior Kremlin aide"."""
        titled = head.lower_ in TITLE_NOUNS
        if head.pos_ != "NOUN" or not (titled or head.lower_ in UNNAMED_NOUNS):
            return None
        if not any(c.dep_ in ("det", "poss") and c.lower_ != "a" for c in head.children):
            return None
        words = {head.lower_} | {c.lower_ for c in head.children if c.dep_ in ("compound", "amod")}
        best: _Cluster | None = None
        best_score = 0
        for c in self.clusters if titled else ():
            if c.type != "person":
                continue
            for title in c.titles:
                tw = set(title.lower().split())
                if head.lower_ not in tw:
                    continue
                score = len(words & tw)
                if score > best_score or (score == best_score and best is not None):
                    best, best_score = c, score
        if best is None and head.tag_ == "NN" and any(c.lower_ == "the" for c in head.children):
            # "Ambassador Lena Varga arrived ... The diplomat said": the one person named
            # just before, when only one is
            near = {
                id(p): p
                for i in range(max(0, head.i - _PRONOUN_WINDOW), head.i)
                if (p := self.by_token.get(i)) is not None and p.type == "person"
            }
            if len(near) == 1:
                return next(iter(near.values()))
        return best


def _may_be(cluster: _Cluster, gender: str | None) -> bool:
    """Whether a pronoun of ``gender`` may stand for the person of ``cluster``."""
    return gender is None or cluster.gender in (None, gender)


#: entity labels of names that are not people's
_ORG_ENT_TYPES = frozenset({"ORG", "GPE", "NORP", "FAC"})


def _antecedent(pron: Token) -> Token | None:
    """The noun a relative pronoun's clause modifies ("officials who said": officials)."""
    verb = pron.head
    while verb.dep_ == "conj" and verb.head is not verb:
        verb = verb.head
    if verb.dep_ != "relcl" or verb.head is verb:
        return None
    noun = verb.head
    return noun if noun.pos_ in ("NOUN", "PROPN", "PRON") else None


def _definite_organization(head: Token) -> bool:
    """ "the company", "the airline", "the agency": an organization named before."""
    if head.pos_ != "NOUN" or head.tag_ == "NNS" or head.lemma_.lower() not in ORG_NOUNS:
        return False
    if any(c.ent_type_ or c.pos_ == "PROPN" for c in head.children):
        return False  # "the Scottish government", "the Kremlin office": named here
    return any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children)


def _before(cluster: _Cluster, tok: Token) -> bool:
    return bool(cluster.mentions) and min(s for s, _ in cluster.mentions) < tok.idx


def _fits(cluster: _Cluster, tok: Token) -> bool:
    """A media cluster is not "the company" of a company; anything fits "it"."""
    if tok.pos_ == "PRON":
        return True
    lemma = tok.lemma_.lower()
    return cluster.type == "media" if lemma in MEDIA_NOUNS else cluster.type == "organization"


def _unnamed_kind(toks: list[Token], head: Token) -> tuple[str, bool]:
    lemma = head.lemma_.lower()
    mods = {t.lower_ for t in toks}
    if lemma == "report":
        # "reports said" names no one; "the report found" is a document
        determined = any(c.dep_ in ("det", "poss") for c in head.children)
        if head.tag_ == "NNS" and not determined:
            return "media", True
        return "document", False
    if lemma in MEDIA_NOUNS or head.lower_ in MEDIA_NOUNS:
        return "media", not any(t.ent_type_ == "ORG" for t in toks)
    if lemma in DOCUMENT_NOUNS:
        return "document", False
    if lemma in UNNAMED_NOUNS or head.lower_ in UNNAMED_NOUNS:
        named = any(t.ent_type_ == "PERSON" for t in toks)
        return ("person", False) if named else ("unnamed", True)
    if mods & ANONYMOUS_MODIFIERS:
        return "unnamed", True
    if head.ent_type_ in ("ORG", "NORP", "GPE"):
        return "organization", False
    return "unnamed", False


def _spans(toks: list[Token]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for t in toks:
        s, e = t.idx, t.idx + len(t.text)
        if spans and s - spans[-1][1] <= 1:
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return spans


def resolve(doc: Doc, found: list[Found], text: str | None = None) -> Resolved:
    """Entities of ``doc`` and one ``Source`` (or None) per found attribution."""
    resolver = _Resolver(doc, doc.text if text is None else text)
    order = sorted(range(len(found)), key=lambda i: found[i].cue[0].i if found[i].cue else 0)
    sources: list[Source | None] = [None] * len(found)
    for i in order:
        sources[i] = resolver.resolve(found[i])
    entities = [
        Entity(c.id, c.name, c.type, c.titles, sorted(set(c.mentions))) for c in resolver.clusters
    ]
    return Resolved(entities, sources)

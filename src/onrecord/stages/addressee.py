"""Addressee and setting: to whom, and where or in what medium, a statement was made.

Both come from the parse around the cue, after attribute and resolve have run; neither
changes the attribution itself.

- **addressee** — the object of a verb of telling ("told reporters", "told The Associated
  Press", "assured investors", "urged the council"), the subject of a passive one ("we were
  told"), the object of "to" after a verb of saying or writing ("said to the crowd", "wrote
  to shareholders", "testified to the City Council"; not "referred to X"), or the name a
  setting holds ("in an interview with CNN" -> CNN, "in a letter to shareholders" ->
  shareholders). An object that is not a person, a group, an organization or an outlet is
  not an addressee ("told the story"). Its entity and name are the article's resolved
  entity (a mention covering it, else the same name or a person's surname).
- **setting** — a prepositional phrase on the cue whose noun is an occasion or a medium
  ("at a press conference in Sochi", "in a statement", "during a hearing", "on Twitter",
  "in the New York Times", fronted: "In his remarks in Sochi, ..."), kept as written,
  preposition included. A date or a place alone ("on Friday", "in Moscow") is never a
  setting, nor a topic ("commented on his remarks", "criticized over his comments").

Neither overlaps the source or the cue, nor, as a rule, the content; where the content
plainly took in too much (the object of "assured" before its that-clause, "portrayed him
in the book as ...") the parse's addressee and setting are kept all the same. A cue of
"adding", "saying" hung on another speech verb without a subject of its own ("he told X,
adding that ...") shares that verb's addressee and setting. Beliefs and "according to"
have neither. The word lists are data, in ``addressee_words``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from onrecord.record import Addressee, Entity, Setting
from onrecord.stages.addressee_words import (
    ADDRESSED_NOUNS,
    AUDIENCE_NOUNS,
    INTERVIEW_NOUNS,
    NOT_ADDRESSEES,
    ON_NOUNS,
    ORGANIZATION_NOUNS,
    PLATFORMS,
    SETTING_NOUNS,
    SETTING_PREPS,
    TELL_LEMMAS,
    TO_LEMMAS,
    TO_SETTING_NOUNS,
)
from onrecord.stages.lexicon import MEDIA_NOUNS, SPEECH_LEMMAS, TITLE_NOUNS, UNNAMED_NOUNS

if TYPE_CHECKING:
    from spacy.tokens import Token

    from onrecord.stages.attribute import Found

Char = tuple[int, int]

#: of these, the ones whose object is the addressee whatever it is ("told Live Science")
_TELL_ANY_OBJECT = frozenset({"tell", "inform", "assure", "reassure", "remind", "brief"})
#: verbs whose passive subject is the one told: "we were told", "investors were assured"
_PASSIVE_TOLD = frozenset(
    {"tell", "inform", "assure", "reassure", "remind", "warn", "advise", "brief", "notify"}
)
#: object pronouns and what they usually stand for
_PRONOUN_KINDS = {
    "him": "person",
    "her": "person",
    "me": "person",
    "you": "audience",
    "us": "audience",
    "them": "audience",
    "we": "audience",
    "i": "person",
    "he": "person",
    "she": "person",
    "they": "audience",
}

#: speech verbs that share their head's addressee and setting: "told X, adding that ..."
_SHARING_LEMMAS = frozenset({"add", "say", "tell", "note", "explain", "insist", "stress"})
_SKIP_KINDS = frozenset({"belief", "according_to"})
_WEBSITE = re.compile(r"\w\.(?:com|org|net|info|news|co|io)$", re.IGNORECASE)
_QUOTES = frozenset({'"', "“", "”", "'", "’", "‘"})
_EDGE = frozenset({",", ";", ":", "—", "–", "-", "--", "(", ")", '"', "“", "”", "'", "’", "‘"})


def find_addressee_and_setting(
    item: Found, text: str, entities: Sequence[Entity]
) -> tuple[Addressee | None, Setting | None]:
    """The addressee and the setting of one attribution (None where the text says none)."""
    if item.kind in _SKIP_KINDS:
        return None, None
    verb = _cue_verb(item)
    if verb is None:
        return None, None
    if verb.tag_ == "VB" and verb.i == verb.sent.start:
        return None, None  # an imperative: "Submit a letter to the editor"
    if verb.dep_ == "acl" and verb.tag_ == "VBN":
        return None, None  # a reduced relative: "the points suggested in the report"
    if verb.dep_ in ("pcomp", "pobj"):
        return None, None  # the object of a preposition: "under questioning"
    hard = _hard(item)
    content = list(item.content)
    addressee, setting = _around(verb, hard, content, text, entities)
    if (addressee is None or setting is None) and verb.lemma_.lower() in _SHARING_LEMMAS:
        # "he told X, adding that ...": the added statement goes to the same addressee
        head = verb.head
        if (
            verb.dep_ in ("advcl", "conj", "xcomp")
            and not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
            and head.i != verb.i
            and head.pos_ in ("VERB", "AUX")
            and head.lemma_.lower() in SPEECH_LEMMAS | TELL_LEMMAS
        ):
            up_addressee, up_setting = _around(head, hard, content, text, entities)
            addressee = addressee or up_addressee
            setting = setting or up_setting
    return addressee, setting


def _cue_verb(item: Found) -> Token | None:
    head = item.cue_head
    if head is None and item.cue:
        head = next((t for t in item.cue if t.pos_ in ("VERB", "AUX")), None)
    if head is None or head.pos_ not in ("VERB", "AUX"):
        return None
    return head


def _hard(item: Found) -> list[Char]:
    """Character spans nothing of the addressee or setting may overlap: source and cue."""
    spans = [(t.idx, t.idx + len(t.text)) for t in item.source]
    spans.extend((t.idx, t.idx + len(t.text)) for t in item.cue)
    return spans


def _inside(tok: Token, spans: Iterable[Char]) -> bool:
    s, e = tok.idx, tok.idx + len(tok.text)
    return any(s < be and bs < e for bs, be in spans)


def _around(
    verb: Token, hard: list[Char], content: list[Char], text: str, entities: Sequence[Entity]
) -> tuple[Addressee | None, Setting | None]:
    """The addressee and setting among ``verb``'s dependents.

    Nothing overlaps the source or the cue (``hard``). The content is left alone too, except
    where the parse says plainly that the content took in too much: the object of a verb of
    telling before its that-clause ("assured investors that ...") and a setting phrase on
    the cue ("portrayed him in the book as ...") are the addressee and the setting whatever
    the content span holds.
    """
    lemma = verb.lemma_.lower()
    addressee: Addressee | None = None
    setting: Setting | None = None
    tell = lemma in TELL_LEMMAS
    blocked = hard + content
    clause = next((c for c in verb.children if c.dep_ == "ccomp" and c.i > verb.i), None)
    for child in verb.children:
        if _inside(child, hard):
            continue
        dep = child.dep_
        if _inside(child, content):
            if dep in ("dative", "dobj") and tell and _before_clause(child, clause):
                if addressee is None and _animate(child, entities):
                    addressee = _addressee(child, hard, text, entities)
            elif dep == "prep" and setting is None and child.lower_ in SETTING_PREPS:
                obj = _pobj(child)
                if obj is not None and _is_setting(child, obj, entities):
                    setting = _setting(child, hard, text)
            continue
        if addressee is None and tell and dep in ("dative", "dobj"):
            if lemma in _TELL_ANY_OBJECT or dep == "dative":
                ok = child.lower_ not in NOT_ADDRESSEES and child.lemma_.lower() not in (
                    NOT_ADDRESSEES
                )
                ok = ok and child.pos_ in ("NOUN", "PROPN", "PRON")
            else:
                ok = _animate(child, entities)
            if ok:
                addressee = _addressee(child, blocked, text, entities)
        elif addressee is None and lemma in _PASSIVE_TOLD and dep == "nsubjpass":
            # "we were told", "reporters were assured"
            if child.pos_ in ("NOUN", "PROPN", "PRON") and _animate(child, entities):
                addressee = _addressee(child, blocked, text, entities)
        elif dep in ("prep", "dative") and child.lower_ == "to" and child.i > verb.i:
            obj = _pobj(child)
            if obj is None or _inside(obj, blocked):
                continue
            if obj.lower_ in TO_SETTING_NOUNS:
                if setting is None:
                    setting = _setting(child, blocked, text)
            elif addressee is None and lemma in TO_LEMMAS and _animate(obj, entities):
                addressee = _addressee(obj, blocked, text, entities)
        elif dep == "prep" and setting is None and child.lower_ in SETTING_PREPS:
            obj = _pobj(child)
            if obj is None or not _is_setting(child, obj, entities):
                continue
            setting = _setting(child, blocked, text)
            if setting is not None and addressee is None:
                addressee = _with_addressee(obj, blocked, text, entities)
    return addressee, setting


def _before_clause(obj: Token, clause: Token | None) -> bool:
    """Is ``obj`` followed by the that-clause of its verb, or by one the parse hung elsewhere
    ("assured members that operations had been geared ...")?"""
    if clause is not None:
        return obj.i < clause.i
    return any(t.i > obj.i and _that_clause(t) for t in obj.head.subtree)


def _that_clause(tok: Token) -> bool:
    """Does the cue's that-clause open at ``tok`` ("that the pier ...")? Also when the parse
    took it for a relative clause of a noun, as long as the cue has no clause of its own
    ("told reporters at a briefing that the pier would reopen")."""
    if tok.lower_ != "that":
        return False
    if tok.dep_ == "mark":
        return True
    clause = tok.head
    if clause.dep_ != "relcl" or clause.left_edge.i != tok.i:
        return False
    verb = clause.head
    while verb.dep_ not in ("ROOT", "ccomp", "conj", "advcl") and verb.head.i != verb.i:
        verb = verb.head
    return verb.pos_ in ("VERB", "AUX") and not any(c.dep_ == "ccomp" for c in verb.children)


def _pobj(prep: Token) -> Token | None:
    return next((c for c in prep.children if c.dep_ == "pobj"), None)


def _is_setting(prep: Token, obj: Token, entities: Sequence[Entity]) -> bool:
    if prep.lower_ == "to":
        return False
    head = obj
    if obj.lower_ == "one":
        # "in one of the bleakest forecasts"
        of = next((c for c in obj.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        inner = _pobj(of) if of is not None else None
        if inner is None:
            return False
        head = inner
    if head.ent_type_ in ("DATE", "TIME", "GPE", "LOC", "FAC", "CARDINAL", "ORDINAL"):
        return False  # "on Friday", "in Moscow"
    word = head.lower_
    if prep.lower_ == "under":
        return word in ("questioning", "cross-examination", "oath")
    if prep.lower_ == "over" and word not in ("phone", "telephone", "loudspeaker", "radio"):
        return word in PLATFORMS and word not in ("truth", "social", "medium", "x")
    if prep.lower_ == "on" and word not in ON_NOUNS and head.lemma_.lower() not in ON_NOUNS:
        return _on_medium(head, entities)
    if word in SETTING_NOUNS or head.lemma_.lower() in SETTING_NOUNS:
        if word == "media":
            # "on social media", not "in the media"
            return any(c.lower_ == "social" for c in head.children)
        if word in ("television", "tv", "radio", "camera"):
            return prep.lower_ == "on"
        if word == "court":
            return prep.lower_ == "in" and not any(c.dep_ in ("det", "poss") for c in head.children)
        if word == "town":
            return any(c.lower_ == "hall" for c in head.subtree)
        return True
    if word in PLATFORMS and head.pos_ == "PROPN" and prep.lower_ in ("on", "via", "over"):
        if word == "truth":
            return any(t.lower_ == "social" for t in head.subtree) or (
                head.i + 1 < len(head.doc) and head.nbor(1).lower_ == "social"
            )
        return word != "x" or head.text == "X"
    if word in PLATFORMS and prep.lower_ in ("on", "via", "over") and word != "x":
        return word not in ("truth", "social", "medium") and head.text[:1].isupper()
    # "wrote in The New York Times", "said on CNN": an outlet as the medium
    if prep.lower_ in ("in", "on") and head.pos_ == "PROPN":
        entity = _entity_at(head, entities)
        if entity is not None and entity.type == "media":
            return True
    return False


def _on_medium(head: Token, entities: Sequence[Entity]) -> bool:
    """After "on": a platform ("on Twitter") or an outlet ("on CNN"), nothing else."""
    word = head.lower_
    if word in PLATFORMS and head.pos_ == "PROPN":
        if word == "truth":
            return head.i + 1 < len(head.doc) and head.nbor(1).lower_ == "social"
        return word != "x" or head.text == "X"
    if head.pos_ == "PROPN":
        entity = _entity_at(head, entities)
        return entity is not None and entity.type == "media"
    return False


def _setting(prep: Token, blocked: list[Char], text: str) -> Setting | None:
    toks = [t for t in prep.subtree]
    end = len(toks)
    for k, t in enumerate(toks):
        if k and (_inside(t, blocked) or _that_clause(t)):
            end = k  # the content, or a that-clause the parse hung on the setting's noun
            break
    toks = _trim(toks[:end])
    if len(toks) < 2:
        return None
    start, stop = toks[0].idx, toks[-1].idx + len(toks[-1].text)
    return Setting(text[start:stop], [(start, stop)])


def _in_clause(tok: Token, head: Token) -> bool:
    """Is ``tok`` in a clause hung on the phrase after ``head`` ("the AP, which reported")?"""
    while tok.i != head.i:
        if tok.i > head.i and tok.dep_ in ("relcl", "acl", "advcl", "ccomp", "parataxis"):
            return True
        if tok.head.i == tok.i:
            return False  # the root: ``tok`` was not under ``head``
        tok = tok.head
    return False


def _trim(toks: list[Token]) -> list[Token]:
    """``toks`` without punctuation at either end, but with a title's quote marks whole:
    'in his book "Jungle Ways"', 'MSNBC's "Morning Joe"'."""
    out = list(toks)
    while out and (out[0].text in _EDGE or out[0].dep_ == "cc"):
        out.pop(0)
    while out and (out[-1].text in _EDGE or out[-1].dep_ == "cc"):
        if out[-1].text in _QUOTES and sum(t.text in _QUOTES for t in out) % 2 == 0:
            break  # the closing mark of a title
        out.pop()
    if out and sum(t.text in _QUOTES for t in out) % 2 == 1:
        # an opened title whose closing mark the parse left outside: take it in
        last = out[-1]
        nxt = last.nbor(1) if last.i + 1 < len(last.doc) else None
        if nxt is not None and nxt.text in (",", ".") and nxt.i + 1 < len(last.doc):
            nxt = nxt.nbor(1) if nxt.nbor(1).text in _QUOTES else None
        if nxt is not None and nxt.text in _QUOTES:
            out.extend(t for t in last.doc[last.i + 1 : nxt.i + 1])
    return out


def _animate(tok: Token, entities: Sequence[Entity]) -> bool:
    """Could ``tok`` head a phrase naming someone spoken to: a person, group, body, outlet?"""
    word = tok.lower_
    if tok.pos_ == "PRON":
        return word in _PRONOUN_KINDS
    if word in NOT_ADDRESSEES:
        return False
    entity = _entity_at(tok, entities)
    if entity is not None and entity.type in ("person", "organization", "media"):
        return True
    if tok.ent_type_ in ("PERSON", "ORG", "NORP"):
        return True
    lemma = tok.lemma_.lower()
    return bool(
        {word, lemma}
        & (AUDIENCE_NOUNS | ORGANIZATION_NOUNS | UNNAMED_NOUNS | TITLE_NOUNS | MEDIA_NOUNS)
    )


def _with_addressee(
    noun: Token, blocked: list[Char], text: str, entities: Sequence[Entity]
) -> Addressee | None:
    """The one a setting was addressed to: "in an interview with CNN" -> CNN, "in a letter
    to shareholders" -> shareholders."""
    word = noun.lower_
    prep = "with" if word in INTERVIEW_NOUNS else "to" if word in ADDRESSED_NOUNS else None
    for c in noun.children:
        if prep is not None and c.dep_ == "prep" and c.lower_ == prep:
            obj = _pobj(c)
            if obj is None or _inside(obj, blocked):
                continue
            # one is interviewed by someone, or by an outlet however it is named
            if _animate(obj, entities) or (prep == "with" and obj.pos_ == "PROPN"):
                return _addressee(obj, blocked, text, entities)
    return None


def _addressee(
    head: Token, blocked: list[Char], text: str, entities: Sequence[Entity]
) -> Addressee | None:
    # the phrase: the head's left part and its right part up to a comma or a clause
    toks = [t for t in head.subtree if not _in_clause(t, head)]
    out: list[Token] = []
    for t in toks:
        if out and t.i != out[-1].i + 1:
            break  # a gap: a clause was dropped
        if _inside(t, blocked) or (t.i > head.i and t.text in (",", ";", "(", "—", "–")):
            if t.i < head.i:
                out = []
                continue
            break
        out.append(t)
    out = _trim(out)
    if not out or head not in out:
        return None
    start, stop = out[0].idx, out[-1].idx + len(out[-1].text)
    entity = _entity_at(head, entities)
    kind = _kind(head, entity)
    return Addressee(
        text[start:stop],
        [(start, stop)],
        entity.id if entity is not None else None,
        entity.name if entity is not None else None,
        kind,
    )


def _kind(head: Token, entity: Entity | None) -> str:
    if _WEBSITE.search(head.text):
        return "media"  # "told Polygraph.info"
    if entity is not None and entity.type in ("person", "organization", "media"):
        return entity.type
    word, lemma = head.lower_, head.lemma_.lower()
    if head.pos_ == "PRON":
        return _PRONOUN_KINDS.get(word, "person")
    if word in MEDIA_NOUNS or lemma in MEDIA_NOUNS:
        return "media"
    if word in ORGANIZATION_NOUNS or lemma in ORGANIZATION_NOUNS:
        return "organization"
    if head.ent_type_ == "PERSON":
        return "person"
    if head.ent_type_ == "ORG":
        return "organization"
    if word in AUDIENCE_NOUNS or lemma in AUDIENCE_NOUNS or head.tag_ in ("NNS", "NNPS"):
        return "audience"
    if head.ent_type_ == "NORP":
        return "audience"
    return "person"


def _entity_at(tok: Token, entities: Sequence[Entity]) -> Entity | None:
    """The resolved entity one of whose mentions covers ``tok``, else the one a proper name
    names: the same name, or a person's surname ("told Njoku" -> Halvard Njoku)."""
    s, e = tok.idx, tok.idx + len(tok.text)
    for entity in entities:
        for ms, me in entity.mentions:
            if ms <= s and e <= me:
                return entity
    if tok.pos_ != "PROPN":
        return None
    words = [t for t in tok.subtree if t.pos_ == "PROPN" and t.i <= tok.i]
    name = " ".join(t.text for t in words if t.i >= tok.i - 4).lower()
    by_name = [x for x in entities if x.name.lower() == name]
    if not by_name:
        by_name = [
            x
            for x in entities
            if x.type == "person" and len(x.name.split()) > 1 and x.name.split()[-1] == tok.text
        ]
    if not by_name:
        return None
    # the entity mentioned last before the name, else the first
    before = [(max((ms for ms, _ in x.mentions if ms < s), default=-1), x) for x in by_name]
    return max(before, key=lambda pair: pair[0])[1]

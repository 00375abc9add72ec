"""Resolve: cluster the people and organizations of an article, point sources at them.

No coreference model installs here, so this is built on the parse and the
named entities the pipeline already has:

- mentions of a PERSON cluster by name: a full name opens a cluster, a later
  surname ("Putin", "Putin's") or a title + surname joins the cluster whose
  name ends with it; ORG / NORP-free organizations cluster by exact name or
  by their acronym;
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
from typing import TYPE_CHECKING

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


@dataclass(slots=True)
class Resolved:
    entities: list[Entity]
    sources: list[Source | None]


def _clean_name(text: str) -> str:
    text = _POSSESSIVE.sub("", text.strip())
    text = re.sub(r"^(?:the|The)\s+", "", text).strip()
    # a recognized name that ran on into the sentence ("Kate made Meghan cry" -> "Meghan cry"):
    # lowercase words after the capitalized ones are not part of it
    trimmed = _TRAILING_LOWER.sub("", text)
    return trimmed if trimmed and trimmed[0].isupper() else text


_TRAILING_LOWER = re.compile(r"(?:\s+[a-z][a-z'-]*)+$")


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
        if tok.pos_ not in ("PROPN", "NOUN", "ADJ"):
            break
        if tok.ent_type_ and tok.ent_type_ not in ("NORP", "GPE", "ORG"):
            break
        words.insert(0, tok)
        i -= 1
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
    return ent.doc[toks[0].i : toks[-1].i + 1].text


def _cluster_entities(doc: Doc) -> tuple[list[_Cluster], dict[int, _Cluster]]:
    """Clusters of named mentions, and token index -> cluster."""
    clusters: list[_Cluster] = []
    by_token: dict[int, _Cluster] = {}
    persons: list[_Cluster] = []
    by_key: dict[str, _Cluster] = {}
    for ent in doc.ents:
        etype = _ENT_TYPES.get(ent.label_)
        if etype is None or etype in ("place", "group"):
            continue
        name = _clean_name(ent.text)
        if not name or len(name) < 2:
            continue
        if etype == "person":
            cluster = _person_cluster(name, persons)
        else:
            cluster = _named_cluster(name, clusters, persons, by_key)
        if cluster is None:
            cluster = _new_cluster(name, etype, clusters, persons, by_key)
        _add_mention(cluster, ent, by_token)
    return clusters, by_token


def _person_cluster(name: str, persons: list[_Cluster]) -> _Cluster | None:
    """The latest person cluster ``name`` refers to (same name or surname), its name
    lengthened when this mention's is longer."""
    parts = name.split()
    surname = parts[-1]
    cluster: _Cluster | None = None
    for c in reversed(persons):
        cparts = c.name.split()
        if c.name == name or cparts[-1] == surname or (len(parts) == 1 and surname in cparts):
            cluster = c
            break
    if cluster is not None and len(parts) > len(cluster.name.split()):
        cluster.name = name
    return cluster


def _named_cluster(
    name: str, clusters: list[_Cluster], persons: list[_Cluster], by_key: dict[str, _Cluster]
) -> _Cluster | None:
    """The cluster a non-person name refers to: the same name or acronym, a person's
    surname, or an organization it is the acronym of."""
    key = name.lower()
    cluster = by_key.get(key) or by_key.get(_acronym(name).lower() or "\0")
    if cluster is None and " " not in name:
        # the recognizer often calls a lone surname an ORG: "Trump said"
        cluster = next((c for c in reversed(persons) if c.name.split()[-1] == name), None)
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


def _add_mention(cluster: _Cluster, ent: Span, by_token: dict[int, _Cluster]) -> None:
    """Add the entity ``ent`` to ``cluster``: its span, its titles, its tokens."""
    cluster.mentions.append((ent.start_char, ent.end_char))
    for title in (_not_a_title(_pre_title(ent)), _not_a_title(_appos_title(ent))):
        if title and title not in cluster.titles:
            cluster.titles.append(title)
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
        self.clusters, self.by_token = _cluster_entities(doc)
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
        cluster = self._named(toks, head)
        anonymous = False
        kind = "unnamed"
        lower = head.lower_ if head is not None else ""
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
        surname = name.split()[-1]
        for c in self.clusters:
            if c.type == "person" and c.name.split()[-1] == surname:
                return c  # a person named before: "Okafor" after "Ines Okafor"
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
        if self.last_speaker is not None and tok.i - self.last_speaker_at <= _SPEAKER_WINDOW:
            return self.last_speaker
        nearest: _Cluster | None = None
        for i in range(tok.i - 1, max(-1, tok.i - _PRONOUN_WINDOW), -1):
            c = self.by_token.get(i)
            if c is None or c.type != "person":
                continue
            if nearest is None:
                nearest = c
            if self.doc[i].dep_ in ("nsubj", "nsubjpass"):
                return c
        return nearest or self.last_speaker

    def _role(self, head: Token) -> _Cluster | None:
        """ "the Kremlin aide" -> the cluster titled "senior Kremlin aide"."""
        if head.pos_ != "NOUN" or head.lower_ not in TITLE_NOUNS:
            return None
        if not any(c.dep_ in ("det", "poss") and c.lower_ != "a" for c in head.children):
            return None
        words = {head.lower_} | {c.lower_ for c in head.children if c.dep_ in ("compound", "amod")}
        best: _Cluster | None = None
        best_score = 0
        for c in self.clusters:
            if c.type != "person":
                continue
            for title in c.titles:
                tw = set(title.lower().split())
                if head.lower_ not in tw:
                    continue
                score = len(words & tw)
                if score > best_score or (score == best_score and best is not None):
                    best, best_score = c, score
        return best


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

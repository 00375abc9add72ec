"""Attribute: find (source, cue, content) relations in a parsed article.

Three steps per document, all on the parse the pipeline already made:

1. **cues** — every candidate token (verbs, nouns, "according", ":") is
   scored by a logistic-regression model learned from PolNeAR train
   (``data/cue_model.json``, rebuilt by ``make train-fast``);
2. **content** — for each cue, the span it governs: its clausal complement,
   its object, the clause it comments on ("..., he said"; "according to X"),
   or the quotation beside it, extended over a quote that runs on into the
   following sentences or paragraphs;
3. **source** — the cue's subject (through conjunctions, control verbs and
   relative clauses), the agent of a passive, the object of "according to"
   or "citing"; nested sourcing ("Citing X, Y reported ...") links the inner
   attribution as the outer one's ``via``.

Computing is kept apart from building records: this module returns ``Found``
objects with token-level detail; the pipeline turns them into ``Attribution``
records once the resolve and date stages have run.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from onrecord.packaged import load_json
from onrecord.stages.cue_features import cue_features, is_candidate
from onrecord.stages.lexicon import BELIEF_LEMMAS, CITING_LEMMAS, SPEECH_LEMMAS
from onrecord.stages.quotes import Quote

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

log = logging.getLogger(__name__)

Char = tuple[int, int]
CUE_MODEL = "cue_model.json"
_SUBJ_DEPS = ("nsubj", "nsubjpass", "csubj")
_CONTENT_DEPS = ("ccomp", "csubj", "csubjpass")
_OBJ_DEPS = ("dobj", "attr", "oprd")
_CONTENT_PREPS = frozenset({"about", "of", "on", "over", "against", "for", "that", "with", "to"})
_PAREN_DEPS = frozenset({"parataxis", "advcl", "ccomp", "conj", "dep"})
_EDGE_PUNCT = frozenset({",", ";", ":", "—", "–", "-", "--", "(", ")"})
#: a preposition after the object still belongs to the content: "criticized X for Y"
_OBJ_PREPS = frozenset({"as", "for", "over", "about", "despite", "in", "of", "against", "with"})
_SIBLING_CUE_DEPS = frozenset({"advcl", "conj", "parataxis"})
_CUE_MODIFIERS = frozenset({"aux", "auxpass", "neg", "advmod", "prt"})


@dataclass(slots=True)
class Found:
    """One attribution as the attribute stage sees it (token level)."""

    kind: str
    cue: list[Token]
    content: list[Char]
    source: list[Token] = field(default_factory=list)
    source_head: Token | None = None
    quotes: list[Char] = field(default_factory=list)
    confidence: float = 1.0
    via: int | None = None  # index of another Found in the same list
    time: Span | None = None
    cue_head: Token | None = None


class CueModel:
    """A logistic-regression scorer over ``features.cue_features`` strings."""

    def __init__(
        self,
        weights: dict[str, float],
        bias: float,
        threshold: float,
        dense: list[float] | None = None,
        lemmas: Iterable[str] | None = None,
    ) -> None:
        self.weights = weights
        #: lemmas seen heading a cue in training; others are not scored (None: all)
        self.lemmas = frozenset(lemmas) if lemmas is not None else None
        self.bias = bias
        self.threshold = threshold
        #: weights over the tok2vec output (``doc.tensor``), when the model has them
        self.dense = np.asarray(dense, dtype=np.float32) if dense else None

    @classmethod
    def load(cls, path: Path | None = None) -> CueModel:
        data = load_json(CUE_MODEL, path, what="cue model", remedy="make train-fast")
        return cls(
            data["weights"],
            float(data["bias"]),
            float(data.get("threshold", 0.5)),
            data.get("dense"),
            data.get("lemmas"),
        )

    def dense_scores(self, doc: Doc) -> np.ndarray | None:
        """Each token's dense contribution (one matrix product per document)."""
        if self.dense is None or doc.tensor is None or doc.tensor.shape[0] != len(doc):
            return None
        if doc.tensor.shape[1] != self.dense.shape[0]:
            return None
        return np.asarray(doc.tensor @ self.dense)

    def probability(self, feats: Iterable[str], extra: float = 0.0) -> float:
        w = self.weights
        z = self.bias + extra
        for f in feats:
            z += w.get(f, 0.0)
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))


# --------------------------------------------------------------------------- helpers


def _runs(tokens: Iterable[Token]) -> list[Char]:
    """Character spans of consecutive runs of tokens, edge punctuation trimmed."""
    toks = sorted(tokens, key=lambda t: t.i)
    spans: list[Char] = []
    run: list[Token] = []
    for tok in toks:
        if run and tok.i != run[-1].i + 1:
            spans.extend(_trim_run(run))
            run = []
        run.append(tok)
    if run:
        spans.extend(_trim_run(run))
    return spans


def _trim_run(run: list[Token]) -> list[Char]:
    lo, hi = 0, len(run)
    while lo < hi and (run[lo].text in _EDGE_PUNCT or run[lo].is_space):
        lo += 1
    while hi > lo and (run[hi - 1].text in _EDGE_PUNCT or run[hi - 1].is_space):
        hi -= 1
    if lo >= hi:
        return []
    first, last = run[lo], run[hi - 1]
    return [(first.idx, last.idx + len(last.text))]


def merge_spans(spans: Iterable[Char]) -> list[Char]:
    out: list[Char] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _subtree(tok: Token, exclude: set[int] | None = None) -> list[Token]:
    if not exclude:
        return list(tok.subtree)
    out = []
    stack = [tok]
    while stack:
        t = stack.pop()
        if t.i in exclude:
            continue
        out.append(t)
        stack.extend(t.children)
    return out


def _stranded_complement(cue: Token, exclude: set[int]) -> list[Token]:
    """The that-clause the parser hung on the noun of the cue's setting: "said in a statement
    that the pier would close", "told reporters at a briefing that …". A clause with its own
    subject and a "that" or "whether" is the cue's complement, not a relative clause."""
    for prep in cue.children:
        if prep.dep_ != "prep" or prep.i < cue.i:
            continue
        for noun in prep.children:
            if noun.dep_ != "pobj":
                continue
            for clause in noun.children:
                if (
                    clause.dep_ in ("acl", "relcl", "ccomp")
                    and clause.i > noun.i
                    and clause.i not in exclude
                    and any(
                        m.dep_ == "mark" and m.lower_ in ("that", "whether")
                        for m in clause.children
                    )
                    and any(c.dep_ in ("nsubj", "nsubjpass") for c in clause.children)
                ):
                    return [clause]
    return []


def _governed(cue: Token, lemma: str, exclude: set[int]) -> list[Token]:
    """What a cue governs: its clausal complement, else its object (with what
    follows the object), else the object of a content preposition."""
    content_toks: list[Token] = []
    # 1. clausal complement
    comp = [c for c in cue.children if c.dep_ in _CONTENT_DEPS and c.i not in exclude]
    if not comp:
        comp = [
            c
            for c in cue.children
            if c.dep_ == "xcomp" and (lemma in SPEECH_LEMMAS or lemma in BELIEF_LEMMAS)
        ]
    if not comp and lemma in SPEECH_LEMMAS:
        comp = _stranded_complement(cue, exclude)
    if comp:
        for c in comp:
            content_toks.extend(_subtree(c, exclude | _comma_tails(c)))
    else:
        # 2. object, or the object of a preposition ("criticism of X")
        objs = [c for c in cue.children if c.dep_ in _OBJ_DEPS and c.i not in exclude]
        for c in objs:
            exclude |= _comma_tails(c)
        if not objs:
            objs = [
                g
                for c in cue.children
                if c.dep_ == "prep" and c.lower_ in _CONTENT_PREPS and not _is_time(c)
                for g in c.children
                if g.dep_ in ("pobj", "pcomp")
            ]
        for c in objs:
            content_toks.extend(_subtree(c, exclude))
        if objs:
            # "mentioned China as a suspect", "urged her to take the slot"
            for c in cue.children:
                if c.i > objs[0].i and (
                    c.dep_ in ("xcomp", "oprd", "ccomp", "acomp")
                    or (c.dep_ == "prep" and c.lower_ in _OBJ_PREPS and not _is_when(c))
                ):
                    content_toks.extend(_subtree(c, exclude))
    return content_toks


def _comma_tails(head: Token) -> set[int]:
    """Token ids of comma-set participle and "which" clauses trailing inside ``head``'s
    subtree: "that the party may disavow him, employing the maxim ..." ends at "him"."""
    doc = head.doc
    out: set[int] = set()
    for d in head.subtree:
        if d.i == head.i or d.dep_ not in ("advcl", "acl", "relcl"):
            continue
        start = d.left_edge.i
        if start == 0 or doc[start - 1].text != ",":
            continue
        if d.tag_ == "VBG" or (d.dep_ == "relcl" and doc[start].lower_ in ("which", "who")):
            out.update(t.i for t in d.subtree)
            out.add(start - 1)
    return out


def subject_of(tok: Token, cues: set[int] | frozenset[int] = frozenset()) -> Token | None:
    """The subject of ``tok``'s clause, walking up through conj / xcomp / advcl,
    "by"-gerunds ("concluded by implying") and relative clauses.

    A cue coordinated, by a parse error, with the verb of another cue's
    complement ("X said Y was wrong and criticized him": "criticized" hangs
    from "was") takes that other cue's subject, not the complement's.
    """
    main = _participle_subject(tok)
    if main is not None:
        return main
    cur = tok
    for _ in range(4):
        for child in cur.children:
            if child.dep_ in _SUBJ_DEPS:
                if child.tag_ in ("WDT", "WP") and cur.dep_ == "relcl":
                    # "remarks that appeared aimed to suggest": the remarks, or who made them
                    return _utterance_owner(cur.head) or cur.head
                return child
        dep = cur.dep_
        if dep == "conj" and cur.head.dep_ == "ccomp" and cur.head.head.i in cues:
            cur = cur.head.head
        elif dep in ("conj", "xcomp", "advcl") and cur.head is not cur:
            cur = cur.head
        elif dep == "pcomp" and cur.head.dep_ == "prep":
            cur = cur.head.head
        elif dep == "relcl" or (dep == "acl" and cur.tag_ == "VBG"):
            return cur.head
        else:
            break
    return _left_noun(tok)


#: nouns of something said, whose maker is the speaker of what they suggest or imply
UTTERANCE_NOUNS = frozenset(
    {"remark", "comment", "word", "speech", "statement", "address", "testimony", "answer",
     "reply", "response", "tweet", "post", "message", "interview", "quip", "joke", "retort"}
)  # fmt: skip


def _utterance_owner(noun: Token) -> Token | None:
    """Who made the remarks ``noun`` names: their possessor ("his remarks"), else the
    subject of the verb they are the object of ("He injected a note of mockery into
    remarks that ...", "She gave a speech that ..."). None for other nouns."""
    if noun.pos_ != "NOUN" or noun.lemma_.lower() not in UTTERANCE_NOUNS:
        return None
    poss = next((c for c in noun.children if c.dep_ == "poss"), None)
    if poss is not None:
        return poss
    if any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.children):
        return None  # "a statement that ...": someone's, not said to be the subject's
    verb = noun.head
    if noun.dep_ == "pobj" and verb.dep_ == "prep":
        verb = verb.head
    elif noun.dep_ != "dobj":
        return None
    if verb.pos_ not in ("VERB", "AUX"):
        return None
    subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subj is None or subj.pos_ not in ("PROPN", "PRON") or subj.tag_ in ("WDT", "WP"):
        return None
    return subj


def _participle_subject(tok: Token) -> Token | None:
    """The main clause's subject for a trailing participial clause ("Putin said …, implying
    that …"; "He injected a note of mockery into remarks …, quipping that …") that the parser
    hung below the main verb, inside another clause: the participle's subject is the
    sentence's, not that clause's."""
    if tok.tag_ != "VBG" or tok.dep_ != "advcl":
        return None
    before = tok.i - 1
    while before >= 0 and tok.doc[before].is_quote:  # ', "… capacity," implying that'
        before -= 1
    if before < 0 or tok.doc[before].text != ",":
        return None
    if any(c.dep_ in _SUBJ_DEPS for c in tok.children):
        return None
    root = tok.sent.root
    if tok.head.i == root.i or root.pos_ not in ("VERB", "AUX"):
        return None
    return next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)


def _inverted_subject(cue: Token) -> Token | None:
    """'"…," said Dana Ortiz, a lawyer who heads the Harbor Fund.' when the parser made
    Ortiz the subject of a complement after the cue: the cue has a complement before it
    (the quote) and one after it whose subject comes right after the cue."""
    comps = [c for c in cue.children if c.dep_ in _CONTENT_DEPS]
    if not any(c.i < cue.i for c in comps):
        return None
    for c in comps:
        if c.i <= cue.i:
            continue
        subj = next((g for g in c.children if g.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None and subj.left_edge.i == cue.i + 1 and subj.pos_ == "PROPN":
            return subj
    return None


#: verbs whose subject is raised from their complement: "X seems to", "it appears that"
RAISING_LEMMAS = frozenset({"seem", "appear"})


def not_the_speaker(cue: Token, lemma: str, subj: Token) -> bool:
    """Whether the cue's subject is not its source: a raising verb, or a passive without
    "by" ("is expected to", "was asked about", "Asked about X, she ...", "best known for").

    PolNeAR train leaves these sources empty: 98% of passive "expected", 90% of passive
    "asked", 77-90% of "seem" / "appear" forms.
    """
    if lemma in RAISING_LEMMAS:
        return True
    if (
        cue.tag_ == "VBD"
        and cue.dep_ == "advcl"
        and cue.i < cue.head.i
        and not any(c.dep_ in _SUBJ_DEPS for c in cue.children)
    ):
        # a fronted reduced passive the tagger read as a past tense: "Asked what he thinks,
        # Putin said …" (Putin was asked; he is not the asker)
        return True
    if cue.tag_ != "VBN" or _agent(cue) is not None:
        return False
    if subj.dep_ == "nsubjpass" and subj.head.i == cue.i:
        return True
    if any(c.dep_ == "auxpass" for c in cue.children):
        return True
    # a reduced passive clause: "Asked about the vote, she pointed to ..."
    return cue.dep_ in ("advcl", "acl") and not any(c.dep_ in _SUBJ_DEPS for c in cue.children)


def _has_xcomp(cue: Token) -> bool:
    return any(c.dep_ == "xcomp" and c.i > cue.i for c in cue.children)


def _left_noun(cue: Token) -> Token | None:
    """The noun phrase just left of the cue, when the parse gave it no subject:
    "...Zika Virus\nChris Christie said he would ..." -> "Christie"."""
    doc = cue.doc
    i = cue.i - 1
    while i >= 0 and doc[i].dep_ in ("aux", "neg", "advmod") and cue.i - i <= 3:
        i -= 1
    if i < 0:
        return None
    tok = doc[i]
    if tok.pos_ in ("PROPN", "PRON") or (tok.pos_ == "NOUN" and tok.tag_ != "NNS"):
        return tok if tok.dep_ != "poss" else None
    return None


def _agent(tok: Token) -> Token | None:
    for child in tok.children:
        if child.dep_ == "agent":
            for grand in child.children:
                if grand.dep_ == "pobj":
                    return grand
    return None


def source_tokens(head: Token, stop: Token) -> list[Token]:
    """The source phrase headed by ``head``, without relative clauses, never
    reaching into the cue ``stop`` ("A video of the hearing, which residents
    shared, shows ..." -> "A video of the hearing")."""
    skip = {t.i for d in head.subtree if d.dep_ == "relcl" for t in d.subtree}
    toks = []
    for t in head.subtree:
        if t.i == stop.i:
            break
        if t.i not in skip:
            toks.append(t)
    while len(toks) > 1 and (toks[-1].is_punct or toks[-1].is_space):
        toks.pop()
    return toks or [head]


# --------------------------------------------------------------------------- one cue's parts


@dataclass(slots=True)
class _Speaker:
    """The source chosen for a verb or noun cue, before its phrase is cut."""

    head: Token | None
    #: token ids the source's phrase takes, which the content must leave out
    claimed: set[int]
    #: a raised subject that belongs to the content: "The House is expected to vote"
    raised: list[Token]


@dataclass(slots=True)
class _Content:
    """The content chosen for a cue: its spans, the quotes among them, and the verb the
    cue controls when the content hangs from it ("declined to comment on X")."""

    spans: list[Char]
    quotes: list[Char]
    chain: list[Token]


def _subject_child(cue: Token) -> Token | None:
    """The cue's own (non-clausal) subject, the last when there are several."""
    src = None
    for child in cue.children:
        if child.dep_ in _SUBJ_DEPS and child.dep_ != "csubj":
            src = child
    return src


def _cited_attribution(cue: Token, prob: float, para: list[int]) -> Found | None:
    """ "Citing anonymous officials, U.S. media reported ...": the cited speak; the content
    is the outer attribution's, given when the two are nested."""
    if cue.pos_ == "NOUN" or cue.lemma_.lower() not in CITING_LEMMAS:
        return None
    if cue.dep_ not in ("advcl", "xcomp", "conj", "acl"):
        return None
    subj = _subject_child(cue)
    if subj is not None and subj.dep_ == "nsubjpass":
        return None
    src = next((c for c in cue.children if c.dep_ == "dobj"), None)
    if src is None:
        return None
    return Found(
        kind="indirect",
        cue=_cue_tokens(cue),
        content=[],
        source=[t for t in src.subtree if para[t.i] == para[cue.i]],
        source_head=src,
        confidence=prob,
        cue_head=cue,
    )


def _choose_source_head(cue: Token, lemma: str, cue_ids: set[int], para: list[int]) -> _Speaker:
    """The head of the cue's source: a noun cue's owner or "by" phrase; a verb's subject,
    the agent of a passive, an inverted subject ('"…," said Dana Ortiz'), or the subject
    reached up the tree; none when the subject is not the speaker."""
    if cue.pos_ == "NOUN":
        owner = _noun_source(cue)
        return _Speaker(owner, _claimed_by(owner, cue), [])
    claimed: set[int] = set()
    src = _subject_child(cue)
    if src is not None and src.dep_ == "nsubjpass":
        src = _agent(cue) or src  # "The closure was announced by the mayor"
    if src is None:
        src = _inverted_subject(cue)
        if src is not None:
            # '"…," said Dana Ortiz, who heads the Harbor Fund.' parsed with Ortiz as the
            # subject of a second complement: that complement is the source's phrase
            claimed.update(t.i for t in src.head.subtree if t.i != cue.i)
    if src is None:
        src = _agent(cue) or subject_of(cue, cue_ids)
        if src is not None and para[src.i] != para[cue.i]:
            # the parser reached across a line break for the subject: take the noun
            # right before the cue instead ("...into the U.S.\nChris Christie added ...")
            src = _left_noun(cue)
    raised: list[Token] = []
    if src is not None and not_the_speaker(cue, lemma, src):
        # "The House is expected to vote", "No polls appear to have been done", "Rubio was
        # asked about X": the subject did not say it; a raised subject belongs to the content
        if src.i < cue.i and (lemma in RAISING_LEMMAS or _has_xcomp(cue)):
            raised = [t for t in src.subtree if t.i < cue.i]
        src = None
    return _Speaker(src, claimed | _claimed_by(src, cue), raised)


def _claimed_by(src: Token | None, cue: Token) -> set[int]:
    """The token ids of the source's phrase, short of the cue and what it governs."""
    if src is None:
        return set()
    return {t.i for t in src.subtree if t.i != cue.i and cue not in t.ancestors}


def _choose_content(
    text: str,
    cue: Token,
    lemma: str,
    quotes: Sequence[Quote],
    exclude: set[int],
    raised: list[Token],
    para: list[int],
) -> _Content | None:
    """What the cue's source says: the tokens the cue governs, in the cue's paragraph,
    else a quote beside the cue; stretched over the quotes it overlaps."""
    content_toks, chain = _content_tokens(cue, lemma, exclude, raised)
    # the parser sometimes reaches across a paragraph break: content does not
    here = para[cue.i]
    content = _runs(t for t in content_toks if para[t.i] == here)
    if not content:
        # 4. a quote right beside the cue's clause: '"Is that all?" Trump said.'
        #    (the parser split the sentence after "?") or 'said "..."'
        near = _adjacent_quote(text, cue, quotes)
        if near is None:
            return None
        content = [near]
    spans, quote_spans = _snap_to_quotes(content, quotes, cue)
    return _Content(spans, quote_spans, chain)


#: verbs that utter the stance their object names: "voiced hope that", "expressed concern"
STANCE_VERBS = frozenset({"voice", "express", "register", "raise", "reiterate"})
#: the confidence of a "voiced hope that ..." the cue model scored below its threshold
STANCE_CONFIDENCE = 0.8
#: nouns of a stance held or voiced, whose that-clause is what is held
STANCE_NOUNS = frozenset(
    {"hope", "concern", "fear", "confidence", "doubt", "belief", "optimism", "worry",
     "conviction", "view", "expectation", "frustration", "skepticism", "scepticism"}
)  # fmt: skip


def _stance_clause(noun: Token) -> Token | None:
    """The "that" clause of a stance noun ("hope that relations would improve")."""
    for c in noun.children:
        if (
            c.dep_ in ("acl", "ccomp", "relcl")
            and c.i > noun.i
            and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
            and any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children)
        ):
            return c
    return None


def _stance_noun(cue: Token) -> Token | None:
    """The stance noun a verb of voicing takes, when a that-clause says what it is:
    "voiced hope that ...", "expressed confidence that ..."."""
    if cue.pos_ != "VERB" or cue.lemma_.lower() not in STANCE_VERBS:
        return None
    for c in cue.children:
        if c.dep_ == "dobj" and c.lemma_.lower() in STANCE_NOUNS and _stance_clause(c):
            return c
    return None


def _content_tokens(
    cue: Token, lemma: str, exclude: set[int], raised: list[Token]
) -> tuple[list[Token], list[Token]]:
    """The content's tokens, and the controlled verb joining the cue (if any): what the
    cue governs, else what the verb it controls governs, else the clause it comments on.

    ``exclude`` grows with the comma-set tails left out of an object (``_governed``)."""
    stance = _stance_noun(cue)
    if stance is not None:
        # "voiced hope that relations would improve": the clause, the noun joining the cue
        clause = _stance_clause(stance)
        if clause is not None:
            return _subtree(clause, exclude), [stance]
    content_toks = _governed(cue, lemma, exclude)
    if content_toks and raised:
        content_toks = raised + content_toks
    chain: list[Token] = []
    if not content_toks:
        # "declined to comment on X", "continued to call for X": the content is
        # governed by the verb the cue controls, which joins the cue
        inner = next((c for c in cue.children if c.dep_ == "xcomp" and c.i > cue.i), None)
        if inner is not None and inner.i not in exclude:
            content_toks = _governed(inner, inner.lemma_.lower(), exclude | {inner.i})
            if content_toks:
                chain = [inner] + [c for c in inner.children if c.dep_ in ("aux", "prt")]
    if not content_toks:
        # 3. the cue comments on the clause it hangs from ("..., he said", "as X noted")
        head = cue.head
        if cue.dep_ in _PAREN_DEPS and head is not cue:
            skip = exclude | {t.i for t in cue.subtree}
            content_toks = _subtree(head, skip)
    return content_toks, chain


def _source_phrase(
    src: Token | None, cue: Token, content: list[Char], para: list[int]
) -> list[Token]:
    """The source's tokens: its phrase within the cue's paragraph, outside the content."""
    if src is None:
        return []
    here = para[cue.i]
    return [
        t
        for t in source_tokens(src, cue)
        if para[t.i] == here and not any(s <= t.idx < e for s, e in content)
    ]


def _choose_cue(cue: Token, chain: list[Token]) -> list[Token]:
    """The cue's tokens: its head with auxiliaries and particles, and a controlled verb."""
    return sorted([*_cue_tokens(cue), *chain], key=lambda t: t.i)


def _dates_by_token(doc: Doc) -> dict[int, Span]:
    """Each token inside a DATE entity, mapped to that entity."""
    return {i: ent for ent in doc.ents if ent.label_ == "DATE" for i in range(ent.start, ent.end)}


# --------------------------------------------------------------------------- stage


class Attributor:
    """The attribute stage: ``attributor(doc, quotes) -> list[Found]``."""

    def __init__(self, cue_model: CueModel | None = None) -> None:
        self.cue_model = cue_model or CueModel.load()

    # -- cues ----------------------------------------------------------------

    def score_cues(self, doc: Doc, quotes: Sequence[Quote]) -> list[tuple[Token, float]]:
        """Every candidate cue head with its probability, in document order."""
        model = self.cue_model
        dense = model.dense_scores(doc)
        return [
            (tok, model.probability(feats, float(dense[tok.i]) if dense is not None else 0.0))
            for tok, feats in candidate_features(doc, quotes, model.lemmas)
        ]

    # -- the whole stage -----------------------------------------------------

    def __call__(
        self,
        doc: Doc,
        quotes: Sequence[Quote],
        text: str | None = None,
        *,
        threshold: float | None = None,
        scores: Sequence[tuple[Token, float]] | None = None,
    ) -> list[Found]:
        """The attributions of ``doc``, from the cue candidates scoring at least ``threshold``
        (default: the cue model's own); ``scores`` are ``score_cues``' result when the caller
        has it already (accurate mode reads them again)."""
        text = doc.text if text is None else text
        cues = self._confident_cues(doc, quotes, threshold, scores)
        found, by_cue = self._build_all(doc, text, quotes, cues)
        self._continue_quotes(text, found, quotes)
        found += _signed_quotes(doc, text, quotes, found)
        self._nest(found, by_cue)
        return _without_nested(found)

    def _confident_cues(
        self,
        doc: Doc,
        quotes: Sequence[Quote],
        threshold: float | None,
        scores: Sequence[tuple[Token, float]] | None,
    ) -> list[tuple[Token, float]]:
        """The cue candidates scoring at least ``threshold`` (default: the model's own)."""
        if threshold is None:
            threshold = self.cue_model.threshold
        if scores is None:
            scores = self.score_cues(doc, quotes)
        return [
            (t, p if p >= threshold else max(p, STANCE_CONFIDENCE))
            for t, p in scores
            if p >= threshold or _stance_noun(t) is not None
        ]

    def _build_all(
        self,
        doc: Doc,
        text: str,
        quotes: Sequence[Quote],
        cues: Sequence[tuple[Token, float]],
    ) -> tuple[list[Found], dict[int, int]]:
        """One attribution per cue that has content, dated; and the index of each by its
        cue head's token index."""
        dates = _dates_by_token(doc)
        cue_ids = {t.i for t, _ in cues}
        para = _paragraphs(doc)
        found: list[Found] = []
        by_cue: dict[int, int] = {}
        for tok, prob in cues:
            item = self._build(doc, text, tok, prob, quotes, cue_ids, para)
            if item is None:
                continue
            item.time = _time_of(tok, dates)
            by_cue[tok.i] = len(found)
            found.append(item)
        return found, by_cue

    def _build(
        self,
        doc: Doc,
        text: str,
        cue: Token,
        prob: float,
        quotes: Sequence[Quote],
        cue_ids: set[int],
        para: list[int],
    ) -> Found | None:
        """The attribution of one cue: its source's head first (what it claims is not
        content), then the content, then the source phrase, the cue and the kind."""
        if cue.lower_ == "according":
            return self._according_to(doc, cue, prob, para)
        if cue.text == ":":
            return self._colon(doc, cue, prob, quotes)
        cited = _cited_attribution(cue, prob, para)
        if cited is not None:
            return cited
        lemma = cue.lemma_.lower()
        # another cue hanging beside this one ("..., adding that ...") is not content
        exclude = {cue.i} | {i for i in cue_ids if i != cue.i and doc[i].dep_ in _SIBLING_CUE_DEPS}
        speaker = _choose_source_head(cue, lemma, cue_ids, para)
        exclude |= speaker.claimed
        chosen = _choose_content(text, cue, lemma, quotes, exclude, speaker.raised, para)
        if chosen is None:
            return None
        return Found(
            kind=attribution_kind(lemma, chosen.spans, chosen.quotes),
            cue=_choose_cue(cue, chosen.chain),
            content=chosen.spans,
            source=_source_phrase(speaker.head, cue, chosen.spans, para),
            source_head=speaker.head,
            quotes=chosen.quotes,
            confidence=prob,
            cue_head=cue,
        )

    def _according_to(self, doc: Doc, cue: Token, prob: float, para: list[int]) -> Found | None:
        according = cue if cue.lower_ == "according" else cue.head
        to = next((c for c in according.children if c.lower_ == "to"), None)
        pobj = None
        if to is not None:
            pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        cue_toks = [according] + ([to] if to is not None else [])
        head = according.head
        skip = {t.i for t in according.subtree}
        if head is according:
            return None
        here = para[according.i]
        content = _runs(t for t in _subtree(head, skip) if para[t.i] == here)
        if not content:
            return None
        source = list(pobj.subtree) if pobj is not None else []
        return Found(
            kind="according_to",
            cue=cue_toks,
            content=content,
            source=source,
            source_head=pobj,
            confidence=prob,
            cue_head=according,
        )

    def _colon(self, doc: Doc, cue: Token, prob: float, quotes: Sequence[Quote]) -> Found | None:
        # "X added: "..."" - the colon is the cue only when a quote follows it;
        # "Carson: Cruz taking approach" - or it follows a name opening a line
        follow = next((q for q in quotes if 0 <= q.start - (cue.idx + 1) <= 2), None)
        if follow is None:
            return self._headline_colon(doc, cue, prob)
        sent = cue.sent
        src = None
        for t in sent:
            if t.i >= cue.i:
                break
            if t.dep_ in _SUBJ_DEPS:
                src = t
        return Found(
            kind="direct",
            cue=[cue],
            content=[(follow.start, follow.end)],
            source=source_tokens(src, cue) if src is not None else [],
            source_head=src,
            quotes=[(follow.start, follow.end)],
            confidence=prob,
            cue_head=cue,
        )

    def _headline_colon(self, doc: Doc, cue: Token, prob: float) -> Found | None:
        """ "Report: Walker to speak at convention" / "Carson: Cruz taking ..."."""
        start = cue.i
        while start > 0 and "\n" not in doc[start - 1].text and cue.i - start < 4:
            start -= 1
        if start > 0 and "\n" not in doc[start - 1].text:
            return None
        name = [t for t in doc[start : cue.i] if not t.is_space]
        if not name or any(t.pos_ not in ("PROPN", "NOUN") for t in name):
            return None
        end = cue.i + 1
        while end < len(doc) and "\n" not in doc[end].text:
            end += 1
        content = _runs(doc[cue.i + 1 : end])
        if not content:
            return None
        return Found(
            kind="indirect",
            cue=[cue],
            content=content,
            source=name,
            source_head=name[-1],
            confidence=prob,
            cue_head=cue,
        )

    # -- quotes that run on ----------------------------------------------------

    def _continue_quotes(self, text: str, found: list[Found], quotes: Sequence[Quote]) -> None:
        """Extend a direct quote over the quoted sentences that follow it.

        ""...," Putin said. "Either they ..."" and a quote whose paragraph ends
        open and whose next paragraph opens again belong to the same content,
        until another attribution or unquoted text intervenes.
        """
        if not quotes:
            return
        claimed = [(s, e) for f in found for s, e in f.content]
        claimed += [(t.idx, t.idx + len(t.text)) for f in found for t in f.cue]
        starts = sorted(claimed)

        def is_claimed(s: int, e: int) -> bool:
            return any(a < e and s < b for a, b in starts)

        cue_heads = sorted(f.cue_head.i for f in found if f.cue_head is not None)
        for item in found:
            if not item.quotes or item.kind not in ("direct", "mixed") or item.cue_head is None:
                continue
            sent = item.cue_head.sent
            # '"...," Christie said, adding that ...': what follows belongs to "adding"
            if any(item.cue_head.i < i < sent.end for i in cue_heads):
                continue
            last = next((t for t in reversed(sent) if not t.is_space), sent[-1])
            sent_end = last.idx + len(last.text)
            last_end = max(sent_end, *(e for _, e in item.content))
            last_closed = True
            for q in quotes:
                if q.start < last_end:
                    if q.end > last_end and q.start < sent_end:
                        last_closed = q.closed
                    continue
                gap = text[last_end : q.start]
                if gap.strip():
                    break
                # a new paragraph continues the quote only when the last one ran open
                if "\n" in gap and last_closed:
                    break
                if is_claimed(q.start, q.end):
                    break
                item.content = merge_spans([*item.content, (q.start, q.end)])
                item.quotes = merge_spans([*item.quotes, (q.start, q.end)])
                last_end = q.end
                last_closed = q.closed

    # -- nesting ---------------------------------------------------------------

    def _nest(self, found: list[Found], by_cue: dict[int, int]) -> None:
        """ "Citing X, Y reported ..." -> Y's attribution goes via X's."""
        for idx, item in enumerate(found):
            head = item.cue_head
            if head is None:
                continue
            lemma = head.lemma_.lower()
            if lemma not in CITING_LEMMAS:
                continue
            outer_tok = head.head
            while outer_tok.i not in by_cue and outer_tok.head is not outer_tok:
                if outer_tok.dep_ in ("ROOT",):
                    break
                outer_tok = outer_tok.head
            outer = by_cue.get(outer_tok.i)
            if outer is None or outer == idx or not found[outer].content:
                continue
            found[outer].via = idx
            # the cited source says what the outer source reports
            item.content = list(found[outer].content)
            item.kind = found[outer].kind


_QUOTE_TOKENS = frozenset({'"', "“", "”", "''", "``", "«", "»", "'"})


def candidate_features(
    doc: Doc, quotes: Sequence[Quote], lemmas: frozenset[str] | None = None
) -> list[tuple[Token, list[str]]]:
    """The cue candidates of a document with their features (run time and training alike)."""
    in_quote = _quote_mask(doc, quotes)
    sent_has_quote = [False] * len(doc)
    if any(in_quote):
        for sent in doc.sents:
            if any(in_quote[sent.start : sent.end]):
                sent_has_quote[sent.start : sent.end] = [True] * (sent.end - sent.start)
    out = []
    n = len(doc)
    for i in _lemma_positions(doc, lemmas):
        tok = doc[i]
        if not is_candidate(tok):
            continue
        near = any(
            doc[j].text in _QUOTE_TOKENS for j in range(max(0, i - 3), min(n, i + 3)) if j != i
        )
        out.append((tok, cue_features(tok, in_quote[i], near, sent_has_quote[i])))
    return out


def _lemma_positions(doc: Doc, lemmas: frozenset[str] | None) -> Iterable[int]:
    """Positions of the tokens whose lower-cased lemma is in ``lemmas`` (all when None).

    Read from the document's lemma array, each distinct lemma looked up once:
    no ``Token`` object is made for the other nine tokens in ten.
    """
    if lemmas is None:
        return range(len(doc))
    from spacy.attrs import LEMMA

    strings = doc.vocab.strings
    wanted: dict[int, bool] = {}
    out = []
    for i, h in enumerate(doc.to_array(LEMMA).tolist()):
        keep = wanted.get(h)
        if keep is None:
            keep = wanted[h] = strings[h].lower() in lemmas
        if keep:
            out.append(i)
    return out


def _quote_mask(doc: Doc, quotes: Sequence[Quote]) -> list[bool]:
    mask = [False] * len(doc)
    if not quotes:
        return mask
    from spacy.attrs import IDX

    qi = 0
    for i, idx in enumerate(doc.to_array(IDX).tolist()):
        while qi < len(quotes) and quotes[qi].end <= idx:
            qi += 1
        if qi < len(quotes) and quotes[qi].start < idx < quotes[qi].end - 1:
            mask[i] = True
    return mask


def _snap_to_quotes(
    content: list[Char], quotes: Sequence[Quote], cue: Token
) -> tuple[list[Char], list[Char]]:
    """Stretch content over quotes it overlaps; return the content and its quotes."""
    cue_start = cue.idx
    inside: list[Char] = []
    spans = list(content)
    lo = min(s for s, _ in spans)
    hi = max(e for _, e in spans)
    for q in quotes:
        if q.end <= lo or q.start >= hi:
            continue
        if q.start <= cue_start < q.end:
            continue
        inside.append((q.start, q.end))
        spans.append((q.start, q.end))
    return merge_spans(spans), merge_spans(inside)


def _without_nested(found: list[Found]) -> list[Found]:
    """Drop attributions left without content, and those whose cue sits inside
    another attribution's content ("Ushakov said that Putin was talking about
    ..." is Ushakov's statement, not Putin's); renumber ``via`` links."""
    spans = [(s, e, i) for i, f in enumerate(found) for s, e in f.content if f.via is None]
    keep: list[int] = []
    for i, f in enumerate(found):
        if not f.content:
            continue
        if f.cue_head is not None:
            at = f.cue_head.idx
            if any(s <= at < e and j != i and found[j].via != i for s, e, j in spans):
                continue
        keep.append(i)
    new_index = {old: new for new, old in enumerate(keep)}
    out = []
    for old in keep:
        f = found[old]
        f.via = new_index.get(f.via) if f.via is not None else None
        out.append(f)
    return out


#: what may stand between a cue and the quote it introduces: 'added again: "'
_QUOTE_GAP = re.compile(r"[ ,]*(?:[A-Za-z]+[ ,]*)?:?\s*")


#: what a signed quote's dash may be: '"..." — Commissioner X', '"..." -- X'
_SIGNATURE_DASH = re.compile(r"[ \t]*(?:—|–|--?)[ \t]*")
#: how sure a signed quote is: the layout says who, no cue model is asked
SIGNED_CONFIDENCE = 0.9


def _name_tokens(toks: Sequence[Token]) -> list[Token] | None:
    """The tokens of a speaker's name written alone ("Commissioner Tomas Reyes", "the
    chairwoman, Ines Okafor"): ending in a person's or an organization's name, with no
    verb among them; None when they are not."""
    toks = [t for t in toks if not t.is_space]
    while toks and (toks[-1].is_punct or toks[-1].is_space):
        toks = toks[:-1]
    if not toks or len(toks) > 8 or any(t.pos_ in ("VERB", "AUX") for t in toks):
        return None
    last = toks[-1]
    if last.pos_ != "PROPN" or last.ent_type_ not in ("PERSON", "ORG", "NORP"):
        return None
    start = len(toks) - 1
    while start > 0 and toks[start - 1].pos_ == "PROPN":
        start -= 1
    while start > 0 and toks[start - 1].pos_ == "NOUN" and toks[start - 1].dep_ == "compound":
        start -= 1  # "Harbor commissioner Tomas Reyes": the title goes with the name
    return toks[start:]


def _signed_quotes(
    doc: Doc, text: str, quotes: Sequence[Quote], found: Sequence[Found]
) -> list[Found]:
    """Quotations signed by layout, no verb: '"..." — Commissioner X' (a dash and a name
    after the quote, to the end of its line) and 'And from the chairwoman, X: "..."' (a
    name and a colon before it, no verb). Quotes another attribution has are left alone."""
    if not quotes:
        return []
    taken = [(a, b) for f in found for a, b in f.content]
    by_char: dict[int, Token] = {t.idx: t for t in doc}
    out: list[Found] = []

    def tokens(start: int, end: int) -> list[Token]:
        return [t for t in doc if start <= t.idx < end]

    for q in quotes:
        if not q.closed or any(a < q.end and q.start < b for a, b in taken):
            continue
        line_end = text.find("\n", q.end)
        line_end = len(text) if line_end < 0 else line_end
        dash = _SIGNATURE_DASH.match(text, q.end, line_end)
        if (
            dash is not None
            and dash.end() > dash.start()
            and text[dash.start() : dash.end()].strip()
        ):
            name = _name_tokens(tokens(dash.end(), line_end))
            cue = by_char.get(text.index(text[dash.start() : dash.end()].strip(), dash.start()))
            if name is not None and cue is not None:
                out.append(_signed(q, cue, name))
                continue
        before = text[: q.start].rstrip(" \t\n")
        if not before.endswith(":"):
            continue
        colon = by_char.get(len(before) - 1)
        if colon is None:
            continue
        sent_start = colon.sent.start_char
        clause = tokens(max(sent_start, text.rfind("\n", 0, colon.idx) + 1), colon.idx)
        name = _name_tokens(clause)
        if name is not None:
            out.append(_signed(q, colon, name))
    return out


def _signed(q: Quote, cue: Token, name: list[Token]) -> Found:
    return Found(
        kind="direct",
        cue=[cue],
        content=[(q.start, q.end)],
        source=name,
        source_head=name[-1],
        quotes=[(q.start, q.end)],
        confidence=SIGNED_CONFIDENCE,
        cue_head=cue,
    )


def _is_time(prep: Token) -> bool:
    """Whether a prepositional phrase says when ("on Friday", "for two years"): never content."""
    return any(c.dep_ == "pobj" and c.ent_type_ in ("DATE", "TIME") for c in prep.children)


def _is_when(prep: Token) -> bool:
    """Whether a prepositional phrase says when or where ("on Wednesday", "in Ohio")."""
    for child in prep.children:
        if child.dep_ == "pobj":
            return child.ent_type_ in ("DATE", "TIME", "GPE", "LOC", "FAC", "EVENT")
    return False


def _paragraphs(doc: Doc) -> list[int]:
    """The paragraph number of every token (a paragraph ends at a line break)."""
    from spacy.attrs import ORTH

    # a token's trailing white space is one space at most: line breaks are in token texts
    strings = doc.vocab.strings
    breaks: dict[int, bool] = {}
    out = []
    n = 0
    for h in doc.to_array(ORTH).tolist():
        out.append(n)
        has = breaks.get(h)
        if has is None:
            has = breaks[h] = "\n" in strings[h]
        if has:
            n += 1
    return out


def _adjacent_quote(text: str, cue: Token, quotes: Sequence[Quote]) -> Char | None:
    """A quote that ends just before the cue's sentence, or starts just after the cue."""
    sent_start = cue.sent.start_char
    after_cue = cue.idx + len(cue.text)
    for q in quotes:
        if q.end <= sent_start and not text[q.end : sent_start].strip(" \t"):
            return (q.start, q.end)
        gap = text[after_cue : q.start]
        if q.start >= after_cue and _QUOTE_GAP.fullmatch(gap):
            return (q.start, q.end)
        if q.start > after_cue + 20:
            break
    return None


def attribution_kind(lemma: str, content: list[Char], quotes: list[Char]) -> str:
    if lemma in BELIEF_LEMMAS:
        return "belief"
    if not quotes:
        return "indirect"
    total = sum(e - s for s, e in content)
    quoted = sum(e - s for s, e in quotes)
    return "direct" if quoted >= 0.9 * total else "mixed"


def _cue_tokens(cue: Token) -> list[Token]:
    """The cue head with its auxiliaries, negation and particles ("has not said")."""
    toks = [cue]
    for child in cue.children:
        if child.dep_ in _CUE_MODIFIERS and abs(child.i - cue.i) <= 3 and child.pos_ != "PUNCT":
            if child.dep_ == "advmod" and child.lower_ not in ("also", "not", "never", "later"):
                continue
            toks.append(child)
    toks.sort(key=lambda t: t.i)
    # keep only the contiguous run around the head
    run = [cue]
    for t in sorted((t for t in toks if t.i < cue.i), key=lambda t: -t.i):
        if run[0].i - t.i == 1:
            run.insert(0, t)
    for t in (t for t in toks if t.i > cue.i):
        if t.i - run[-1].i == 1:
            run.append(t)
    return run


def _noun_source(cue: Token) -> Token | None:
    """Source of a noun cue: "Trump's statement", "a statement by the mayor"."""
    for child in cue.children:
        if child.dep_ == "poss":
            return child
    for child in cue.children:
        if child.dep_ == "prep" and child.lower_ in ("by", "from"):
            for grand in child.children:
                if grand.dep_ == "pobj":
                    return grand
    if cue.dep_ in ("dobj", "pobj", "attr"):
        verb = cue.head if cue.dep_ != "pobj" else cue.head.head
        for child in verb.children:
            if child.dep_ in _SUBJ_DEPS:
                return child
    return None


def _time_of(cue: Token, dates: dict[int, Span]) -> Span | None:
    """A DATE entity that dates the statement: "said on May 16", "said Tuesday"."""
    for child in cue.children:
        target = child
        if child.dep_ == "prep" and child.lower_ in ("on", "in", "at", "during"):
            target = next((g for g in child.children if g.dep_ == "pobj"), child)
        elif child.dep_ not in ("npadvmod", "nmod", "advmod", "tmod"):
            continue
        if target.i in dates:
            return dates[target.i]
    return None

"""Features of a parsed token, shared by the cue model at run time and in training.

Both sides must compute exactly the same strings, so they live here and
nowhere else. Everything is read off the spaCy parse that the pipeline
already paid for; nothing here costs more than a few attribute lookups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Token

#: parts of speech that can head a cue
CUE_POS = frozenset({"VERB", "NOUN", "ADJ", "AUX", "ADP", "PROPN", "PUNCT"})
_SUBJ = ("nsubj", "nsubjpass", "csubj", "expl")


def is_candidate(tok: Token) -> bool:
    """Whether ``tok`` is worth asking the cue model about."""
    pos = tok.pos_
    if pos not in CUE_POS:
        return False
    if pos == "PUNCT":
        return tok.text == ":"
    if pos == "ADP":
        return tok.lower_ == "according"
    if pos == "AUX":
        return tok.dep_ == "ROOT"
    return pos != "PROPN"


def _subject_class(tok: Token) -> str:
    if tok.pos_ == "PRON":
        return "PRON:" + tok.lower_
    if tok.ent_type_:
        return "ENT:" + tok.ent_type_
    return "NOUN:" + tok.lemma_.lower()


def cue_features(tok: Token, in_quote: bool, quote_near: bool, sent_quote: bool) -> list[str]:
    """The feature strings of a cue candidate."""
    lemma = tok.lemma_.lower()
    pos = tok.pos_
    dep = tok.dep_
    head = tok.head
    feats = [
        "bias",
        "l=" + lemma,
        "lp=" + lemma + "|" + pos,
        "t=" + tok.tag_,
        "d=" + dep,
        "ld=" + lemma + "|" + dep,
        "hd=" + dep + "|" + head.pos_,
        "hl=" + head.lemma_.lower(),
        "lhl=" + lemma + "|" + head.lemma_.lower(),
        "dd=" + dep + "|" + head.dep_,
        "ldd=" + lemma + "|" + dep + "|" + head.dep_,
    ]
    child_deps = set()
    for child in tok.children:
        cdep = child.dep_
        if cdep == "punct" and child.text in ":,":
            side = "L" if child.i < tok.i else "R"
            feats.append("cp=" + child.text + side)
            continue
        child_deps.add(cdep)
        if cdep in _SUBJ:
            sc = _subject_class(child)
            feats.append("subj=" + sc)
            feats.append("lsubj=" + lemma + "|" + sc.split(":", 1)[0])
        elif cdep in ("ccomp", "xcomp", "dobj", "prep", "agent", "dative", "advcl", "mark"):
            feats.append("lc=" + lemma + "|" + cdep + "|" + child.lemma_.lower())
            if child.i < tok.i:
                feats.append("cbefore=" + cdep)
            if cdep == "ccomp":
                # "said that ...", "asked whether ...", or no complementizer
                mark = next((g.lower_ for g in child.children if g.dep_ == "mark"), "-")
                feats.append("cmark=" + mark)
                feats.append("lcmark=" + lemma + "|" + mark)
            elif cdep == "dobj":
                feats.append("obj=" + (child.ent_type_ or child.pos_))
    for cdep in child_deps:
        feats.append("cd=" + cdep)
        feats.append("lcd=" + lemma + "|" + cdep)
    if "ccomp" in child_deps and ("nsubj" in child_deps or "nsubjpass" in child_deps):
        feats.append("subj+ccomp")
    if in_quote:
        feats.append("inq")
        feats.append("inq|" + lemma)
    if quote_near:
        feats.append("qnear")
        feats.append("qnear|" + lemma)
    if sent_quote:
        feats.append("sq")
    doc = tok.doc
    if tok.i > 0:
        prev = doc[tok.i - 1]
        feats.append("p1=" + prev.lower_)
        feats.append("p1l=" + prev.lower_ + "|" + lemma)
    if tok.i + 1 < len(doc):
        nxt = doc[tok.i + 1]
        feats.append("n1=" + nxt.lower_)
        feats.append("n1l=" + lemma + "|" + nxt.lower_)
    if tok.is_sent_start:
        feats.append("first")
    return feats

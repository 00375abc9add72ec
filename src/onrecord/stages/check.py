"""Check: a second look at every attribution found, on the parse already made.

The attribute stage proposes (source, cue, content) triples; on the open web many of them
are not attributions at all: narration with an action verb ("the company launched a
phone"), the author's own voice ("I think", "we hope you enjoy"), a verb whose object is
only a topic ("she spoke about her childhood"), page furniture ("How to get help: call
…"). This stage looks at each found attribution once more. No model runs here: the rules
(``verdict``) read the cue's lemma class, what the cue governs (a clause, a quotation, an
infinitive, a question or a bare noun phrase), who the source is and the sentence it stands
in; the word lists are data, in ``lexicon``.

What a verdict does (``decide``) depends on the document: page furniture is always dropped;
in a text that reports no speech at all (a product page, a recipe) every verdict drops; in
one that reports little, the narrator's voice and narration verbs drop; elsewhere (news,
where PolNeAR annotates "X endorsed Y" and "we know that …" as attributions) a doubted
attribution stays with half its confidence, for consumers to filter.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from onrecord.stages import lexicon as lx

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from onrecord.stages.attribute import Found
    from onrecord.stages.quotes import Quote


@dataclass(slots=True)
class Facts:
    """What the check reads of one found attribution."""

    lemma: str
    kind: str
    quoted: bool  # the content holds a quotation
    content: str  # "clause" | "infinitive" | "nonfinite" | "wh" | "np" | "none"
    source: str  # "none" | "first" | "second" | "pronoun" | "noun" | "name"
    cue_in_quote: bool
    confidence: float
    #: the content is the clause the cue hangs from ("..., he said"), not one it governs
    parenthetical: bool = False
    #: the cue's sentence is page furniture (a link, an address, a credit line)
    furniture: bool = False
    #: the document's say-family attributions per sentence: news reports speech, a
    #: product page, a recipe or a blog post narrates
    speech_rate: float = 1.0
    #: the source's head word and its lemma ("" without a source)
    source_words: tuple[str, ...] = ()
    #: the lemmas of the cue's other verbs ("continued to insist": "insist")
    chain: tuple[str, ...] = ()
    #: the content is a clause right after the cue with no "that" to open it ("The Zentra
    #: supported IDE is one of ...": a parse of a noun phrase as verb and clause)
    bare_clause: bool = False


_FIRST = frozenset({"i", "we", "me", "us", "my", "our", "myself", "ourselves", "i'm", "we're"})
_SECOND = frozenset({"you", "your", "yourself", "yourselves"})
_WH = frozenset({"what", "how", "why", "whether", "if", "who", "when", "where", "which"})
#: an e-mail address, a web address or a phone number
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|https?://|www\.\w|\b\d{3}[-. ]\d{3}[-. ]\d{4}\b")
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _tokens_in(doc: Doc, spans: Sequence[tuple[int, int]]) -> list[Token]:
    out: list[Token] = []
    for s, e in spans:
        span = doc.char_span(s, e, alignment_mode="expand")
        if span is not None:
            out.extend(span)
    return out


def _content_shape(doc: Doc, item: Found) -> str:
    """The content's shape, read off its syntactic head: a finite clause, an infinitive,
    a non-finite verb phrase, an embedded question, or a bare noun phrase (a noun with all
    its modifiers, relative clauses included: "a statement that appeared …" is a noun
    phrase)."""
    toks = [t for t in _tokens_in(doc, item.content) if not t.is_punct and not t.is_space]
    if not toks:
        return "none"
    if toks[0].lower_ in _WH:
        return "wh"
    ids = {t.i for t in toks}
    roots = [t for t in toks if t.head.i not in ids or t.head is t] or toks
    head = max(roots, key=lambda t: t.right_edge.i - t.left_edge.i)
    if head.pos_ in ("VERB", "AUX"):
        deps = {c.dep_: c for c in head.children}
        if head.tag_ in _FINITE or any(
            c.dep_ in ("aux", "auxpass") and c.tag_ in _FINITE for c in head.children
        ):
            return "clause"
        if "mark" in deps and deps["mark"].lower_ == "that":
            return "clause"
        if any(c.lower_ == "to" and c.dep_ == "aux" for c in head.children):
            return "infinitive"
        if any(c.dep_ in ("nsubj", "nsubjpass") for c in head.children):
            return "clause"
        return "nonfinite"
    if any(c.dep_ in ("nsubj", "nsubjpass", "cop") for c in head.children):
        return "clause"  # a verbless or copular clause: "prices (are) high"
    return "np"


def _source_type(item: Found) -> str:
    if not item.source:
        return "none"
    head = item.source_head
    if head is None:
        head = item.source[-1]
    low = head.lower_
    if low in _FIRST:
        return "first"
    if low in _SECOND:
        return "second"
    if head.pos_ == "PRON":
        return "pronoun"
    if head.pos_ == "PROPN" or head.ent_type_ in ("PERSON", "ORG", "NORP", "GPE"):
        return "name"
    return "noun"


class _Sentences:
    """The sentences of a document, found once: which one holds a token, and whether it
    is page furniture (asked of the few that hold a cue)."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        if doc.has_annotation("SENT_START"):
            self.spans = [(sent.start, sent.end) for sent in doc.sents]
        else:
            self.spans = [(0, len(doc))]
        self.starts = [start for start, _ in self.spans]
        self._furniture: dict[int, bool] = {}

    def furniture(self, tok: Token) -> bool:
        n = bisect.bisect_right(self.starts, tok.i) - 1
        if n not in self._furniture:
            start, end = self.spans[n]
            self._furniture[n] = _furniture_text(self.doc[start:end].text)
        return self._furniture[n]


def speech_rate(doc: Doc, found: Sequence[Found], sentences: int | None = None) -> float:
    """Say-family attributions and direct quotes per sentence of ``doc``."""
    n = 0
    for item in found:
        lemma = item.cue_head.lemma_.lower() if item.cue_head is not None else ""
        if item.kind in ("according_to", "direct") or lemma in lx.SAY_LEMMAS:
            n += 1
    if sentences is None:
        sentences = len(_Sentences(doc).spans)
    return n / max(1, sentences)


def facts(
    doc: Doc,
    item: Found,
    quotes: Sequence[Quote],
    rate: float = 1.0,
    sentences: _Sentences | None = None,
) -> Facts:
    """The facts the rules read of ``item`` (``rate``: ``speech_rate`` of its document)."""
    if sentences is None:
        sentences = _Sentences(doc)
    if item.kind == "according_to":
        lemma = "according to"
    elif item.cue_head is not None:
        lemma = item.cue_head.lemma_.lower()
    else:
        lemma = ""
    cue_at = item.cue_head.idx if item.cue_head is not None else -1
    in_quote = any(q.start < cue_at < q.end for q in quotes)
    return Facts(
        lemma=lemma,
        kind=item.kind,
        quoted=bool(item.quotes),
        content=_content_shape(doc, item),
        source=_source_type(item),
        cue_in_quote=in_quote,
        confidence=item.confidence,
        parenthetical=_parenthetical(item),
        furniture=item.cue_head is not None and sentences.furniture(item.cue_head),
        speech_rate=rate,
        source_words=_source_words(item),
        chain=tuple(
            t.lemma_.lower() for t in item.cue if t.pos_ == "VERB" and t is not item.cue_head
        ),
        bare_clause=_bare_clause(doc, item),
    )


def _bare_clause(doc: Doc, item: Found) -> bool:
    """Whether the content is an unquoted clause that opens right after the cue without
    "that", "whether" or a question word."""
    cue = item.cue_head
    if cue is None or item.quotes or not item.content or cue.i + 1 >= len(doc):
        return False
    nxt = doc[cue.i + 1]
    start = min(s for s, _ in item.content)
    if nxt.idx != start or nxt.lower_ in _WH or nxt.lower_ == "that":
        return False
    return nxt.pos_ in ("PROPN", "NOUN", "PRON", "DET", "ADJ", "NUM") and nxt.dep_ in (
        "nsubj",
        "nsubjpass",
        "det",
        "compound",
        "amod",
        "nummod",
    )


def _source_words(item: Found) -> tuple[str, ...]:
    head = item.source_head
    if head is None and item.source:
        head = item.source[-1]
    return (head.lower_, head.lemma_.lower()) if head is not None else ()


def _furniture_text(sent: str) -> bool:
    if _ADDRESS.search(sent):
        return True
    low = sent.lower()
    return any(marker in low for marker in lx.FURNITURE_MARKERS)


def _parenthetical(item: Found) -> bool:
    cue = item.cue_head
    if cue is None or cue.head is cue:
        return False
    at = cue.head.idx
    return any(s <= at < e for s, e in item.content)


#: below this confidence a topic-only attribution is dropped; above it the cue model
#: (learned on news, where "X endorsed Y" is annotated) is trusted. Accurate mode keeps
#: them all: what its tagger confirmed is the annotated kind of "X endorsed Y".
TOPIC_CONFIDENCE = 0.8
TOPIC_CONFIDENCE_ACCURATE = 0.0


def _reporting_lemma(lemma: str) -> bool:
    return (
        lemma in lx.SPEECH_LEMMAS
        or lemma in lx.BELIEF_LEMMAS
        or lemma in lx.NP_CONTENT_LEMMAS
        or lemma in lx.QUESTION_LEMMAS
    )


def _reporting(f: Facts) -> bool:
    """Whether the cue is a verb of saying, asking, thinking or judging (or controls one)."""
    return _reporting_lemma(f.lemma) or any(_reporting_lemma(v) for v in f.chain)


def verdict(f: Facts, topic_confidence: float = TOPIC_CONFIDENCE) -> str | None:
    """Why ``f`` is not an attribution (a short reason), or None to keep it."""
    if f.furniture:
        return "furniture"
    if f.source in ("first", "second") and not f.cue_in_quote:
        return "narrator"  # the author's own voice: "I think", "we hope", "you might say"
    if f.quoted:
        return None
    if f.lemma in lx.EVIDENCE_LEMMAS and any(w in lx.DOCUMENT_NOUNS for w in f.source_words):
        return None  # "the figures show a rise": a document's finding
    reporting = _reporting(f)
    if (
        f.content in ("np", "nonfinite")
        and f.lemma not in lx.NP_CONTENT_LEMMAS
        and f.confidence < topic_confidence
    ):
        return "topic_only"  # "they discussed the budget", "the company launched a phone"
    if not reporting and f.bare_clause and f.content == "clause":
        return "narration"  # "The Zentra supported IDE is ...": no verb of saying governs it
    if not reporting and f.parenthetical:
        return "narration"  # "…, stirring occasionally": an action beside a clause
    if not reporting and f.content == "wh":
        return "narration"  # "ESA investigated how …": an action on a question, no answer
    if not reporting and f.source == "none":
        return "narration"  # "the high was posted early Monday": no one speaks
    return None


#: below this rate of say-family attributions per sentence a document narrates (a product
#: page, a recipe, a blog post): there a narrator or narration verdict drops the attribution
NARRATIVE_RATE = 0.03
#: a document without one say-family attribution reports no speech: there every verdict
#: drops the attribution
SILENT_RATE = 0.005
#: an attribution a rule doubts but does not drop keeps this share of its confidence
DEMOTED = 0.5
#: True: every verdict drops. On the web set attribution precision then rises from 0.67 to
#: about 0.80 (fast mode), but on PolNeAR dev, whose annotation counts "X endorsed Y" and
#: the author's "we know that …", recall on unquoted contents falls from 0.61 to 0.53
STRICT = False


def decide(f: Facts, *, accurate: bool = False) -> str | None:
    """``"drop"``, ``"demote"`` (lower the confidence) or None (keep as it is)."""
    silent = f.speech_rate < SILENT_RATE
    topic = TOPIC_CONFIDENCE_ACCURATE if accurate and not silent else TOPIC_CONFIDENCE
    reason = verdict(f, topic)
    if reason is None:
        return None
    if STRICT or reason == "furniture" or silent:
        return "drop"
    if reason in ("narrator", "narration") and f.speech_rate < NARRATIVE_RATE:
        return "drop"
    return "demote"


def decisions(
    doc: Doc, found: Sequence[Found], quotes: Sequence[Quote], *, accurate: bool = False
) -> list[str | None]:
    """``decide`` for each found attribution."""
    if not found:
        return []
    sentences = _Sentences(doc)
    rate = speech_rate(doc, found, len(sentences.spans))
    return [decide(facts(doc, item, quotes, rate, sentences), accurate=accurate) for item in found]


def check(
    doc: Doc, found: list[Found], quotes: Sequence[Quote], *, accurate: bool = False
) -> list[Found]:
    """The found attributions that pass the check, in order, doubted ones with a lower
    confidence; ``via`` links renumbered (a link to a dropped attribution is cut).
    ``accurate``: the tagger has confirmed them."""
    verdicts = decisions(doc, found, quotes, accurate=accurate)
    for item, v in zip(found, verdicts, strict=True):
        if v == "demote":
            item.confidence *= DEMOTED
    if "drop" not in verdicts:
        return found
    new_index: dict[int, int] = {}
    for old, v in enumerate(verdicts):
        if v != "drop":
            new_index[old] = len(new_index)
    out: list[Found] = []
    for old, item in enumerate(found):
        if verdicts[old] == "drop":
            continue
        if item.via is not None:
            item.via = new_index.get(item.via)
        out.append(item)
    return out

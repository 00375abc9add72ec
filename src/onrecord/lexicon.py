"""Word lists used by the attribute and resolve stages.

Data, not logic: the stages read these sets; nothing here runs. The learned
cue model (``data/cue_model.json``) decides whether a word is a cue in its
context; these lists only say which words are worth asking about and how to
label what is found.
"""

from __future__ import annotations

#: opening mark -> closing marks it pairs with
QUOTE_PAIRS: dict[str, str] = {
    "“": "”",
    "„": "“”",
    "«": "»",
    "»": "«",
    "‹": "›",
    "「": "」",
    "『": "』",
}
#: marks that open and close alike
SYMMETRIC_QUOTES = ('"', "''", "``")
#: every character that may be a double quote mark
QUOTE_CHARS = frozenset('"“”„«»‹›「」『』')

#: verbs of belief, thought and intention: PolNeAR annotates these as
#: attributions; onrecord gives them their own kind ("belief")
BELIEF_LEMMAS = frozenset(
    """believe think feel expect hope want wish fear worry doubt suspect assume
    know consider suppose imagine guess reckon trust understand realize realise
    recognize hold intend plan prefer seem appear""".split()
)

#: lemmas whose complement is reported content even without "that"
SPEECH_LEMMAS = frozenset(
    """say tell add claim state report announce declare insist argue warn note
    write tweet post explain suggest acknowledge admit concede confirm deny
    dismiss reject quip joke respond reply answer ask assert maintain contend
    allege predict promise pledge vow threaten urge demand call recall remark
    observe point mention comment testify disclose reveal indicate show find
    conclude estimate describe complain criticize praise accuse charge blame
    emphasize stress repeat reiterate caution agree disagree boast brag
    acknowledge speculate muse recount recommend propose counter retort""".split()
)

#: words introducing a source in a prepositional phrase: "according to X"
ACCORDING_TO = ("according", "to")
CITING_LEMMAS = frozenset({"cite", "quote"})

#: head nouns of sources that are media or publications
MEDIA_NOUNS = frozenset(
    """media press newspaper paper outlet outlets report reports reporting agency
    television tv channel network broadcaster magazine journal website site
    blog newswire wire daily tabloid station radio""".split()
)
#: head nouns of sources that are documents or data
DOCUMENT_NOUNS = frozenset(
    """document documents memo memos letter email emails statement statements
    study studies survey surveys poll polls data record records filing filings
    transcript transcripts analysis report reports release tweet tweets post
    posts book books article articles complaint indictment lawsuit ruling
    order figures estimate estimates research audit review paper""".split()
)
#: head nouns of unnamed people and groups: a source headed by one of these
#: without a name is anonymous ("anonymous officials", "a source")
UNNAMED_NOUNS = frozenset(
    """source sources official officials person people insider insiders aide
    aides adviser advisers advisor advisors diplomat diplomats spokesman
    spokeswoman spokesperson critic critics observer observers analyst analysts
    expert experts witness witnesses resident residents someone somebody
    colleague colleagues friend friends ally allies member members employee
    employees staffer staffers investigator investigators lawmaker lawmakers
    officer officers agent agents worker workers voter voters supporter
    supporters opponent opponents""".split()
)
#: modifiers that make any source anonymous
ANONYMOUS_MODIFIERS = frozenset(
    """anonymous unnamed unidentified several some many two three four five
    other others senior""".split()
)
#: pronouns that may stand for a person source
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "i", "me", "you", "we", "us"})
ORG_PRONOUNS = frozenset({"it", "they", "them"})

#: role words that are titles when they precede or stand beside a name
TITLE_NOUNS = frozenset(
    """president minister secretary senator sen. rep. representative governor gov.
    mayor chancellor premier king queen prince princess chairman chairwoman chair
    director chief ceo spokesman spokeswoman spokesperson aide adviser advisor
    ambassador general gen. admiral colonel col. judge justice attorney lawyer
    candidate nominee leader speaker commissioner officer professor prof. dr.
    head founder executive manager economist analyst correspondent editor
    reporter columnist councilor councillor councilwoman councilman member
    deputy vice-president vice prime foreign national security""".split()
)

"""Boilerplate patterns for plain-text cleaning: data, not logic.

``clean.py`` applies these to one line at a time. A ``Rule`` fires on the
*core* of a line (the line with surrounding whitespace and leading bullets
or separators taken off) and only when the line has at most ``max_words``
words: most rules describe a whole short line ("Share this article",
"16x9 Image"), so a body sentence that merely mentions "video" or "share"
is never touched. The few phrase rules that may fire inside a longer line
(publisher footers, cookie notices) use phrases that do not occur in news
prose.

Reasons are short names, stored with every removed line:

- ``navigation``: menus, skip links, breadcrumbs, section lists
- ``media_label``: "16x9 Image", "Photo:", "Video", "Image caption ...", photo credits
- ``share``: share/follow/social buttons
- ``subscribe``: newsletter and subscription prompts
- ``cookie``: cookie and consent notices
- ``footer``: copyright, "All rights reserved", site links, publisher footers
- ``click_here``: "To find out more, click here."
- ``related``: "Read more", "Related:", "More on this story"
- ``comments``: the heading of a comment section ("34 Comments", "Leave a reply");
  the article is over (a bare "Comments" link is ``navigation``)
- ``advertisement``: "Advertisement", "Story continues below"
- ``byline``: "By Jane Doe" lines
- ``date``: lines that are only a date/time ("Updated April 8, 2031 6:55 AM")
- ``credit``: wire-agency and reporting credits (names go to ``Cleaned.credits``)
- ``empty``: lines with no letter or digit ("•", "***")

``clean.py`` adds the reasons of structure, not pattern: ``title``,
``caption`` (a line printed twice in a row), ``duplicate``, ``navigation``
(runs of short link-like lines outside the body) and ``outside_body``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    """A boilerplate line.

    By default ``pattern`` must match the whole core of the line; a ``search``
    rule is a phrase found anywhere in it (anchor it with ``^``/``$`` where
    needed). The rule applies to lines of at most ``max_words`` words, and is
    only tried when the lowercased line contains one of ``needs`` (a cheap
    literal pre-check; empty means always). Unless ``prose`` is true it does
    not apply to lines that read as attributed prose (they contain a
    reporting cue such as "said" or "according to", see ``PROSE_CUE``): those
    are what onrecord is for, and boilerplate rarely reports anyone's words.

    A ``boundary`` line is page furniture (a menu, share buttons, a footer):
    the article body does not run across it. By default the furniture
    reasons (``BOUNDARY_REASONS``) are boundaries and the others are not
    (captions, ads and "Read more" links sit inside articles).
    """

    reason: str
    pattern: re.Pattern[str]
    max_words: int
    prose: bool = False
    search: bool = False
    needs: tuple[str, ...] = ()
    boundary: bool = False


#: reasons of page furniture, which the article body does not run across
BOUNDARY_REASONS = frozenset({"navigation", "share", "subscribe", "footer", "cookie", "comments"})


def _rule(
    reason: str,
    max_words: int,
    *alternatives: str,
    flags: int = re.IGNORECASE,
    prose: bool = False,
    search: bool = False,
    needs: tuple[str, ...] = (),
    boundary: bool | None = None,
) -> Rule:
    pattern = re.compile("|".join(f"(?:{a})" for a in alternatives), flags)
    if boundary is None:
        boundary = reason in BOUNDARY_REASONS
    return Rule(reason, pattern, max_words, prose, search, needs, boundary)


#: bullets, arrows and separators stripped from the start and end of a line before matching
BULLETS = "•·●◦▪▫■□◆◇►▶▸▹»«›‹>|*+=~_#-–—‣⁃"

_SOCIAL = (
    r"facebook|twitter|instagram|linkedin|whats\s?app|pinterest|reddit|telegram|messenger"
    r"|flipboard|tumblr|youtube|tiktok|snapchat|vk|vkontakte|odnoklassniki|weibo|wechat"
    r"|google\s?(?:plus|\+)|rss|e-?mail|sms|print|bluesky|mastodon|xing"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?"
_TIME = (
    r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?"
    r"(?:\s*(?:(?-i:[A-Z]{2,4})|GMT[+-]?\d*|UTC[+-]?\d*))?"
)
_DATE = (
    rf"(?:{_WEEKDAY}\s*)?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?(?:\s+\d{{4}})?"
    r"|\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"
    rf"(?:,?\s*(?:at\s+)?{_TIME})?"
    rf"|{_TIME}"
    r"|\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago"
    r"|(?:today|yesterday|just now)"
)
_DATE_LABEL = (
    r"(?:(?:last\s+)?updated|published|posted|modified|first\s+published|created|date)"
    r"(?:\s+on)?\s*:?"
)

#: line rules, tried in this order; the first that matches gives the reason
RULES: tuple[Rule, ...] = (
    _rule(
        "navigation",
        8,
        r"accessibility\s+links|skip\s+to\s+(?:the\s+)?(?:main\s+)?"
        r"(?:content|article|navigation|search|menu|footer|text)(?:\s+area)?",
        r"jump\s+to\s+(?:main\s+)?(?:content|navigation|search)",
        r"breaking(?:\s+news)?(?:\s+alert)?|(?:main\s+|site\s+)?menu|navigation|search(?:\s+site)?",
        r"(?:open|close|toggle|show|hide)(?:\s+the)?\s+(?:menu|navigation|search|sidebar)",
        r"back(?:\s+to\s+(?:top|the\s+top|main\s+menu|menu|home(?:page)?))?(?:\s+close)?|close",
        r"home(?:page)?|all\s+sections|sections|more\s+sections",
        r"sign\s+(?:in|up|out)|log\s?(?:in|out)|register|my\s+account|(?:edit\s+)?profile"
        r"(?:\s+sign\s+out)?|sign\s+in\s*/\s*(?:sign\s+up|register)",
        r"latest(?:\s+(?:news|stories|headlines|videos))?|top\s+(?:stories|news|headlines)",
        r"most\s+(?:read|popular|viewed|shared|emailed|commented|recent)"
        r"(?:\s+(?:articles|stories|news))?|trending(?:\s+(?:now|stories|topics))?",
        r"popular(?:\s+(?:now|stories))?|editor'?s'?\s+picks?|must\s+reads?|don'?t\s+miss",
        r"in\s+(?:this|other)\s+(?:section|news)|(?:you\s+)?(?:may|might)\s+(?:also\s+)?"
        r"(?:like|enjoy|be\s+interested\s+in)\W*",
        r"recommended(?:\s+(?:for\s+you|stories|articles|reading))?",
        r"(?:previous|next|prev)(?:\s+(?:article|story|post|page|slide))?",
        r"(?:view|show|load|see)\s+(?:all\s+)?(?:more|all)",
        # a bare "Comments" link also sits at the top of articles, so it does not end one
        r"comments?|(?:view|show|load|see|read)\s+(?:all\s+)?(?:\d+\s+)?(?:comments?|replies)"
        r"(?:\s+\(\d+\))?",
        r"(?:tags?|topics?|categories|filed\s+under|keywords?)(?:\s*:.*)?",
        r"go\s+to\s+(?:page|top|homepage)|page\s+\d+(?:\s+of\s+\d+)?|\d+\s+of\s+\d+",
        r"(?:choose|select|change)\s+(?:your\s+)?(?:edition|language|region|location)"
        r"|(?:english|international|us|uk)\s+edition",
    ),
    # the heading of a comment section: the article is over
    _rule(
        "comments",
        25,
        r"(?:reader\s+|user\s+)?comments?\s+\(?\d+\)?|\d+\s+(?:comments?|responses?|replies)"
        r"(?:\s+(?:to|on)\b.*)?|(?:responses?|replies)\s+to\s+.{1,160}"
        r"|leave\s+a\s+(?:comment|reply)(?:\s+cancel\s+reply)?|(?:add|post|write)\s+(?:a\s+|your\s+)?"
        r"comment|join\s+the\s+(?:conversation|discussion)|discussion(?:\s+\(\d+\))?",
        r"(?:comments?\s+are\s+closed|comments?\s+(?:policy|guidelines))\W*",
        prose=True,  # "34 responses to “Headline”" quotes the headline
    ),
    # "Home | World | Politics": three or more short items between bars or bullets
    # (not » or ›, which are quotation marks in some languages)
    _rule(
        "navigation",
        40,
        r"[^|•·]{1,40}(?:\s*[|•·]\s*[^|•·]{1,40}){2,}[|•·]?",
        needs=("|", "•", "·"),
    ),
    _rule(
        "media_label",
        60,
        r"image\s+caption\b.*|(?:photo|image|video)\s+(?:source|copyright)\b.*"
        r"|(?:media\s+)?caption\s*:.*",
        r"(?:photo|image|picture|video|graphic|photograph|illustration|pictured|above|top|"
        r"file\s+photo|main\s+image|header\s+image)(?:\s+(?:credit|courtesy|by))?s?\s*:.*",
        prose=True,
    ),
    _rule(
        "media_label",
        12,
        r"(?:\d+\s*x\s*\d+\s+)?(?:image|photo|picture|video|graphic|gallery|audio|slideshow"
        r"|infographic|media|illustration|thumbnail|interactive|podcast)s?(?:\s+\d+\s+of\s+\d+)?",
        r"(?:photo|image|picture)s?\s+(?:by|courtesy\s+of|credit)\b.*|(?:image\s+)?credit\s*:.*",
        r"\(?(?:file\s+)?(?:photo|image)(?:\s+photo)?\)?",
        r"(?:play|watch|replay|listen)(?:\s+(?:video|audio|now|live|again|the\s+video))?\W*"
        r"|(?:watch|listen)\s*:.*|now\s+playing\W*|(?:video|audio)\s+(?:player|duration).*",
        r"media\s+playback\s+is\s+(?:not\s+supported|unsupported)\s+on\s+(?:this|your)\s+device",
        r"(?:click|tap)\s+to\s+(?:enlarge|expand|play|zoom)|enlarge\s+(?:this\s+)?image"
        r"|(?:hide|toggle|show)\s+caption|(?:open|view|expand)\s+(?:image|photo|gallery)",
        r"\d{1,2}:\d{2}(?:\s*min)?|\d+\s+(?:photos|images|pictures|videos)",
    ),
    # a photo credit at the end of a short line: "Jane Doe/Getty Images", "(AP Photo/Jane Doe)"
    _rule(
        "media_label",
        12,
        r"(?:getty\s+images|shutterstock|istock(?:photo)?|ap\s+photo|afp\s+photo|epa-efe"
        r"|/\s*ap|/\s*reuters|/\s*afp)\W*$|reuters/[\w ]+\W*$",
        search=True,
        needs=("getty", "shutterstock", "istock", "photo", "epa", "/"),
    ),
    # a caption ending in its photo credit: "... on June 28. (AP Photo/Jane Doe)"
    _rule(
        "media_label",
        60,
        r"\((?:[^()]*\b(?:photo|photograph|image|picture)s?\b[^()]*|[^()]*getty\s+images[^()]*)"
        r"\)\W*$",
        search=True,
        needs=("(",),
    ),
    # a lone "Twitter." is also a photo credit or a section label inside articles
    _rule(
        "share",
        10,
        rf"(?:tweet|pin|email|e-mail|print|copy(?:\s+link)?|{_SOCIAL})\W*",
        boundary=False,
    ),
    _rule(
        "share",
        10,
        rf"(?:share|tweet|pin|email|e-mail|print|copy(?:\s+link)?|{_SOCIAL})"
        r"(?:\s+(?:this|it|now|article|story|page|link|post))?\W*",
        r"share(?:\s+(?:this|the))?(?:\s+(?:article|story|page|post|link|video))?"
        rf"(?:\s+(?:on|via|to|with)\s+(?:{_SOCIAL}|\w+))?\W*",
        rf"(?:(?:share|{_SOCIAL})\W+){{2,}}(?:share|{_SOCIAL})?\W*",
        rf"(?:follow|like|find|join|visit|connect\s+with)\s+(?:us|@?[\w.]+(?:\s+[\w.]+)?)"
        rf"\s+on\s+(?:(?:{_SOCIAL}|social\s+media)(?:\W+|\s+and\s+)?)+(?:page)?\W*",
        r"(?:share|send)\s+(?:your\s+)?(?:feedback|news\s+tip|story\s+tips?)\W*",
    ),
    _rule(
        "subscribe",
        25,
        r"\b(?:sign\s+up|subscribe|register)\b.{0,80}\bnewsletters?\b",
        r"\bnewsletters?\b.{0,40}\b(?:sign\s+up|subscribe|inbox)\b",
        search=True,
        needs=("newsletter",),
    ),
    _rule(
        "subscribe",
        25,
        r"subscribe(?:\s+(?:now|today|here|for\s+\w+))?\W*"
        r"|(?:already\s+a\s+subscriber|become\s+a\s+(?:subscriber|member))\W*.{0,60}",
        r"get\s+(?:the\s+)?(?:latest|best|top).{0,60}\b(?:inbox|newsletter|email)\b.{0,40}",
        r"support\s+(?:independent|our|quality)\s+journalism.{0,80}|(?:donate|contribute)\W*",
    ),
    _rule(
        "cookie",
        80,
        r"\b(?:we|this\s+(?:web)?site|our\s+(?:web)?sites?)\s+uses?\s+cookies\b",
        r"\b(?:accept|allow|reject|manage)\s+(?:all\s+)?cookies\b",
        r"\bcookie\s+(?:policy|settings|preferences|consent|notice|statement)\b",
        prose=True,
        search=True,
        needs=("cookie",),
    ),
    _rule(
        "cookie",
        80,
        r"\bby\s+(?:continuing\s+to\s+(?:use|browse)|using)\s+(?:this|our)\s+(?:web)?site\b",
        prose=True,
        search=True,
        needs=("site",),
    ),
    _rule(
        "footer",
        40,
        r"\ball\s+rights\s+reserved\b|^(?:copyright\s*(?:©|\(c\)|\d{4}|by\b)|©|\(c\)\s*\d{4})"
        r"|©\s*\d{4}",
        prose=True,
        search=True,
        needs=("reserved", "copyright", "©", "(c)"),
    ),
    _rule(
        "footer",
        40,
        r"(?:(?:privacy(?:\s+(?:policy|notice|statement|settings))?|terms(?:\s+(?:of|and)"
        r"\s+(?:use|service|conditions))?|conditions\s+of\s+use|contact(?:\s+us)?|about(?:\s+us)?"
        r"|advertise(?:\s+with\s+us)?|careers|jobs|site\s?map|ad\s?choices|accessibility"
        r"(?:\s+statement)?|help(?:\s+center)?|faq|corrections|ethics(?:\s+policy)?|masthead"
        r"|do\s+not\s+sell\s+my\s+(?:personal\s+)?info(?:rmation)?|your\s+privacy\s+choices"
        r"|community\s+(?:rules|guidelines)|user\s+agreement|disclaimer|imprint|impressum"
        r"|rss(?:\s+feeds)?|archives?)(?:\W+|\s+and\s+|$))+",
        prose=True,
    ),
    # publisher footers: AP's notice, site terms, RFE/RL's mission and legal warnings
    _rule(
        "footer",
        120,
        r"\bthis\s+material\s+may\s+not\s+be\s+published,\s+broadcast,\s+rewritten",
        r"\b(?:registration\s+on\s+or\s+)?use\s+of\s+this\s+(?:web)?site\s+constitutes\b",
        r"\bjournalists\s+report\s+the\s+news\s+in\s+\d+\s+languages\b",
        r"\b(?:declared|designated|labell?ed|named)\s+(?:as\s+)?an?\s+[\"“']?undesirable"
        r"(?:\s+organi[sz]ation)?\b",
        r"\bcould\s+face\s+(?:fines|prosecution|criminal\s+charges|imprisonment)\b.{0,80}"
        r"\b(?:sharing|liking|reposting|commenting)\b",
        r"\bmay\s+not\s+be\s+reproduced,\s+distributed,\s+transmitted\b",
        prose=True,
        search=True,
        needs=("material", "constitutes", "languages", "undesirable", "could face", "reproduced"),
    ),
    _rule(
        "click_here",
        30,
        r"^(?:click|tap)\s+here\b",
        r",?\s+(?:click|tap)\s+here\W*$",
        r"\b(?:click|tap)\s+here\s+(?:to|for)\s+(?:subscribe|sign\s+up|register|read"
        r"|download|watch|listen|learn|find|see|view|get|follow|donate|support|visit|access"
        r"|more|the\s+full)\b",
        search=True,
        needs=("here",),
    ),
    # "READ MORE: <headline>", "Related: <headline>"
    _rule(
        "related",
        30,
        r"(?:read|see|watch|listen(?:\s+to)?|also\s+read|also\s+see)(?:\s+(?:more|also|next|"
        r"this|the\s+full\s+(?:story|article)))?\s*[:»›>|–—-].*",
        r"related(?:\s+(?:articles?|stories|story|content|coverage|news|topics|links|reading|"
        r"posts?|videos?|items|searches))?\s*(?::.*)?",
        r"(?:also\s+)?(?:recommended|suggested)\s*:.*|see\s+also\s*:.*",
    ),
    _rule(
        "related",
        6,
        r"read\s+(?:more|the\s+full\s+(?:story|article)|next|also|on)(?:\s+(?:here|below|about"
        r"\s+.{0,40}|at\s+.{0,40}))?\W*",
        r"more\s+(?:on|from|about|in)\s+(?:this\s+story|this\s+topic|[\w.&'’ -]{1,30})\W*"
        r"|more\s+stories(?:\s+like\s+this)?|further\s+reading\W*|see\s+also",
    ),
    _rule(
        "advertisement",
        12,
        r"advertisements?|advertising|ads?|sponsored(?:\s+(?:content|links?|stories|by\s+.*))?"
        r"|paid\s+(?:content|post|partner(?:ship)?)|promoted(?:\s+(?:content|stories))?",
        r"(?:the\s+)?(?:story|article)\s+continues\s+(?:below|after)(?:\s+(?:this|the))?"
        r"(?:\s+(?:advertisement|ad))?\W*|continue\s+reading(?:\s+(?:the\s+main\s+story|below"
        r"|the\s+article|article))?\W*",
        r"scroll\s+(?:down\s+)?to\s+continue(?:\s+(?:reading|with\s+content))?\W*"
        r"|remove\s+ads|ad\s+feedback|report\s+(?:this\s+)?ad",
    ),
    # "By Jane Doe", "By Troy L. Smith, Cleveland.com", "By Jane Doe and John Roe | Reuters"
    _rule(
        "byline",
        12,
        r"(?i:by|written\s+by|words\s+by|story\s+by|author:?)\s+[A-Z][\w’'.-]+"
        r"(?:\s+(?:[A-Z][\w’'.-]*|van|von|de|da|del|der|al|bin|el|la|le))+"
        r"(?:\s*(?:,|and|&|\||/|-|–|—)\s*.{1,60})?",
        flags=0,
    ),
    _rule(
        "date",
        16,
        rf"(?:{_DATE_LABEL}\s*)?(?:{_DATE})(?:\s*[;|,•·]?\s*(?:{_DATE_LABEL}\s*)?(?:{_DATE}))*",
    ),
)

#: a reporting cue: lines with one are prose that only ``prose`` rules may remove
PROSE_CUE = re.compile(
    r"\b(?:said|says|say|told|tells|according\s+to|added|adds|stated|asked|announced|"
    r"warned|argued|insisted|claimed|denied|noted|explained|wrote|reported|cited|citing)\b"
    r"|[\"“”«»„]",
    re.IGNORECASE,
)

#: closing punctuation that ends a sentence (body paragraphs end with one of these,
#: possibly followed by closing quotes or brackets)
TERMINAL = ".!?…。！？"
#: a headline does not end with one of these
NOT_TITLE_END = ".…。:,"
#: closing quotes and brackets allowed after the terminal punctuation
CLOSERS = "\"'”’»)]›"

# ---------------------------------------------------------------------------
# credits

#: wire agencies and the short names they are credited under
AGENCIES: dict[str, str] = {
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "france-presse": "AFP",
    "dpa": "dpa",
    "deutsche presse-agentur": "dpa",
    "tass": "TASS",
    "itar-tass": "TASS",
    "ria": "RIA",
    "ria novosti": "RIA Novosti",
    "interfax": "Interfax",
    "xinhua": "Xinhua",
    "bloomberg": "Bloomberg",
    "bloomberg news": "Bloomberg",
    "upi": "UPI",
    "united press international": "UPI",
    "efe": "EFE",
    "ansa": "ANSA",
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "yonhap": "Yonhap",
    "pa": "PA",
    "press association": "PA",
    "pa media": "PA",
    "aap": "AAP",
    "australian associated press": "AAP",
    "cp": "CP",
    "the canadian press": "CP",
    "canadian press": "CP",
    "anadolu": "Anadolu",
    "anadolu agency": "Anadolu",
    "pti": "PTI",
    "press trust of india": "PTI",
    "ians": "IANS",
    "ani": "ANI",
    "cnn": "CNN",
    "bbc": "BBC",
}

#: "With reporting by RIA, Reuters, AP, dpa, AFP, and TASS" / "(Reporting by X; Editing by Y)"
CREDIT_LINE = re.compile(
    r"\(?\s*(?:(?:with\s+)?(?:additional\s+)?(?:reporting|writing|compiled|editing|research)"
    r"\s+by|compiled\s+from\s+(?:reports\s+by|wire\s+reports))\s+(?P<names>.+?)\s*[.)]*\s*",
    re.IGNORECASE,
)
#: "The Associated Press contributed to this report."
CONTRIBUTED_LINE = re.compile(
    r"\(?\s*(?P<names>.+?)\s+contributed(?:\s+(?:reporting|to\s+this\s+(?:report|story|article)"
    r"|additional\s+reporting))(?:\s+(?:from|in)\s+.+?)?\s*[.)]*\s*",
    re.IGNORECASE,
)
#: a credit line contains one of these (lowercased; a cheap pre-check)
CREDIT_NEEDS = ("by ", "contributed", "compiled")
#: maximum words of a credit line
CREDIT_MAX_WORDS = 60
#: separators between credited names
CREDIT_SPLIT = re.compile(r"\s*(?:[,;/]|\band\b|&)\s*(?:and\s+)?", re.IGNORECASE)
#: a dateline at the start of the body:
#: "(Reuters) -", "WASHINGTON (AP) —", "MOSCOW, May 17 (TASS) -"
DATELINE = re.compile(
    r"(?:[A-Z][\w.'’ ,/-]{0,60}?\s*)?\((?P<agency>[A-Z][\w.&' -]{0,30}?)\)\s*[-–—]{1,2}\s",
)

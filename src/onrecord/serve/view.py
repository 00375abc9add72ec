"""What the pages show, computed from records and rows: no HTML here, no web framework.

- ``segments``: an article's text cut where any attribution's source, cue or
  content starts or ends, each piece with the roles covering it, so that the
  template can highlight every attribution (nested ones included) with the
  text escaped piece by piece;
- ``via_chain``: the sources an attribution is reported through, outermost
  first ("U.S. media ← anonymous officials");
- ``statement_date`` and ``timeline``: when a speaker's statements were made
  (the statement's own date when the text gives one, else the article's).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any
from urllib.parse import urlsplit

from onrecord.record import Attribution, Record
from onrecord.store.query import UNRESOLVED_PRONOUNS

#: the roles of an attribution, in the order a piece of text shows them first
ROLES = ("cue", "source", "content")


@dataclass(slots=True)
class Segment:
    """A stretch of text and the (attribution id, role) pairs that cover it."""

    text: str
    roles: list[tuple[str, str]] = field(default_factory=list)

    @property
    def classes(self) -> str:
        return " ".join(f"r-{r}" for r in ROLES if any(role == r for _, role in self.roles))

    @property
    def ids(self) -> str:
        """Every attribution covering the piece, the one a click selects first."""
        order = {r: i for i, r in enumerate(ROLES)}
        ranked = sorted(self.roles, key=lambda x: order[x[1]])
        return " ".join(dict.fromkeys(a for a, _ in ranked))


def segments(record: Record) -> list[Segment]:
    """The text of ``record`` in pieces, each with the attribution roles covering it.

    A click on a piece selects the attribution whose cue it is, else whose
    source, else the innermost content (the shortest one) covering it.
    """
    text = record.text
    spans: list[tuple[int, int, str, str, int]] = []  # start, end, id, role, content length
    for a in record.attributions:
        size = sum(e - s for s, e in a.content.spans)
        parts = {
            "content": a.content.spans,
            "cue": a.cue.spans if a.cue else [],
            "source": a.source.spans if a.source else [],
        }
        for role, role_spans in parts.items():
            for s, e in role_spans:
                s, e = max(0, s), min(len(text), e)
                if s < e:
                    spans.append((s, e, a.id, role, size))
    cuts = sorted({0, len(text), *(s for s, *_ in spans), *(e for _, e, *_ in spans)})
    out: list[Segment] = []
    starts = sorted(spans)
    active: list[tuple[int, int, str, str, int]] = []
    i = 0
    for lo, hi in pairwise(cuts):
        while i < len(starts) and starts[i][0] <= lo:
            active.append(starts[i])
            i += 1
        active = [sp for sp in active if sp[1] > lo]
        covering = sorted(active, key=lambda sp: sp[4])  # innermost content first
        roles = list(dict.fromkeys((sp[2], sp[3]) for sp in covering))
        if out and not out[-1].roles and not roles:
            out[-1].text += text[lo:hi]
        else:
            out.append(Segment(text[lo:hi], roles))
    return out


def speaker_name(a: Attribution) -> str | None:
    """The name a speaker page is found under, or None for a bare unresolved pronoun."""
    src = a.source
    if src is None:
        return None
    if src.name:
        return src.name
    if src.text.lower() in UNRESOLVED_PRONOUNS:
        return None
    return " ".join(src.text.split()).lower()


def via_chain(record: Record, attribution_id: str) -> list[Attribution]:
    """The attributions of the nest this one belongs to, outermost first.

    ``via`` points from the reporting attribution to the one it reports
    ("U.S. media reported, citing anonymous officials" -> the media's
    attribution has ``via`` = the officials'). A single attribution is a
    chain of one.
    """
    by_id = {a.id: a for a in record.attributions}
    reported_by = {a.via: a for a in record.attributions if a.via}
    top = by_id[attribution_id]
    seen = {top.id}
    while top.id in reported_by and reported_by[top.id].id not in seen:
        top = reported_by[top.id]
        seen.add(top.id)
    chain = [top]
    while chain[-1].via in by_id and chain[-1].via not in {c.id for c in chain}:
        chain.append(by_id[chain[-1].via])
    return chain


def source_label(a: Attribution) -> str:
    if a.source is None:
        return "(no source)"
    return a.source.name or a.source.text


def entity_titles(record: Record, a: Attribution) -> list[str]:
    if a.source is None or a.source.entity is None:
        return []
    for e in record.entities:
        if e.id == a.source.entity:
            return list(e.titles)
    return []


def safe_url(url: str | None) -> str | None:
    """The URL when it is a web address (http, https), else None: never a ``javascript:`` link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


_ISO_PREFIX = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def statement_date(row: dict[str, Any]) -> str | None:
    """When a statement was made: its own time value (year, month or day), else the article's."""
    value = row.get("time_value")
    if isinstance(value, str):
        m = _ISO_PREFIX.match(value)
        if m:
            return m.group(0)
    published = row.get("published")
    if isinstance(published, date):
        return published.isoformat()
    return None


@dataclass(slots=True)
class Bar:
    label: str  # a month, YYYY-MM, or a year
    count: int
    percent: int  # of the largest bar


def timeline(rows: list[dict[str, Any]]) -> list[Bar]:
    """Statements per month of their date, oldest first (a year-only date counts as its year)."""
    counts = Counter(d[:7] for r in rows if (d := statement_date(r)))
    if not counts:
        return []
    top = max(counts.values())
    return [Bar(k, n, max(4, round(100 * n / top))) for k, n in sorted(counts.items())]


def newest_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Statements by statement date, newest first; undated ones last, in their order."""
    dated = [r for r in rows if statement_date(r)]
    undated = [r for r in rows if not statement_date(r)]
    return sorted(dated, key=lambda r: statement_date(r) or "", reverse=True) + undated

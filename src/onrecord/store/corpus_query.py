"""Questions asked of the corpus layer: which statements were reported most widely, one
statement with every occurrence and its wordings, one canonical speaker.

Like ``store.query``, each function takes an open ``Store`` and returns plain
rows (dicts) in the order shown; formatting is the caller's. ``StatementFilter``:

- ``speaker``: the canonical speaker's name, one of its aliases, or a surname
  (case-insensitive); ``speaker_id``: one speaker by id;
- ``about``: full-text search over the contents (every word, stemmed): the
  statements with a matching occurrence;
- ``since`` / ``until``: the statement's first appearance, inclusive;
- ``min_outlets``: reported by at least this many outlets (publishers);
- ``limit`` / ``offset``: one page (the total counts every page).

Statements come most widely reported first (outlets, then articles), then by
first appearance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from onrecord.corpus.statements import differences, words
from onrecord.errors import InputError
from onrecord.store.query import check_dates, check_page, fetch_rows, speakers_named_sql

if TYPE_CHECKING:
    from onrecord.store.database import Store


@dataclass(slots=True)
class StatementFilter:
    speaker: str | None = None
    speaker_id: str | None = None
    about: str | None = None
    since: date | None = None
    until: date | None = None
    min_outlets: int = 1
    limit: int = 20
    offset: int = 0

    def __post_init__(self) -> None:
        check_page(self.limit, self.offset)
        check_dates(self.since, self.until)
        if self.min_outlets < 0:
            raise InputError(f"min_outlets must be 0 or more, not {self.min_outlets}")


def statements(store: Store, f: StatementFilter) -> tuple[list[dict[str, Any]], int]:
    """One page of statements matching the filter, most widely reported first, and how many
    match in all."""
    params: list[Any] = []

    def param(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    where: list[str] = []
    if f.speaker:
        name = " ".join(f.speaker.split()).lower()
        where.append(f"st.speaker_id IN ({speakers_named_sql(param(name), ' ' not in name)})")
    if f.speaker_id:
        where.append(f"st.speaker_id = {param(f.speaker_id)}")
    if f.about is not None:
        hits = list(store.search(f.about))
        if not hits:
            return [], 0
        arts, ids = param([h[0] for h in hits]), param([h[1] for h in hits])
        where.append(
            "st.id IN (SELECT a.statement_id FROM attributions a JOIN (SELECT "
            f"unnest({arts}::VARCHAR[]) AS aid, unnest({ids}::VARCHAR[]) AS id) m "
            "ON m.aid = a.article_id AND m.id = a.id)"
        )
    if f.since:
        where.append(f"st.first_published >= {param(f.since)}")
    if f.until:
        where.append(f"st.first_published <= {param(f.until)}")
    if f.min_outlets > 1:
        where.append(f"len(st.outlets) >= {param(f.min_outlets)}")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    row = store.con.execute(f"SELECT count(*) FROM statements st {clause}", params).fetchone()
    total = int(row[0]) if row else 0
    n = len(params)
    sql = f"""
        SELECT st.id, st.speaker_id, sp.name AS speaker, st.text, st.first_published,
               st.first_article, r.title AS first_title, r.url AS first_url,
               r.publisher AS first_publisher, st.articles, st.outlets, st.attributions
        FROM statements st
        JOIN speakers sp ON sp.id = st.speaker_id
        LEFT JOIN articles r ON r.id = st.first_article
        {clause}
        ORDER BY len(st.outlets) DESC, st.articles DESC, st.first_published NULLS LAST, st.id
        LIMIT ${n + 1} OFFSET ${n + 2}
    """
    return fetch_rows(store, sql, [*params, f.limit, f.offset]), total


def statement(store: Store, statement_id: str) -> dict[str, Any] | None:
    """One statement: its row, its speaker, every occurrence (earliest first, with article,
    date and outlet), and its wordings with their word-level differences from the earliest."""
    found = fetch_rows(
        store,
        "SELECT st.*, sp.name AS speaker FROM statements st "
        "JOIN speakers sp ON sp.id = st.speaker_id WHERE st.id = $1",
        [statement_id],
    )
    if not found:
        return None
    out = found[0]
    occurrences = fetch_rows(
        store,
        """SELECT a.article_id, a.id AS attribution_id, a.kind, a.content, a.cue, a.source,
                  a.confidence, r.title, r.url, r.published, r.publisher
           FROM attributions a JOIN articles r ON r.id = a.article_id
           WHERE a.statement_id = $1
           ORDER BY r.published NULLS LAST, a.article_id,
                    try_cast(substr(a.id, 2) AS INTEGER)""",
        [statement_id],
    )
    out["occurrences"] = occurrences
    out["variants"] = variants(occurrences)
    return out


def variants(occurrences: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The distinct wordings of a statement's occurrences (earliest first), each with the
    outlets and articles that printed it and its differences from the earliest wording."""
    seen: dict[tuple[str, ...], dict[str, Any]] = {}
    for occ in occurrences:
        key = tuple(words(occ["content"] or ""))
        entry = seen.get(key)
        if entry is None:
            entry = seen[key] = {
                "text": occ["content"],
                "first_published": occ["published"],
                "articles": [],
                "outlets": [],
            }
        entry["articles"].append(occ["article_id"])
        if occ["publisher"] and occ["publisher"] not in entry["outlets"]:
            entry["outlets"].append(occ["publisher"])
    out = list(seen.values())
    base = out[0]["text"] if out else ""
    for entry in out:
        entry["differences"] = differences(base, entry["text"])
    return out


def speaker(store: Store, speaker_id: str) -> dict[str, Any] | None:
    """One canonical speaker's row (name, aliases, kind, titles over time, counts)."""
    found = fetch_rows(store, "SELECT * FROM speakers WHERE id = $1", [speaker_id])
    if not found:
        return None
    row = found[0]
    row["aliases"] = list(row["aliases"] or [])
    row["titles"] = list(row["titles"] or [])
    return row


def speakers_named(store: Store, name: str) -> list[str]:
    """The ids of the canonical speakers a name or surname can mean, most attributions
    first."""
    name = " ".join(name.split()).lower()
    rows = store.con.execute(
        f"SELECT id FROM speakers WHERE id IN ({speakers_named_sql('$1', ' ' not in name)}) "
        "ORDER BY attributions DESC, id",
        [name],
    ).fetchall()
    return [r[0] for r in rows]


def article_layer(store: Store, article_id: str) -> dict[str, dict[str, Any]]:
    """Per attribution id of one article: its speaker's id and its statement (id, articles,
    outlets), for the article page's links."""
    rows = fetch_rows(
        store,
        """SELECT a.id, a.speaker_id, a.statement_id, st.articles, st.outlets
           FROM attributions a LEFT JOIN statements st ON st.id = a.statement_id
           WHERE a.article_id = $1""",
        [article_id],
    )
    return {r["id"]: r for r in rows}

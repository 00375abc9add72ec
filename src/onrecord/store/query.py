"""Questions asked of the store: who said what (``quotes``), who is quoted most (``speakers``).

Each function takes an open ``Store`` and one ``QueryFilter`` and returns
plain rows (dicts), in the order shown to the user; formatting is the CLI's
job. Filters:

- ``speaker``: the resolved name of the source ("Ines Okafor"), its surname
  ("Okafor"), or, for a source that resolves to no entity, its text
  ("officials"); case-insensitive, whole words;
- ``about``: full-text search over the content (SQLite FTS5 beside the
  database, see docs/store.md): every word, any order, stemmed; results are
  ranked by relevance instead of date;
- ``since`` / ``until``: the article's publication date, inclusive (articles
  without a date are left out when either is given);
- ``anonymous``: only sources that name nobody; ``kind``: one attribution kind;
- ``limit`` / ``offset``: one page of the rows (``quotes_total`` counts them all).

``articles`` lists stored articles (``ArticleFilter``: words in the title or
text, publication dates, publisher) for the HTTP API and the web pages;
``figures`` sums up the corpus for the home page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from onrecord.errors import InputError
from onrecord.record import KINDS

if TYPE_CHECKING:
    from onrecord.store.database import Store


#: the corpus views' default confidence floor: attributions below it stay in the record (and
#: ``onrecord article``) but are left out of quotes and speakers. The confidence is calibrated
#: (the probability, on the real-web set, that it is an attribution), and 0.3 is the highest
#: floor, on a grid of 0.05, that keeps the web set's whole-page recall within 0.03 of the
#: record's in fast mode (docs/quality.md). 0 shows everything.
DEFAULT_MIN_CONFIDENCE = 0.3


@dataclass(slots=True)
class QueryFilter:
    speaker: str | None = None
    #: to whom: the addressee's resolved name, surname or words ("reporters")
    to: str | None = None
    about: str | None = None
    since: date | None = None
    until: date | None = None
    anonymous: bool = False
    kind: str | None = None
    limit: int = 20
    offset: int = 0
    #: attributions below this confidence are left out (the record keeps them)
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    #: one canonical speaker, by id (``speakers`` table)
    speaker_id: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_confidence <= 1.0:
            raise InputError(f"--min-confidence must be between 0 and 1, not {self.min_confidence}")
        if self.kind is not None and self.kind not in KINDS:
            raise InputError(f"unknown kind {self.kind!r}: use one of {', '.join(KINDS)}")
        check_page(self.limit, self.offset)
        check_dates(self.since, self.until)


def check_page(limit: int, offset: int) -> None:
    if limit < 1:
        raise InputError("--limit must be at least 1")
    if offset < 0:
        raise InputError("--offset must be at least 0")


def check_dates(since: date | None, until: date | None) -> None:
    if since and until and since > until:
        raise InputError(f"--since {since} is after --until {until}")


#: sources that name no one when they resolve to no entity: not speakers to rank
UNRESOLVED_PRONOUNS = (
    "i", "you", "he", "she", "it", "we", "they", "him", "her", "them", "us", "me",
    "this", "that", "these", "those", "one", "who", "which",
)  # fmt: skip
#: the speaker as shown: the resolved name, else the source as written
_SPEAKER = "coalesce(a.source_name, a.source)"
#: the attribution's number inside its article (a12 -> 12), for a stable order
_ORDER_IN_ARTICLE = "try_cast(substr(a.id, 2) AS INTEGER)"


def _name_matches(column: str, p: str, one_word: bool) -> str:
    """SQL: the resolved name in ``column`` is the parameter ``p``, or, for a one-word ``p``,
    ends with it (a surname; a suffix test, several times cheaper than a regular expression
    on every row)."""
    surname = f" OR ends_with(lower({column}), ' ' || {p})" if one_word else ""
    return f"lower({column}) = {p}{surname}"


def speakers_named_sql(p: str, one_word: bool) -> str:
    """SQL: the ids of the canonical speakers whose name or one of whose aliases is the
    parameter ``p`` (or, for one word, ends with it)."""
    alias = f"list_contains(list_transform(s.aliases, lambda x: lower(x)), {p})"
    return f"SELECT s.id FROM speakers s WHERE {_name_matches('s.name', p, one_word)} OR {alias}"


def _where(f: QueryFilter, params: list[Any]) -> list[str]:
    where: list[str] = []

    def param(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    if f.speaker:
        name = " ".join(f.speaker.split()).lower()
        p = param(name)
        where.append(
            f"({_name_matches('a.source_name', p, ' ' not in name)}"
            f" OR (a.source_name IS NULL AND lower(a.source) = {p})"
            f" OR a.speaker_id IN ({speakers_named_sql(p, ' ' not in name)}))"
        )
    if f.speaker_id:
        where.append(f"a.speaker_id = {param(f.speaker_id)}")
    if f.to:
        name = " ".join(f.to.split()).lower()
        p = param(name)
        where.append(
            f"({_name_matches('a.addressee_name', p, ' ' not in name)}"
            f" OR lower(a.addressee) = {p} OR lower(a.addressee) = 'the ' || {p})"
        )
    if f.since:
        where.append(f"r.published >= {param(f.since)}")
    if f.until:
        where.append(f"r.published <= {param(f.until)}")
    if f.anonymous:
        where.append("a.anonymous")
    if f.kind:
        where.append(f"a.kind = {param(f.kind)}")
    if f.min_confidence > 0:
        where.append(f"a.confidence >= {param(f.min_confidence)}")
    return where


def _quotes_from(store: Store, f: QueryFilter, params: list[Any]) -> tuple[str, str] | None:
    """The FROM ... WHERE of ``quotes`` (attributions ``a``, articles ``r``, search hits ``m``)
    and the rank column (the search's, or NULL); None when ``about`` matches nothing."""
    where = _where(f, params)
    join = ""
    rank = "NULL::DOUBLE"
    if f.about is not None:
        hits = list(store.search(f.about))
        if not hits:
            return None
        n = len(params)
        params.extend([[h[0] for h in hits], [h[1] for h in hits], [float(h[2]) for h in hits]])
        join = (
            f"JOIN (SELECT unnest(${n + 1}::VARCHAR[]) AS article_id, "
            f"unnest(${n + 2}::VARCHAR[]) AS attribution_id, "
            f"unnest(${n + 3}::DOUBLE[]) AS rank) m "
            "ON m.article_id = a.article_id AND m.attribution_id = a.id"
        )
        rank = "m.rank"
    body = f"""
        FROM attributions a
        JOIN articles r ON r.id = a.article_id
        {join}
        {"WHERE " + " AND ".join(where) if where else ""}
    """
    return body, rank


def quotes(store: Store, f: QueryFilter) -> list[dict[str, Any]]:
    """Attributions matching the filter, newest article first (best match first with about)."""
    return quotes_page(store, f, total=False)[0]


def quotes_total(store: Store, f: QueryFilter) -> int:
    """How many attributions match the filter, over every page."""
    params: list[Any] = []
    found = _quotes_from(store, f, params)
    if found is None:
        return 0
    row = store.con.execute(f"SELECT count(*) {found[0]}", params).fetchone()
    return int(row[0]) if row else 0


def quotes_page(
    store: Store, f: QueryFilter, *, total: bool = True
) -> tuple[list[dict[str, Any]], int]:
    """One page of ``quotes`` (``f.limit`` rows from ``f.offset``) and, with ``total``, how
    many match in all; ``about`` is searched once for both.

    The page is cut before the speaker's titles are joined in: the join then
    touches the rows shown, not every match. Without ``total`` the count is
    not made (0 is returned).
    """
    params: list[Any] = []
    found = _quotes_from(store, f, params)
    if found is None:
        return [], 0
    body, rank = found
    count = 0
    if total:
        row = store.con.execute(f"SELECT count(*) {body}", params).fetchone()
        count = int(row[0]) if row else 0
    params.extend([f.limit, f.offset])
    order = "q.rank, q.published DESC NULLS LAST, q.article_id, q.n"
    sql = f"""
        WITH q AS (
            SELECT a.article_id, a.id AS attribution_id, r.published, {_SPEAKER} AS speaker,
                   a.source_entity, a.source_name, a.source, a.anonymous, a.source_kind,
                   a.kind, a.cue, a.content, a.time_value, a.confidence, r.title, r.url,
                   a.addressee, a.addressee_name, a.setting, a.speaker_id, a.statement_id,
                   {rank} AS rank, {_ORDER_IN_ARTICLE} AS n
            {body}
        ),
        page AS (SELECT * FROM q ORDER BY {order} LIMIT ${len(params) - 1} OFFSET ${len(params)})
        SELECT q.article_id, q.attribution_id, q.published, q.speaker,
               e.titles[1] AS speaker_title, q.source_name, q.source, q.anonymous,
               q.source_kind, q.kind, q.cue, q.content, q.time_value, q.confidence, q.title,
               q.url, q.addressee, q.addressee_name, q.setting, q.speaker_id, q.statement_id
        FROM page q
        LEFT JOIN entities e ON e.article_id = q.article_id AND e.id = q.source_entity
        ORDER BY {order}
    """
    return fetch_rows(store, sql, params), count


def fetch_rows(store: Store, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cursor = store.con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def speakers(store: Store, f: QueryFilter) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The most-quoted sources (counts, titles, share anonymous) and totals over the filter.

    A source that is a bare pronoun the resolver could not tie to an entity
    ("it", "they") is left out: it names no speaker.
    """
    params: list[Any] = []
    where = [
        "a.source IS NOT NULL",
        "NOT (a.source_name IS NULL AND lower(a.source) IN "
        f"({', '.join(repr(w) for w in UNRESOLVED_PRONOUNS)}))",
        *_where(f, params),
    ]
    n = len(params)
    # the page of speakers is cut first; their names and titles are read for that page only
    sql = f"""
        WITH s AS (
            SELECT coalesce(a.speaker_id, coalesce(a.source_name, lower(a.source))) AS speaker,
                   a.speaker_id, a.source_name, a.source, a.anonymous, a.article_id, a.kind,
                   a.source_entity
            FROM attributions a
            JOIN articles r ON r.id = a.article_id
            WHERE {" AND ".join(where)}
        ),
        g AS (
            SELECT speaker, any_value(speaker_id) AS id,
                   count(*) AS attributions, count(DISTINCT article_id) AS articles,
                   count(*) FILTER (WHERE kind IN ('direct', 'mixed')) AS quoted,
                   avg(CASE WHEN anonymous THEN 1.0 ELSE 0.0 END) AS anonymous_share
            FROM s
            GROUP BY speaker
            ORDER BY attributions DESC, articles DESC, speaker
            LIMIT ${n + 1} OFFSET ${n + 2}
        ),
        ps AS (SELECT s.* FROM s SEMI JOIN g ON g.speaker = s.speaker),
        nm AS (
            SELECT speaker, mode(coalesce(source_name, lower(source))) AS name
            FROM ps GROUP BY speaker
        ),
        t AS (
            SELECT speaker, title, count(*) AS n
            FROM (SELECT ps.speaker, unnest(e.titles) AS title
                  FROM ps
                  JOIN entities e ON e.article_id = ps.article_id AND e.id = ps.source_entity)
            GROUP BY speaker, title
        ),
        tt AS (
            SELECT speaker, list(title ORDER BY n DESC, title) AS titles FROM t GROUP BY speaker
        )
        SELECT coalesce(sp.name, nm.name) AS speaker, g.id, coalesce(sp.aliases, []) AS aliases,
               g.attributions, g.articles, g.quoted, g.anonymous_share, tt.titles
        FROM g
        JOIN nm ON nm.speaker = g.speaker
        LEFT JOIN tt ON tt.speaker = g.speaker
        LEFT JOIN speakers sp ON sp.id = g.id
        ORDER BY g.attributions DESC, g.articles DESC, g.speaker
    """
    params.extend([f.limit, f.offset])
    rows = fetch_rows(store, sql, params)
    for row in rows:
        row["titles"] = list(row["titles"] or [])[:3]
        row["aliases"] = list(row["aliases"] or [])
        row["anonymous_share"] = round(float(row["anonymous_share"] or 0.0), 3)
    total = store.con.execute(
        f"""SELECT count(*),
                   count(DISTINCT coalesce(a.speaker_id, coalesce(a.source_name, lower(a.source)))),
                   avg(CASE WHEN a.anonymous THEN 1.0 ELSE 0.0 END)
            FROM attributions a JOIN articles r ON r.id = a.article_id
            WHERE {" AND ".join(where)}""",
        params[:-2],
    ).fetchone()
    totals = {
        "attributions": int(total[0]) if total else 0,
        "speakers": int(total[1]) if total else 0,
        "anonymous_share": round(float(total[2] or 0.0), 3) if total else 0.0,
    }
    return rows, totals


# --------------------------------------------------------------------------- articles


@dataclass(slots=True)
class ArticleFilter:
    """Which stored articles to list.

    ``q``: every word appears in the title or the text (stemmed, any order,
    any case: the SQLite FTS5 index of articles beside the database, see
    ``Store.search_articles``); results are then ranked best match first.
    ``since`` / ``until``: publication date, inclusive. ``publisher``: exact,
    ignoring case.
    """

    q: str | None = None
    since: date | None = None
    until: date | None = None
    publisher: str | None = None
    limit: int = 20
    offset: int = 0

    def __post_init__(self) -> None:
        check_page(self.limit, self.offset)
        check_dates(self.since, self.until)


def articles(store: Store, f: ArticleFilter) -> tuple[list[dict[str, Any]], int]:
    """One page of articles matching the filter, newest first (best match first with ``q``),
    and how many match in all."""
    params: list[Any] = []

    def param(value: Any) -> str:
        params.append(value)
        return f"${len(params)}"

    join, order = "", "r.published DESC NULLS LAST, r.title, r.id"
    if f.q is not None and f.q.strip():
        hits = store.search_articles(f.q)
        if not hits:
            return [], 0
        ids, ranks = param([h[0] for h in hits]), param([float(h[1]) for h in hits])
        join = (
            f"JOIN (SELECT unnest({ids}::VARCHAR[]) AS id, unnest({ranks}::DOUBLE[]) AS rank) m "
            "ON m.id = r.id"
        )
        order = "m.rank, " + order
    where: list[str] = []
    if f.since:
        where.append(f"r.published >= {param(f.since)}")
    if f.until:
        where.append(f"r.published <= {param(f.until)}")
    if f.publisher:
        where.append(f"lower(r.publisher) = {param(' '.join(f.publisher.split()).lower())}")
    clause = f"{join} {'WHERE ' + ' AND '.join(where) if where else ''}"
    total_row = store.con.execute(f"SELECT count(*) FROM articles r {clause}", params).fetchone()
    total = int(total_row[0]) if total_row else 0
    n = len(params)
    sql = f"""
        SELECT r.id, r.title, r.published, r.publisher, r.url, r.language,
               (SELECT count(*) FROM attributions a WHERE a.article_id = r.id) AS attributions
        FROM articles r {clause}
        ORDER BY {order}
        LIMIT ${n + 1} OFFSET ${n + 2}
    """
    return fetch_rows(store, sql, [*params, f.limit, f.offset]), total


def figures(store: Store) -> dict[str, Any]:
    """The corpus in a few numbers: articles, attributions, share anonymous, date range."""
    row = store.con.execute(
        """SELECT (SELECT count(*) FROM articles), count(*),
                  avg(CASE WHEN anonymous THEN 1.0 ELSE 0.0 END),
                  (SELECT min(published) FROM articles), (SELECT max(published) FROM articles)
           FROM attributions"""
    ).fetchone()
    assert row is not None  # an aggregate always returns one row
    return {
        "articles": int(row[0]),
        "attributions": int(row[1]),
        "anonymous_share": round(float(row[2] or 0.0), 3),
        "first_published": row[3],
        "last_published": row[4],
    }

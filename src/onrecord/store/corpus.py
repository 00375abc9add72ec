"""The corpus layer in the store: speakers and statements kept up to date batch by batch.

``update`` runs in the transaction of the batch that wrote new articles (of a
load; or over every article, for a migration or a rebuild). Its cost follows
the new articles and the blocks they touch, not the corpus:

1. the *blocks* the new attributions' speaker keys fall in (the last word of a
   surname or name: ``corpus.names.block_of``) are decided again: their full
   names read as evidence summed in SQL (``corpus.speakers.add_evidence``),
   and only the mentions a block decides (``corpus.speakers.decidable``: lone
   surnames, organizations that may be persons, names with an honorific) read
   one by one and decided (``corpus.speakers.decide``): a lone "Clinton" may
   now mean someone else;
2. every attribution whose speaker changed is updated, and the ``speakers``
   rows of the speakers that changed are rewritten from facts summed in SQL;
3. a speaker that only gained attributions joins them to its statements: each
   finds the stored statements it may join through the trigram index
   (``content_grams``), and those merge (``corpus.statements.links``); a
   speaker that lost or changed attributions has its statements clustered
   again whole (``corpus.statements.cluster``).

The result is the layer a rebuild computes (``bench.tools.corpus_incremental``
checks it on PolNeAR). Only attributions at or above the views' default
confidence floor (``store.query.DEFAULT_MIN_CONFIDENCE``) join the layer; every
attribution keeps its speaker key, so a rebuild can take others in.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from onrecord.corpus.names import block_of
from onrecord.corpus.speakers import (
    Candidate,
    Mention,
    SpeakerFacts,
    add_evidence,
    decidable,
    decide,
    resolve,
    speaker_id,
    speaker_row,
    speaker_rows,
)
from onrecord.corpus.statements import Item, Union, cluster, links, statement_row
from onrecord.store.rows import CorpusChange
from onrecord.store.schema import SCHEMA

if TYPE_CHECKING:
    import duckdb


class Store(Protocol):
    """What the update needs of a store (``store.database.Store``): its connection, and its
    column-list insert."""

    con: duckdb.DuckDBPyConnection

    def _insert(self, table: str, cols: dict[str, list[Any]]) -> None: ...


#: the confidence an attribution needs to join the corpus layer (the views' default floor)
CORPUS_MIN_CONFIDENCE = 0.3

#: ``corpus.names.block_of`` in SQL: the last word of the key's second field
_BLOCK_SQL = "'b|' || regexp_extract(split_part(a.speaker_key, '|', 2), '(\\S*)$', 1)"


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def update(store: Store, article_ids: list[str] | None) -> CorpusChange:
    """Bring speakers and statements up to date after ``article_ids`` were written (None:
    every article, as after a migration or a load). Run inside the caller's transaction."""
    started = time.perf_counter()
    change = _update(store, article_ids)
    change.seconds = time.perf_counter() - started
    return change


_MENTION_SQL = (
    "SELECT a.article_id, a.id, a.speaker_key, coalesce(a.source_name, a.source), a.source, "
    "coalesce(e.titles, []::VARCHAR[]), ar.published, ar.publisher, a.speaker_id "
    "FROM attributions a JOIN articles ar ON ar.id = a.article_id "
    "LEFT JOIN entities e ON e.article_id = a.article_id AND e.id = a.source_entity "
    "WHERE a.speaker_key IS NOT NULL AND a.confidence >= $1 "
)
_KEY_PART = "split_part(a.speaker_key, '|', {})"
#: a full person name (``corpus.speakers.is_candidate``)
_CANDIDATE_SQL = (
    "(split_part(a.speaker_key, '|', 1) = 'person' AND len(string_split(a.speaker_key, '|')) = 4 "
    "AND split_part(a.speaker_key, '|', 3) <> '')"
)
#: a superset of the mentions ``corpus.speakers.decidable`` picks: not a full person name
#: (a lone surname, a one-word organization; other keys are cheap and few), or words that may
#: hold a gendered honorific (Python decides)
_DECIDABLE_SQL = (
    f"(NOT {_CANDIDATE_SQL} OR regexp_matches(lower(a.source), "
    "'(^|[^a-z])(mr|mister|mrs|ms|miss|madam|sir|dame|lord|lady)([^a-z]|$)'))"
)


def _facts(store: Store, speakers: set[str]) -> list[tuple[str, SpeakerFacts]]:
    """The facts of these speakers' rows, summed in SQL over their attributions."""
    con = store.con
    ids = sorted(speakers)
    base = (
        "FROM attributions a JOIN articles ar ON ar.id = a.article_id "
        "WHERE a.speaker_id IN (SELECT unnest($1::VARCHAR[])) "
    )
    facts = {sid: SpeakerFacts() for sid in ids}
    # one scan: per speaker its totals, and per speaker and name how often (grouping sets)
    name = "coalesce(a.source_name, a.source)"
    for sid, named, by_name, articles, n, first, last in con.execute(
        f"SELECT a.speaker_id, {name}, grouping({name}) = 0, count(DISTINCT a.article_id), "
        f"count(*), min(ar.published), max(ar.published) {base} "
        f"GROUP BY GROUPING SETS ((a.speaker_id), (a.speaker_id, {name}))",
        [ids],
    ).fetchall():
        f = facts[sid]
        if by_name:
            f.names[named] = int(n)
            continue
        f.articles, f.attributions = int(articles), int(n)
        f.first_seen, f.last_seen = _iso(first), _iso(last)
    base = (
        "FROM attributions a JOIN articles ar ON ar.id = a.article_id "
        "JOIN entities e ON e.article_id = a.article_id AND e.id = a.source_entity "
        "WHERE a.speaker_id IN (SELECT unnest($1::VARCHAR[])) "
    )
    for sid, title, n, first, last in con.execute(
        "SELECT speaker_id, title, count(*), min(published), max(published) FROM (SELECT "
        f"a.speaker_id, unnest(e.titles) AS title, ar.published {base}) GROUP BY ALL",
        [ids],
    ).fetchall():
        facts[sid].add_title(title, int(n), _iso(first), _iso(last))
    return [(sid, f) for sid, f in facts.items() if f.attributions]


def _mentions(rows: list[tuple[Any, ...]]) -> list[Mention]:
    return [Mention(r[0], r[1], r[2], r[3], r[4], list(r[5]), _iso(r[6]), r[7]) for r in rows]


def _resolved(
    store: Store, article_ids: list[str], blocks: list[str]
) -> tuple[list[Mention], dict[tuple[str, str], str], dict[tuple[str, str], str | None]]:
    """The mentions of these blocks whose speaker may change (the new articles', and those a
    block decides), their speaker keys, and their stored speaker ids. The blocks' full
    names are read as evidence aggregated by SQL (``corpus.speakers.add_evidence``), not
    mention by mention, so the cost follows the names and the decided mentions."""
    con = store.con
    in_blocks = f"AND {_BLOCK_SQL} IN (SELECT unnest($2::VARCHAR[])) "
    evidence = con.execute(
        f"SELECT {_BLOCK_SQL}, a.speaker_key, a.article_id, ar.published, "
        "coalesce(e.titles, []::VARCHAR[]), a.source, count(*) "
        "FROM attributions a JOIN articles ar ON ar.id = a.article_id "
        "LEFT JOIN entities e ON e.article_id = a.article_id AND e.id = a.source_entity "
        f"WHERE a.speaker_key IS NOT NULL AND a.confidence >= $1 {in_blocks}"
        f"AND {_CANDIDATE_SQL} GROUP BY ALL",
        [CORPUS_MIN_CONFIDENCE, blocks],
    ).fetchall()
    candidates: dict[str, dict[str, Candidate]] = defaultdict(dict)
    for block, key, article, published, titles, source, n in evidence:
        c = candidates[block].get(key)
        if c is None:
            c = candidates[block][key] = Candidate(key)
        add_evidence(c, article, _iso(published), titles, source, n)
    rows = con.execute(
        _MENTION_SQL + in_blocks + f"AND ({_DECIDABLE_SQL} OR a.article_id IN "
        "(SELECT unnest($3::VARCHAR[])))",
        [CORPUS_MIN_CONFIDENCE, blocks, article_ids],
    ).fetchall()
    mentions = _mentions(rows)
    old = {(r[0], r[1]): r[8] for r in rows}
    by_block: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        if decidable(m):
            by_block[block_of(m.key)].append(m)
    keys = {m.ref: m.key for m in mentions}
    for block, group in by_block.items():
        keys.update(decide(candidates.get(block, {}), group))
    return mentions, keys, old


def _update(store: Store, article_ids: list[str] | None) -> CorpusChange:
    con = store.con
    change = CorpusChange()
    if article_ids is not None:
        if not article_ids:
            return change
        blocks = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT {_BLOCK_SQL} FROM attributions a WHERE a.speaker_key IS NOT "
                "NULL AND a.article_id IN (SELECT unnest($1::VARCHAR[]))",
                [article_ids],
            ).fetchall()
        ]
        if not blocks:
            return change
        mentions, keys, old = _resolved(store, article_ids, blocks)
        change.blocks = len(blocks)
    else:
        rows = con.execute(_MENTION_SQL, [CORPUS_MIN_CONFIDENCE]).fetchall()
        mentions = _mentions(rows)
        old = {(r[0], r[1]): r[8] for r in rows}
        keys = resolve(mentions)
        change.blocks = len({block_of(m.key) for m in mentions})
    new_articles = set(article_ids) if article_ids is not None else None

    # 2. speakers
    moved: list[tuple[str, str, str]] = []
    touched: set[str] = set()  # speakers whose statements must be clustered again, whole
    grown: set[str] = set()  # speakers that only gained attributions of the new articles
    for m in mentions:
        sid = speaker_id(keys[m.ref])
        is_new = new_articles is not None and m.article_id in new_articles
        before = old[m.ref]
        if before != sid:
            moved.append((m.article_id, m.attribution_id, sid))
            if is_new:
                grown.add(sid)
            else:  # a stored attribution changed speaker: both speakers' statements change
                touched.add(sid)
                if before is not None:
                    touched.add(before)
        elif is_new:
            grown.add(sid)
    set_column(store, "speaker_id", moved)
    change.attributions = len(moved)
    # the rows of the speakers whose attributions changed (the others stay as they are)
    changed = touched | grown
    if article_ids is None:
        by_speaker: dict[str, list[Mention]] = defaultdict(list)
        for m in mentions:
            by_speaker[keys[m.ref]].append(m)
        con.execute("DELETE FROM speakers")
        speaker_table = [speaker_rows(key, ms) for key, ms in by_speaker.items()]
    else:
        key_of = dict(
            con.execute(
                "SELECT id, key FROM speakers WHERE id IN (SELECT unnest($1::VARCHAR[]))",
                [sorted(changed)],
            ).fetchall()
        )
        key_of.update({speaker_id(k): k for k in keys.values()})
        speaker_table = [speaker_row(key_of[sid], facts) for sid, facts in _facts(store, changed)]
        con.execute(
            "DELETE FROM speakers WHERE id IN (SELECT unnest($1::VARCHAR[]))", [sorted(changed)]
        )
    _write(store, "speakers", speaker_table)
    change.speakers = len(speaker_table)

    # 3. statements
    if article_ids is None:
        touched = {r["id"] for r in speaker_table}
    change.statements, restated = _restate(store, sorted(touched), everything=article_ids is None)
    change.attributions += restated
    if article_ids is not None and grown - touched:
        written, restated = _join_statements(store, sorted(grown - touched), article_ids)
        change.statements += written
        change.attributions += restated
    return change


_ITEM_COLUMNS = (
    "a.article_id, a.id, a.content, len(a.quotes) > 0, ar.published, ar.publisher, a.statement_id "
)
_ITEM_FROM = "FROM attributions a JOIN articles ar ON ar.id = a.article_id "


def _items(rows: list[tuple[Any, ...]]) -> list[Item]:
    return [Item(r[0], r[1], r[2] or "", bool(r[3]), _iso(r[4]), r[5]) for r in rows]


def _join_statements(store: Store, speakers: list[str], article_ids: list[str]) -> tuple[int, int]:
    """These speakers' new attributions (of ``article_ids``) into their statements: each joins
    the stored statements it links to (found by the trigram index, ``content_grams``), which
    merge; the speakers' other statements are not read. The same statements as clustering
    each speaker's attributions whole. Return (rows written, attributions whose statement
    changed)."""
    con = store.con
    fresh = con.execute(
        "SELECT a.speaker_id, "
        + _ITEM_COLUMNS
        + _ITEM_FROM
        + "WHERE a.speaker_id IN (SELECT unnest($1::VARCHAR[])) "
        "AND a.article_id IN (SELECT unnest($2::VARCHAR[])) ORDER BY a.article_id, a.id",
        [speakers, article_ids],
    ).fetchall()
    # the stored attributions of the same speaker sharing a trigram hash with a new one
    stored = con.execute(
        "WITH q AS (SELECT speaker_id AS sid, list_distinct(flatten(list(content_grams))) AS g "
        "FROM attributions WHERE speaker_id IN (SELECT unnest($1::VARCHAR[])) "
        "AND article_id IN (SELECT unnest($2::VARCHAR[])) GROUP BY speaker_id) "
        "SELECT a.speaker_id, "
        + _ITEM_COLUMNS
        + _ITEM_FROM
        + "JOIN q ON q.sid = a.speaker_id WHERE a.article_id NOT IN "
        "(SELECT unnest($2::VARCHAR[])) AND list_has_any(a.content_grams, q.g) "
        "ORDER BY a.article_id, a.id",
        [speakers, article_ids],
    ).fetchall()
    by_speaker: dict[str, tuple[list[Any], list[Any]]] = defaultdict(lambda: ([], []))
    for r in fresh:
        by_speaker[r[0]][0].append(r[1:])
    for r in stored:
        by_speaker[r[0]][1].append(r[1:])
    # per speaker, groups of new attributions with the stored statements their links reach
    plans: list[tuple[str, list[Item], set[str]]] = []
    for sid, (new_rows, old_rows) in by_speaker.items():
        if not new_rows:
            continue
        items = _items(new_rows) + _items(old_rows)
        statement_of = [r[6] for r in new_rows] + [r[6] for r in old_rows]
        union = Union(len(items))
        for i, j in links(items, new=len(new_rows)):
            union.join(i, j)
        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(len(items)):
            groups[union.find(i)].append(i)
        for members in groups.values():
            if members[0] >= len(new_rows):  # no new attribution in it
                continue
            merged = {statement_of[i] for i in members if i >= len(new_rows) and statement_of[i]}
            plans.append((sid, [items[i] for i in members if i < len(new_rows)], merged))
    gone = sorted({st for _, _, merged in plans for st in merged})
    members_of: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    if gone:
        for r in con.execute(
            "SELECT a.statement_id, "
            + _ITEM_COLUMNS
            + _ITEM_FROM
            + "WHERE a.statement_id IN (SELECT unnest($1::VARCHAR[]))",
            [gone],
        ).fetchall():
            members_of[r[0]].append(r[1:])
    table: list[dict[str, Any]] = []
    moved: list[tuple[str, str, str]] = []
    for sid, new_items, merged in plans:
        old: dict[tuple[str, str], str | None] = {it.ref: None for it in new_items}
        whole = list(new_items)
        for st in merged:
            whole += _items(members_of[st])
            old.update({(r[0], r[1]): st for r in members_of[st]})
        whole.sort(key=lambda it: it.order)
        row = statement_row(sid, whole)
        table.append(row)
        moved.extend((*it.ref, row["id"]) for it in whole if old[it.ref] != row["id"])
    if gone:
        con.execute("DELETE FROM statements WHERE id IN (SELECT unnest($1::VARCHAR[]))", [gone])
    set_column(store, "statement_id", moved)
    _write(store, "statements", table)
    return len(table), len(moved)


def _restate(store: Store, speakers: list[str], *, everything: bool) -> tuple[int, int]:
    """Cluster the statements of these speakers again; return (rows written, attributions
    whose statement changed)."""
    con = store.con
    if not speakers and not everything:
        return 0, 0
    where = (
        "a.speaker_id IS NOT NULL"
        if everything
        else ("a.speaker_id IN (SELECT unnest($1::VARCHAR[]))")
    )
    rows = con.execute(
        "SELECT a.speaker_id, a.article_id, a.id, a.content, len(a.quotes) > 0, ar.published, "
        "ar.publisher, a.statement_id FROM attributions a JOIN articles ar ON ar.id = a.article_id "
        f"WHERE {where}",
        [] if everything else [speakers],
    ).fetchall()
    items: dict[str, list[Item]] = defaultdict(list)
    old: dict[tuple[str, str], str | None] = {}
    for r in rows:
        items[r[0]].append(Item(r[1], r[2], r[3] or "", bool(r[4]), _iso(r[5]), r[6]))
        old[(r[1], r[2])] = r[7]
    table: list[dict[str, Any]] = []
    moved: list[tuple[str, str, str]] = []
    for sid, its in items.items():
        for members in cluster(its):
            row = statement_row(sid, members)
            table.append(row)
            moved.extend(
                (it.article_id, it.attribution_id, row["id"])
                for it in members
                if old[it.ref] != row["id"]
            )
    if everything:
        con.execute("DELETE FROM statements")
    else:
        con.execute(
            "DELETE FROM statements WHERE speaker_id IN (SELECT unnest($1::VARCHAR[]))", [speakers]
        )
    set_column(store, "statement_id", moved)
    _write(store, "statements", table)
    return len(table), len(moved)


def set_column(store: Store, column: str, values: Sequence[tuple[str, str, str | None]]) -> None:
    """Set one column of the attributions named by (article_id, id)."""
    if not values:
        return
    store.con.execute(
        f"UPDATE attributions SET {column} = u.v FROM (SELECT unnest($1::VARCHAR[]) AS aid, "
        "unnest($2::VARCHAR[]) AS id, unnest($3::VARCHAR[]) AS v) u "
        "WHERE attributions.article_id = u.aid AND attributions.id = u.id",
        [[a for a, _, _ in values], [i for _, i, _ in values], [v for _, _, v in values]],
    )


def _write(store: Store, table: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        names = SCHEMA[table].names
        store._insert(table, {c: [r[c] for r in rows] for c in names})

"""The corpus layer in the store: speakers and statements kept up to date batch by batch.

``update`` runs in the transaction of the batch that wrote new articles (or of a
migration or a load, over every article). Its cost follows the new articles,
not the corpus:

1. the *blocks* the new attributions' speaker keys fall in (one surname, or one
   organization's name: ``corpus.names.block_of``) are read back, and only
   they are resolved again (``corpus.speakers.resolve``): a lone "Clinton"
   may now mean someone else;
2. every attribution of those blocks whose speaker changed is updated, and
   the ``speakers`` rows of the blocks are rewritten;
3. the statements of the speakers that gained, lost or got attributions are
   clustered again (``corpus.statements.cluster``) and their rows rewritten.

Only attributions at or above the views' default confidence floor
(``store.query.DEFAULT_MIN_CONFIDENCE``) join the layer; every attribution
keeps its speaker key, so a rebuild can take others in.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from onrecord.corpus.names import block_of
from onrecord.corpus.speakers import Mention, resolve, speaker_id, speaker_rows
from onrecord.corpus.statements import Item, Union, cluster, links, statement_row
from onrecord.store.schema import SCHEMA

if TYPE_CHECKING:
    from onrecord.store.database import Store

#: the confidence an attribution needs to join the corpus layer (the views' default floor)
CORPUS_MIN_CONFIDENCE = 0.3

#: ``corpus.names.block_of`` in SQL: a one-word organization's block is its surname's
_BLOCK_SQL = (
    "CASE WHEN split_part(a.speaker_key, '|', 1) <> 'person' "
    "AND len(string_split(a.speaker_key, '|')) = 2 "
    "AND NOT contains(split_part(a.speaker_key, '|', 2), ' ') "
    "THEN 'person|' || split_part(a.speaker_key, '|', 2) "
    "ELSE split_part(a.speaker_key, '|', 1) || '|' || split_part(a.speaker_key, '|', 2) END"
)


@dataclass(slots=True)
class CorpusChange:
    """What one update changed."""

    blocks: int = 0
    seconds: float = 0.0  # time the update took
    speakers: int = 0  # speakers rows written
    statements: int = 0  # statements rows written
    attributions: int = 0  # attributions whose speaker or statement changed


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def update(store: Store, article_ids: list[str] | None) -> CorpusChange:
    """Bring speakers and statements up to date after ``article_ids`` were written (None:
    every article, as after a migration or a load). Run inside the caller's transaction."""
    started = time.perf_counter()
    change = _update(store, article_ids)
    change.seconds = time.perf_counter() - started
    return change


def _update(store: Store, article_ids: list[str] | None) -> CorpusChange:
    con = store.con
    change = CorpusChange()
    params: list[Any] = [CORPUS_MIN_CONFIDENCE]
    where = ""
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
        where = f"AND {_BLOCK_SQL} IN (SELECT unnest($2::VARCHAR[]))"
        params.append(blocks)
    rows = con.execute(
        "SELECT a.article_id, a.id, a.speaker_key, coalesce(a.source_name, a.source), a.source, "
        "coalesce(e.titles, []::VARCHAR[]), ar.published, ar.publisher, a.speaker_id "
        "FROM attributions a JOIN articles ar ON ar.id = a.article_id "
        "LEFT JOIN entities e ON e.article_id = a.article_id AND e.id = a.source_entity "
        f"WHERE a.speaker_key IS NOT NULL AND a.confidence >= $1 {where}",
        params,
    ).fetchall()
    mentions = [Mention(r[0], r[1], r[2], r[3], r[4], list(r[5]), _iso(r[6]), r[7]) for r in rows]
    old = {(r[0], r[1]): r[8] for r in rows}
    new_articles = set(article_ids) if article_ids is not None else None
    keys = resolve(mentions)
    change.blocks = len({block_of(m.key) for m in mentions})

    # 2. speakers
    by_speaker: dict[str, list[Mention]] = defaultdict(list)
    moved: list[tuple[str, str, str]] = []
    touched: set[str] = set()  # speakers whose statements must be clustered again, whole
    grown: set[str] = set()  # speakers that only gained attributions of the new articles
    for m in mentions:
        key = keys[m.ref]
        sid = speaker_id(key)
        by_speaker[key].append(m)
        is_new = new_articles is not None and m.article_id in new_articles
        if old[m.ref] != sid:
            moved.append((m.article_id, m.attribution_id, sid))
            if is_new:
                grown.add(sid)
            else:  # a stored attribution changed speaker: both speakers' statements change
                touched.add(sid)
                if old[m.ref] is not None:
                    touched.add(old[m.ref])
        elif is_new:
            grown.add(sid)
    set_column(store, "speaker_id", moved)
    change.attributions = len(moved)
    speaker_table = [speaker_rows(key, ms) for key, ms in by_speaker.items()]
    if article_ids is None:
        con.execute("DELETE FROM speakers")
    else:
        stale = sorted({sid for sid in old.values() if sid} | {r["id"] for r in speaker_table})
        con.execute("DELETE FROM speakers WHERE id IN (SELECT unnest($1::VARCHAR[]))", [stale])
    _write(store, "speakers", speaker_table)
    change.speakers = len(speaker_table)

    # 3. statements
    if article_ids is None:
        touched = {r["id"] for r in speaker_table}
    change.statements, restated = _restate(store, sorted(touched), everything=article_ids is None)
    change.attributions += restated
    if article_ids is not None:
        for sid in sorted(grown - touched):
            written, restated = _join_statements(store, sid, article_ids)
            change.statements += written
            change.attributions += restated
    return change


_ITEM_SQL = (
    "SELECT a.article_id, a.id, a.content, len(a.quotes) > 0, ar.published, ar.publisher, "
    "a.statement_id FROM attributions a JOIN articles ar ON ar.id = a.article_id "
)


def _items(rows: list[tuple[Any, ...]]) -> list[Item]:
    return [Item(r[0], r[1], r[2] or "", bool(r[3]), _iso(r[4]), r[5]) for r in rows]


def _join_statements(store: Store, sid: str, article_ids: list[str]) -> tuple[int, int]:
    """One speaker's new attributions (of ``article_ids``) into its statements: each joins
    the stored statements it links to (found by the trigram index, ``content_grams``), which
    merge; the rest of the speaker's statements are not read. The same statements as
    clustering the speaker's attributions whole. Return (rows written, attributions whose
    statement changed)."""
    con = store.con
    fresh = con.execute(
        _ITEM_SQL + "WHERE a.speaker_id = $1 AND a.article_id IN (SELECT unnest($2::VARCHAR[])) "
        "ORDER BY a.article_id, a.id",
        [sid, article_ids],
    ).fetchall()
    found = con.execute(
        "SELECT DISTINCT unnest(content_grams) FROM attributions WHERE speaker_id = $1 "
        "AND article_id IN (SELECT unnest($2::VARCHAR[]))",
        [sid, article_ids],
    ).fetchall()
    grams = sorted(g for (g,) in found)
    stored = []
    if grams:
        stored = con.execute(
            _ITEM_SQL + "WHERE a.speaker_id = $1 AND a.article_id NOT IN "
            "(SELECT unnest($2::VARCHAR[])) AND list_has_any(a.content_grams, $3::INTEGER[]) "
            "ORDER BY a.article_id, a.id",
            [sid, article_ids, grams],
        ).fetchall()
    items = _items(fresh) + _items(stored)
    statement_of = [r[6] for r in fresh] + [r[6] for r in stored]
    union = Union(len(items))
    for i, j in links(items, new=len(fresh)):
        union.join(i, j)
    # a group of new attributions takes in every stored statement one of its links reaches
    groups: dict[int, set[int]] = defaultdict(set)
    for i in range(len(items)):
        groups[union.find(i)].add(i)
    table: list[dict[str, Any]] = []
    moved: list[tuple[str, str, str]] = []
    gone: set[str] = set()
    for members in groups.values():
        if not any(i < len(fresh) for i in members):
            continue
        merged = {statement_of[i] for i in members if i >= len(fresh) and statement_of[i]}
        whole = [items[i] for i in members if i < len(fresh)]
        old: dict[tuple[str, str], str | None] = {it.ref: None for it in whole}
        if merged:
            rows = con.execute(
                _ITEM_SQL + "WHERE a.statement_id IN (SELECT unnest($1::VARCHAR[]))",
                [sorted(merged)],
            ).fetchall()
            whole += _items(rows)
            old.update({(r[0], r[1]): r[6] for r in rows})
            gone |= merged
        whole.sort(key=lambda it: it.order)
        row = statement_row(sid, whole)
        table.append(row)
        moved.extend((*it.ref, row["id"]) for it in whole if old[it.ref] != row["id"])
    if gone:
        con.execute(
            "DELETE FROM statements WHERE id IN (SELECT unnest($1::VARCHAR[]))", [sorted(gone)]
        )
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

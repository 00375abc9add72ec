"""One block of the corpus layer, whole: its speakers, its statements, and every attribution's
speaker and statement id.

Spark computes the layer block by block with this function (``spark.corpus``);
the store computes the same pieces (``speakers.resolve``, ``speaker_rows``,
``statements.cluster``, ``statement_row``) for the blocks a batch touches
(``store.corpus``). Both read the same columns of an attribution, so the same
input gives the same rows and ids.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from onrecord.corpus.speakers import Mention, resolve, speaker_id, speaker_rows
from onrecord.corpus.statements import Item, cluster, statement_row


@dataclass(slots=True)
class Block:
    """What one block computes to."""

    #: (article_id, attribution id) -> (speaker_id, statement_id)
    ids: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    speakers: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)


def compute_block(rows: list[tuple[Mention, Item]]) -> Block:
    """The layer of one block's attributions (each as its speaker mention and its
    statement item)."""
    out = Block()
    mentions = [m for m, _ in rows]
    keys = resolve(mentions)
    by_key: dict[str, list[Mention]] = defaultdict(list)
    items: dict[str, list[Item]] = defaultdict(list)
    for m, it in rows:
        key = keys[m.ref]
        by_key[key].append(m)
        items[key].append(it)
    for key, ms in by_key.items():
        out.speakers.append(speaker_rows(key, ms))
        sid = speaker_id(key)
        for members in cluster(items[key]):
            row = statement_row(sid, members)
            out.statements.append(row)
            for it in members:
                out.ids[it.ref] = (sid, row["id"])
    return out

"""The corpus layer on Spark: ``speakers`` and ``statements``, and every attribution's
``speaker_id`` and ``statement_id``, from the job's final tables.

The attributions that join the layer (a speaker key, confidence at the floor
or above: ``store.corpus``) are read with their article's date and outlet and
their entity's titles, grouped by block (``corpus.names.block_of``: the last
word of a surname or name) and each block is computed whole by
``corpus.layer.compute_block`` in the Python workers (``applyInArrow``). The
store computes the same blocks with the same functions, so the ids and rows
equal those of ``onrecord ingest`` of the same input. Cost: one shuffle of the
layer's attributions by block; a block is as large as one surname's
attributions (the largest block bounds a task's memory).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from onrecord.corpus.layer import compute_block
from onrecord.corpus.speakers import Mention
from onrecord.corpus.statements import Item
from onrecord.spark.schema import struct_of
from onrecord.store.corpus import CORPUS_MIN_CONFIDENCE

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame

#: what a block's task reads of each attribution
_INPUT = (
    "article_id",
    "id",
    "speaker_key",
    "name",
    "source",
    "titles",
    "published",
    "publisher",
    "content",
    "quoted",
)


def _layer_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("_t", pa.string()),
            ("article_id", pa.string()),
            ("id", pa.string()),
            ("speaker_id", pa.string()),
            ("statement_id", pa.string()),
            ("speaker", struct_of("speakers")),
            ("statement", struct_of("statements")),
        ]
    )


def _ddl() -> str:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(_layer_schema()).simpleString()


def _dates(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: date.fromisoformat(v) if k in names and v else v for k, v in row.items()}


def block_task(table: pa.Table) -> pa.Table:
    """The ``applyInArrow`` function: one block's attributions in, its layer rows out."""
    import pyarrow as pa

    rows = []
    for r in table.select(list(_INPUT)).to_pylist():
        published = r["published"].isoformat() if r["published"] else None
        mention = Mention(
            r["article_id"],
            r["id"],
            r["speaker_key"],
            r["name"],
            r["source"],
            list(r["titles"] or []),
            published,
            r["publisher"],
        )
        content = r["content"] or ""
        item = Item(r["article_id"], r["id"], content, bool(r["quoted"]), published, r["publisher"])
        rows.append((mention, item))
    block = compute_block(rows)
    out: list[dict[str, Any]] = []
    for (aid, att), (sid, stid) in block.ids.items():
        out.append({"_t": "a", "article_id": aid, "id": att, "speaker_id": sid,
                    "statement_id": stid})  # fmt: skip
    for s in block.speakers:
        titles = [_dates(t, ("first_seen", "last_seen")) for t in s["titles"]]
        speaker = {**_dates(s, ("first_seen", "last_seen")), "titles": titles}
        out.append({"_t": "s", "speaker": {k: speaker[k] for k in struct_names("speakers")}})
    for st in block.statements:
        out.append({"_t": "t", "statement": _dates(st, ("first_published",))})
    return pa.Table.from_pylist(out, schema=_layer_schema())


def struct_names(table: str) -> list[str]:
    return [f.name for f in struct_of(table)]


def corpus_tables(tables: dict[str, DataFrame]) -> dict[str, DataFrame]:
    """The final tables with the layer: ``attributions`` with their speaker and statement,
    and the ``speakers`` and ``statements`` tables."""
    from pyspark.sql import functions as F

    a, articles, entities = tables["attributions"], tables["articles"], tables["entities"]
    names = a.columns
    layer_input = (
        a.where(F.col("speaker_key").isNotNull() & (F.col("confidence") >= CORPUS_MIN_CONFIDENCE))
        .join(
            articles.select(F.col("id").alias("article_id"), "published", "publisher"),
            "article_id",
        )
        .join(
            entities.select(
                "article_id", F.col("id").alias("source_entity"), F.col("titles").alias("_t")
            ),
            ["article_id", "source_entity"],
            "left",
        )
        .select(
            "article_id",
            "id",
            "speaker_key",
            F.coalesce(F.col("source_name"), F.col("source")).alias("name"),
            "source",
            F.coalesce(F.col("_t"), F.array().cast("array<string>")).alias("titles"),
            "published",
            "publisher",
            "content",
            (F.size("quotes") > 0).alias("quoted"),
            F.concat(
                F.lit("b|"),
                F.regexp_extract(F.split("speaker_key", "\\|").getItem(1), "(\\S*)$", 1),
            ).alias("block"),
        )
    )
    layer = layer_input.groupBy("block").applyInArrow(block_task, _ddl()).cache()
    ids = layer.where(F.col("_t") == "a").select("article_id", "id", "speaker_id", "statement_id")
    out = dict(tables)
    out["attributions"] = (
        a.drop("speaker_id", "statement_id").join(ids, ["article_id", "id"], "left").select(names)
    )
    out["speakers"] = layer.where(F.col("_t") == "s").select("speaker.*")
    out["statements"] = layer.where(F.col("_t") == "t").select("statement.*")
    return out

"""The store's tables as Arrow and Spark types, and ``BatchRows`` as Arrow record batches.

The Spark job writes the columns of the store's tables (``store.schema``: what
``onrecord export --parquet`` writes), typed from their DuckDB types with
``store.schema.arrow_type`` and ``spark_type``. Executors emit one *staged*
schema for all tables: ``_table`` (which table the row belongs to), ``_order``
(input order of the row's article, to keep the first of a duplicated id, as
``onrecord ingest`` does) and one struct column per table, null except for the
row's own table.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from onrecord.store.rows import BatchRows
from onrecord.store.schema import SCHEMA, Column, Table, arrow_schema, arrow_type, spark_type

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["arrow_type", "spark_type"]

#: the tables the workers make rows of; ``sources`` is the ingest ledger
WORKER_TABLES = ("articles", "entities", "attributions", "times", "errors", "sources")
#: the tables the job writes: the workers', then the corpus layer's (``spark.corpus``)
OUTPUT_TABLES = (*WORKER_TABLES, "speakers", "statements")
#: staged-only rows: what readers skipped, counted per partition (name, n)
STATS = "stats"
STAGED = (*WORKER_TABLES, STATS)
_STATS_TABLE = Table(STATS, (Column("name", "VARCHAR"), Column("n", "BIGINT")), ("name",))


def table_of(name: str) -> Table:
    """A table the job writes (or the staged stats)."""
    return _STATS_TABLE if name == STATS else SCHEMA[name]


def columns(name: str) -> tuple[tuple[str, str], ...]:
    """``(column, DuckDB type)`` of a table the job writes (or of the staged stats)."""
    return tuple((c.name, c.sql) for c in table_of(name).columns)


def struct_of(name: str) -> pa.StructType:
    """A table's row as an Arrow struct (its fields: the table's columns)."""
    import pyarrow as pa

    return pa.struct(list(arrow_schema(table_of(name))))


def staged_ddl() -> str:
    """The staged rows' schema as a Spark DDL string (what ``mapInArrow`` is told)."""
    parts = ["`_table` STRING", "`_order` BIGINT"]
    for name in STAGED:
        fields = ", ".join(f"`{c.name}`: {spark_type(c.sql)}" for c in table_of(name).columns)
        parts.append(f"`{name}` STRUCT<{fields}>")
    return ", ".join(parts)


def staged_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [("_table", pa.string()), ("_order", pa.int64())] + [(t, struct_of(t)) for t in STAGED]
    )


def staged_batch(table: str, cols: dict[str, list[Any]], order: list[int]) -> pa.RecordBatch:
    """One table's rows (every column of ``columns(table)``) as a staged record batch."""
    import pyarrow as pa

    n = len(order)
    own = struct_of(table)
    arrays = [pa.array(cols[f.name], type=f.type) for f in own]
    body = pa.StructArray.from_arrays(arrays, fields=list(own))
    staged = [body if t == table else pa.nulls(n, type=struct_of(t)) for t in STAGED]
    return pa.RecordBatch.from_arrays(
        [pa.array([table] * n, type=pa.string()), pa.array(order, type=pa.int64()), *staged],
        schema=staged_schema(),
    )


def batch_tables(
    rows: BatchRows, orders: dict[str, int], *, now: datetime, batch: int
) -> list[pa.RecordBatch]:
    """A processed batch as staged record batches, one per non-empty table.

    ``orders`` maps an input record's source to its input order; an article's
    rows carry its record's order. The writer's columns (``ingested_at``,
    ``batch``, ``failed_at``, ``seen_at``) are filled with ``now`` and ``batch``.
    """
    out = []
    articles = rows.tables["articles"]
    by_id = {aid: orders[src] for aid, src in zip(articles["id"], articles["source"], strict=True)}
    for table in ("articles", "entities", "attributions", "times", "errors"):
        cols = dict(rows.tables[table])
        key = "id" if table == "articles" else "article_id"
        n = len(next(iter(cols.values())))
        if not n:
            continue
        if table == "articles":
            cols["ingested_at"] = [now] * n
            cols["batch"] = [batch] * n
        if table == "attributions":  # the corpus layer's, filled after the staging
            cols["speaker_id"] = [None] * n
            cols["statement_id"] = [None] * n
        if table == "errors":
            cols["failed_at"] = [now] * n
            order = [orders.get(s, -1) for s in cols["source"]]
        else:
            order = [by_id[a] for a in cols[key]]
        out.append(staged_batch(table, cols, order))
    if rows.ledger:
        ledger: dict[str, list[Any]] = {
            "source": [s for s, _, _ in rows.ledger],
            "outcome": [o for _, o, _ in rows.ledger],
            "article_id": [a for _, _, a in rows.ledger],
            "seen_at": [now] * len(rows.ledger),
        }
        out.append(staged_batch("sources", ledger, [orders.get(s, -1) for s, _, _ in rows.ledger]))
    return out


def stats_batch(counts: dict[str, int]) -> pa.RecordBatch:
    names = sorted(counts)
    cols: dict[str, list[Any]] = {"name": names, "n": [counts[k] for k in names]}
    return staged_batch(STATS, cols, [-1] * len(names))

"""Every table of the store, declared once: its columns, their DuckDB types, and where each
value comes from.

A column of a record table (``articles``, ``entities``, ``attributions``,
``times``) names the ``field`` of the record item it holds (``"cue.text"``: the
attribution's ``cue.text``, null when it has no cue), with how the value is
stored (``store``) and read back into the record's JSON form (``load``). A
column without a field is ``given`` by whoever adds the row (the article's id
and URL, an error's reason, a time expression's position) or filled by the
``writer`` (time stamps, the batch number).

From these declarations follow the ``CREATE TABLE`` statements
(``create_sql``), the rows a batch is made of (``store.rows``), a stored
article back as a ``Record`` (``Store.record``), and the Arrow and Spark types
of the Parquet datasets (``arrow_type``, ``spark_type``; ``onrecord.spark.schema``).
``TABLES`` keeps the plain form: table -> ((column, DuckDB type), ...), primary key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

DEFAULT_DB = "onrecord.duckdb"
#: bump when a table changes; a store of another version is refused, not migrated silently
SCHEMA_VERSION = 3


# --------------------------------------------------------------------------- values


def _timestamp(value: str | None) -> datetime | None:
    """An ISO 8601 time (a WARC date) as a naive UTC timestamp; None when unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _spans(spans: list[tuple[int, int]]) -> list[list[int]]:
    return [[int(s), int(e)] for s, e in spans]


def _span_lists(value: Any) -> list[list[int]]:
    return [list(s) for s in value] if value else []


def _list(value: Any) -> list[Any]:
    return list(value)


def _or_empty(value: Any) -> list[Any]:
    return value or []


def _removed(removed: list[Any]) -> list[dict[str, str]]:
    return [{"text": r.text, "reason": r.reason} for r in removed]


def _confidence(value: float) -> float:
    return round(float(value), 4)


# --------------------------------------------------------------------------- declarations


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name and DuckDB type, and where its value comes from."""

    name: str
    sql: str
    #: the attribute path of the value in the record item (``"cue.text"``); None: not read
    #: from the record
    field: str | None = None
    #: the record's value as stored (not called on a null); default: as it is
    store: Callable[[Any], Any] | None = None
    #: the stored value as the record's JSON form (called on every value); default: as it is
    load: Callable[[Any], Any] | None = None
    #: filled by the writing process (time stamps, batch), not where rows are made
    writer: bool = False
    #: for a given column, the name its value is given under (default: the column's)
    given_as: str | None = None

    #: ``field`` split at its dots
    path: tuple[str, ...] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", tuple(self.field.split(".")) if self.field else ())

    def value(self, item: Any, given: dict[str, Any]) -> Any:
        """The stored value of this column for one record item (or the given values)."""
        if self.field is None:
            raw = given[self.given_as or self.name]
        else:
            raw = item
            for name in self.path:
                raw = getattr(raw, name)
                if raw is None:
                    break
        return self.store(raw) if self.store is not None and raw is not None else raw


@dataclass(frozen=True, slots=True)
class Table:
    """One table: its columns in order and its primary key."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    #: the columns filled where rows are made (every one but the writer's)
    made: tuple[Column, ...] = dataclass_field(init=False, repr=False, compare=False)
    #: the columns read from the record item
    from_record: tuple[Column, ...] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "made", tuple(c for c in self.columns if not c.writer))
        object.__setattr__(
            self, "from_record", tuple(c for c in self.columns if c.field is not None)
        )

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def types(self) -> dict[str, str]:
        return {c.name: c.sql for c in self.columns}

    def create_sql(self) -> str:
        body = ",\n  ".join(f"{c.name} {c.sql}" for c in self.columns)
        return (
            f"CREATE TABLE IF NOT EXISTS {self.name} (\n  {body},\n"
            f"  PRIMARY KEY ({', '.join(self.key)})\n)"
        )

    def record_dict(self, row: dict[str, Any]) -> dict[str, Any]:
        """A stored row (column -> value) as the JSON form of its record item: a nested
        object (``cue``, ``source``, ``time``) is null when its first column is."""
        out: dict[str, Any] = {}
        missing: set[str] = set()
        for c in self.from_record:
            path = c.path
            value = row[c.name]
            if len(path) == 1:
                out[path[0]] = c.load(value) if c.load is not None else value
                continue
            outer, inner = path
            if outer not in out and outer not in missing:
                if value is None:
                    missing.add(outer)
                    continue
                out[outer] = {}
            if outer in missing:
                continue
            out[outer][inner] = c.load(value) if c.load is not None else value
        for outer in missing:
            out[outer] = None
        return out


_SPANS = "INTEGER[][]"
_REMOVED = "STRUCT(text VARCHAR, reason VARCHAR)[]"


def _spans_col(name: str, field: str) -> Column:
    return Column(name, _SPANS, field, _spans, _span_lists)


META = Table("meta", (Column("key", "VARCHAR"), Column("value", "VARCHAR")), ("key",))

#: one row per article; the item is the ``Record``, the rest is given by the caller
ARTICLES = Table(
    "articles",
    (
        Column("id", "VARCHAR"),
        Column("doc", "VARCHAR"),
        Column("url", "VARCHAR"),
        Column("title", "VARCHAR", "title"),
        Column("published", "DATE", "published", _date, _iso),
        Column("publisher", "VARCHAR"),
        Column("author", "VARCHAR"),
        Column("language", "VARCHAR"),
        Column("text", "VARCHAR", "text"),
        Column("credits", "VARCHAR[]", "credits", _list, _or_empty),
        Column("removed", _REMOVED, "removed", _removed, _or_empty),
        Column("source", "VARCHAR"),
        Column("source_path", "VARCHAR"),
        Column("fetched_at", "TIMESTAMP", store=_timestamp, given_as="fetched"),
        Column("ingested_at", "TIMESTAMP", writer=True),
        Column("batch", "BIGINT", writer=True),
    ),
    ("id",),
)

#: one row per ``Entity`` of a record
ENTITIES = Table(
    "entities",
    (
        Column("article_id", "VARCHAR"),
        Column("id", "VARCHAR", "id"),
        Column("name", "VARCHAR", "name"),
        Column("type", "VARCHAR", "type"),
        Column("titles", "VARCHAR[]", "titles", _list, _or_empty),
        _spans_col("mentions", "mentions"),
    ),
    ("article_id", "id"),
)

#: one row per ``Attribution`` of a record
ATTRIBUTIONS = Table(
    "attributions",
    (
        Column("article_id", "VARCHAR"),
        Column("id", "VARCHAR", "id"),
        Column("kind", "VARCHAR", "kind"),
        Column("content", "VARCHAR", "content.text"),
        _spans_col("content_spans", "content.spans"),
        _spans_col("quotes", "quotes"),
        Column("cue", "VARCHAR", "cue.text"),
        Column("cue_lemma", "VARCHAR", "cue.lemma"),
        _spans_col("cue_spans", "cue.spans"),
        Column("source", "VARCHAR", "source.text"),
        _spans_col("source_spans", "source.spans"),
        Column("source_entity", "VARCHAR", "source.entity"),
        Column("source_name", "VARCHAR", "source.name"),
        Column("anonymous", "BOOLEAN", "source.anonymous", load=bool),
        Column("source_kind", "VARCHAR", "source.kind"),
        Column("via", "VARCHAR", "via"),
        Column("time_text", "VARCHAR", "time.text"),
        Column("time_value", "VARCHAR", "time.value"),
        Column("confidence", "DOUBLE", "confidence", _confidence),
        # added in schema version 2 (MIGRATIONS): to whom, and where or in what medium
        Column("addressee", "VARCHAR", "addressee.text"),
        _spans_col("addressee_spans", "addressee.spans"),
        Column("addressee_entity", "VARCHAR", "addressee.entity"),
        Column("addressee_name", "VARCHAR", "addressee.name"),
        Column("addressee_kind", "VARCHAR", "addressee.kind"),
        Column("setting", "VARCHAR", "setting.text"),
        _spans_col("setting_spans", "setting.spans"),
        # added in schema version 3: the corpus layer (onrecord.corpus). The key is made with
        # the row (``corpus.names``); the speaker and the statement are the writer's, over the
        # blocks a batch touches
        Column("speaker_key", "VARCHAR"),
        # the content's word trigrams, hashed (``corpus.statements.gram_hashes``): the index
        # a new attribution finds the statements it may join by
        Column("content_grams", "INTEGER[]"),
        Column("speaker_id", "VARCHAR", writer=True),
        Column("statement_id", "VARCHAR", writer=True),
    ),
    ("article_id", "id"),
)

#: one row per canonical speaker (``corpus.speakers``): every attribution whose speaker_id
#: is its id, across articles
SPEAKERS = Table(
    "speakers",
    (
        Column("id", "VARCHAR"),
        Column("key", "VARCHAR"),
        Column("name", "VARCHAR"),
        Column("aliases", "VARCHAR[]"),
        Column("kind", "VARCHAR"),
        Column("titles", "STRUCT(title VARCHAR, first_seen DATE, last_seen DATE)[]"),
        Column("articles", "INTEGER"),
        Column("attributions", "INTEGER"),
        Column("first_seen", "DATE"),
        Column("last_seen", "DATE"),
    ),
    ("id",),
)

#: one row per statement (``corpus.statements``): the attributions whose statement_id is its
#: id report one statement of one speaker, in one or more articles
STATEMENTS = Table(
    "statements",
    (
        Column("id", "VARCHAR"),
        Column("speaker_id", "VARCHAR"),
        Column("text", "VARCHAR"),
        Column("first_published", "DATE"),
        Column("first_article", "VARCHAR"),
        Column("articles", "INTEGER"),
        Column("outlets", "VARCHAR[]"),
        Column("attributions", "INTEGER"),
    ),
    ("id",),
)

#: one row per ``TimeExpression`` of a record; ``n`` is its position
TIMES = Table(
    "times",
    (
        Column("article_id", "VARCHAR"),
        Column("n", "INTEGER"),
        Column("text", "VARCHAR", "text"),
        _spans_col("spans", "spans"),
        Column("value", "VARCHAR", "value"),
        Column("anchored", "BOOLEAN", "anchored", load=bool),
    ),
    ("article_id", "n"),
)

#: one row per input record that failed, with its reason
ERRORS = Table(
    "errors",
    (
        Column("source", "VARCHAR"),
        Column("path", "VARCHAR"),
        Column("record", "VARCHAR"),
        Column("doc", "VARCHAR"),
        Column("reason", "VARCHAR"),
        Column("message", "VARCHAR"),
        Column("failed_at", "TIMESTAMP", writer=True),
    ),
    ("source",),
)

#: the ledger: one row per input record ever processed, and what became of it
SOURCES = Table(
    "sources",
    (
        Column("source", "VARCHAR"),
        Column("outcome", "VARCHAR"),
        Column("article_id", "VARCHAR"),
        Column("seen_at", "TIMESTAMP", writer=True),
    ),
    ("source",),
)

#: every table, in creation order
SCHEMA: dict[str, Table] = {
    t.name: t
    for t in (
        META,
        ARTICLES,
        ENTITIES,
        ATTRIBUTIONS,
        TIMES,
        ERRORS,
        SOURCES,
        SPEAKERS,
        STATEMENTS,
    )
}
#: the corpus layer's tables: computed from the attributions, not written by batches
CORPUS_TABLES = ("speakers", "statements")
#: the tables a batch writes rows to for its articles, children of articles last
ARTICLE_TABLES = ("articles", "entities", "attributions", "times")
#: every table: (column, DuckDB type) in order, then the primary key
TABLES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    name: (tuple((c.name, c.sql) for c in t.columns), t.key) for name, t in SCHEMA.items()
}


def columns(table: str) -> list[str]:
    """The column names of a store table, in order."""
    return SCHEMA[table].names


def create_sql() -> list[str]:
    """The statements that create every table (and the batch numbers' sequence)."""
    return [
        *(t.create_sql() for t in SCHEMA.values()),
        "CREATE SEQUENCE IF NOT EXISTS batch_seq START 1",
    ]


# --------------------------------------------------------------------------- Arrow and Spark

#: DuckDB scalar type -> (pyarrow constructor, Spark SQL type)
_SCALARS = {
    "VARCHAR": ("string", "STRING"),
    "DATE": ("date32", "DATE"),
    "TIMESTAMP": ("timestamp", "TIMESTAMP_NTZ"),
    "BIGINT": ("int64", "BIGINT"),
    "INTEGER": ("int32", "INT"),
    "DOUBLE": ("float64", "DOUBLE"),
    "BOOLEAN": ("bool_", "BOOLEAN"),
}
_STRUCT = re.compile(r"STRUCT\((.*)\)", re.S)


def _fields(struct_body: str) -> list[list[str]]:
    return [f.strip().split(" ", 1) for f in struct_body.split(",")]


def spark_type(duck: str) -> str:
    """A DuckDB type name as a Spark SQL type (``INTEGER[][]`` -> ``ARRAY<ARRAY<INT>>``)."""
    duck = duck.strip()
    if duck.endswith("[]"):
        return f"ARRAY<{spark_type(duck[:-2])}>"
    if m := _STRUCT.fullmatch(duck):
        fields = _fields(m.group(1))
        return "STRUCT<" + ", ".join(f"`{n}`: {spark_type(t)}" for n, t in fields) + ">"
    return _SCALARS[duck][1]


def arrow_type(duck: str) -> pa.DataType:
    """A DuckDB type name as an Arrow type (the one DuckDB's own Parquet export reads back as)."""
    import pyarrow as pa

    duck = duck.strip()
    if duck.endswith("[]"):
        return pa.list_(arrow_type(duck[:-2]))
    if m := _STRUCT.fullmatch(duck):
        return pa.struct([(n, arrow_type(t)) for n, t in _fields(m.group(1))])
    name = _SCALARS[duck][0]
    return pa.timestamp("us") if name == "timestamp" else getattr(pa, name)()


def arrow_schema(table: Table) -> pa.Schema:
    """A table's columns as an Arrow schema (what ``onrecord export --parquet`` writes)."""
    import pyarrow as pa

    return pa.schema([(c.name, arrow_type(c.sql)) for c in table.columns])


#: how a store of an older schema version becomes the next one: per version, the statements
#: that bring it one version up (run in one transaction, with the version stamp); new columns
#: go at the end of their table, so a migrated store has the columns of a new one, in order
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: tuple(
        f"ALTER TABLE attributions ADD COLUMN {c.name} {c.sql}"
        for c in ATTRIBUTIONS.columns
        if c.name
        in (
            "addressee",
            "addressee_spans",
            "addressee_entity",
            "addressee_name",
            "addressee_kind",
            "setting",
            "setting_spans",
        )
    ),
    # the corpus layer; the columns' values are computed by the migration (Store._migrate)
    2: (
        *(
            f"ALTER TABLE attributions ADD COLUMN {c.name} {c.sql}"
            for c in ATTRIBUTIONS.columns
            if c.name in ("speaker_key", "content_grams", "speaker_id", "statement_id")
        ),
        SPEAKERS.create_sql(),
        STATEMENTS.create_sql(),
    ),
}

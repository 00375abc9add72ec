"""Records as rows: ``BatchRows`` (one batch's column lists, made where records are made) and
``Written`` (what ``Store.write`` added).

The columns and how each value is read from a record come from ``store.schema``;
``BatchRows`` is plain Python data, so it pickles cheaply from a worker to the
one writing process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from onrecord.corpus.names import attribution_key
from onrecord.corpus.statements import gram_hashes
from onrecord.store.schema import ARTICLE_TABLES, SCHEMA, Table

if TYPE_CHECKING:
    from onrecord.record import Record


class BatchRows:
    """One batch's rows, as column lists per table, built where records are made."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, list[Any]]] = {
            t: {c.name: [] for c in SCHEMA[t].made} for t in (*ARTICLE_TABLES, "errors")
        }
        #: (source, outcome, article_id) for the ledger; articles are added by the writer
        self.ledger: list[tuple[str, str, str | None]] = []

    def __len__(self) -> int:
        return len(self.tables["articles"]["id"]) + len(self.ledger)

    def _add(self, table: Table, item: Any, given: dict[str, Any]) -> None:
        cols = self.tables[table.name]
        for c in table.made:
            cols[c.name].append(c.value(item, given))

    def add_article(
        self,
        record: Record,
        *,
        id: str,
        doc: str | None,
        url: str | None,
        publisher: str | None = None,
        author: str | None = None,
        language: str | None = None,
        source: str,
        source_path: str | None = None,
        fetched: str | None = None,
    ) -> None:
        """One article: its row, and one row per entity, attribution and time expression."""
        given: dict[str, Any] = {
            "id": id,
            "doc": doc,
            "url": url,
            "publisher": publisher,
            "author": author,
            "language": language,
            "source": source,
            "source_path": source_path,
            "fetched": fetched,
        }
        self._add(SCHEMA["articles"], record, given)
        child = {"article_id": id}
        for entity in record.entities:
            self._add(SCHEMA["entities"], entity, child)
        entities = {e.id: e for e in record.entities}
        for attribution in record.attributions:
            given = {
                **child,
                "speaker_key": attribution_key(attribution, entities),
                "content_grams": gram_hashes(attribution.content.text),
            }
            self._add(SCHEMA["attributions"], attribution, given)
        for n, time in enumerate(record.times):
            self._add(SCHEMA["times"], time, {"article_id": id, "n": n})

    def add_error(
        self,
        *,
        source: str,
        reason: str,
        message: str,
        path: str | None = None,
        record: str | None = None,
        doc: str | None = None,
    ) -> None:
        given = {
            "source": source,
            "path": path,
            "record": record,
            "doc": doc,
            "reason": reason,
            "message": message,
        }
        self._add(SCHEMA["errors"], None, given)

    def add_duplicate(self, *, source: str, article_id: str) -> None:
        """An input record whose article another record of the batch already gave."""
        self.ledger.append((source, "duplicate", article_id))


@dataclass(slots=True)
class CorpusChange:
    """What one update of the corpus layer changed (``store.corpus.update``)."""

    blocks: int = 0
    seconds: float = 0.0  # time the update took
    speakers: int = 0  # speakers rows written
    statements: int = 0  # statements rows written
    attributions: int = 0  # attributions whose speaker or statement changed


@dataclass(slots=True)
class Written:
    """What one ``Store.write`` added."""

    articles: int = 0
    duplicates: int = 0
    errors: int = 0
    already: int = 0  # input records already in the ledger (another run did them)
    reasons: dict[str, int] = field(default_factory=dict)  # the new errors, by reason
    batch: int = 0  # the batch number the rows were written under
    previous_top: int = 0  # the highest batch number among articles before this write
    #: (content, article_id, attribution id) of the attributions written, for the index
    index_rows: list[tuple[str, str, str]] = field(default_factory=list)
    #: the ids of the articles written
    article_ids: list[str] = field(default_factory=list)
    #: what the batch changed in the corpus layer (``store.corpus``)
    corpus: CorpusChange | None = None

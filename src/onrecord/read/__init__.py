"""Read: one reader per input format, all yielding the same ``RawDocument``.

- ``document``: ``RawDocument``, ``RecordError``, byte decoding and the size limits;
- ``text``, ``jsonl``, ``html``, ``warc``, ``parquet``: one module per format;
- ``uri``: local paths and remote URIs opened as streams;
- ``sources``: command-line paths -> every input record, whatever its format (used by
  ``extract``, ``ingest`` and ``spark`` alike).
"""

from onrecord.read.document import RawDocument, RecordError

__all__ = ["RawDocument", "RecordError"]

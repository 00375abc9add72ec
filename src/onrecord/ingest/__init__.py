"""Ingest: news in bulk into the store, streaming, on every core.

- ``prepare``: finish one read document in a worker (page extraction, the language check, the
  publication date, the stable article id);
- ``runner``: the process pool that prepares documents, runs the pipeline and writes each
  batch to the store in one transaction.

The readers live in ``onrecord.read`` (shared with ``extract`` and ``spark``). Nothing heavy
is imported here: trafilatura, warcio, py3langid and duckdb load when first used.
"""

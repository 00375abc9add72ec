"""The store: ``schema`` (every table, declared once), ``rows`` (records -> column batches),
``database`` (the DuckDB file: writes in one transaction per batch, reads), ``fts`` (the SQLite
full-text index beside it), ``query`` (the questions the CLI, API and pages ask), ``load``
(Parquet datasets into a store)."""

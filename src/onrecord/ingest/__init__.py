"""Ingest stage: read news in bulk (HTML, WARC, JSON Lines, text) into the store.

One module per job, each importable on its own:

- ``html``: decode a page and extract its body and metadata (trafilatura);
- ``warc``: the HTML response records of a WARC file;
- ``language``: the language check (py3langid, whose model ships inside it);
- ``sources``: turn command-line paths into a stream of ``RawDocument``s
  (and ``RecordError``s for input that cannot be read);
- ``runner``: the streaming process pool that prepares documents, runs the
  pipeline and writes each batch to the store in one transaction.

Nothing heavy is imported here: trafilatura, warcio, py3langid and duckdb load
when first used.
"""

from __future__ import annotations

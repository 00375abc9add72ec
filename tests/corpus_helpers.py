"""The corpus layer of a store as plain rows, to compare two stores (tests only)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def layer(path: Path) -> tuple[list[tuple[object, ...]], ...]:
    """Speakers, statements, and every attribution's key and ids, in a stable order."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return (
            con.execute("SELECT * FROM speakers ORDER BY id").fetchall(),
            con.execute("SELECT * FROM statements ORDER BY id").fetchall(),
            con.execute(
                "SELECT article_id, id, speaker_key, speaker_id, statement_id FROM attributions "
                "ORDER BY article_id, id"
            ).fetchall(),
        )
    finally:
        con.close()

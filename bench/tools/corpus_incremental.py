"""Check that the corpus layer kept up to date batch by batch is the layer computed whole.

    .venv/bin/python -m bench.tools.corpus_incremental --db POLNEAR.duckdb [--batch 16]

The records of ``--db`` are written again, in a shuffled order and in batches
of ``--batch``, into a fresh store (``Store.write``: each batch updates the
layer incrementally); then a copy of that store is rebuilt whole
(``Store.rebuild_corpus``). The two layers (``speakers``, ``statements``, and
every attribution's speaker and statement id) must be equal, row for row.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

from onrecord.store.database import Store
from onrecord.store.rows import BatchRows


def layer(store: Store) -> tuple[list[str], ...]:
    """The layer's rows, each as its repr (rows hold lists)."""
    con = store.con
    tables = (
        "SELECT * FROM speakers ORDER BY id",
        "SELECT * FROM statements ORDER BY id",
        "SELECT article_id, id, speaker_id, statement_id FROM attributions ORDER BY 1, 2",
    )
    return tuple([repr(r) for r in con.execute(sql).fetchall()] for sql in tables)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "batches.duckdb"
        with Store(args.db, read_only=True) as source, Store(fresh) as store:
            ids = [r[0] for r in source.con.execute("SELECT id FROM articles").fetchall()]
            random.Random(args.seed).shuffle(ids)
            for start in range(0, len(ids), args.batch):
                rows = BatchRows()
                for aid in ids[start : start + args.batch]:
                    found = source.record(aid)
                    assert found is not None
                    meta, record = found
                    rows.add_article(
                        record, id=aid, doc=meta["doc"], url=meta["url"],
                        publisher=meta["publisher"], source=meta["source"],
                    )  # fmt: skip
                store.write(rows)
            batched = layer(store)
        whole = Path(tmp) / "whole.duckdb"
        shutil.copy(fresh, whole)
        with Store(whole) as store:
            store.rebuild_corpus()
            rebuilt = layer(store)
    names = ("speakers", "statements", "attributions")
    same = True
    for name, a, b in zip(names, batched, rebuilt, strict=True):
        diff = len(set(a) ^ set(b))
        print(f"{name}: {len(a)} rows batch by batch, {len(b)} whole, {diff} differ")
        same &= diff == 0
    print("equal" if same else "NOT EQUAL")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

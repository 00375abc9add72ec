"""Pick the web set's pages from a store made by `onrecord ingest` of the shared WARC.

    python eval/web/select_pages.py --db web.duckdb > eval/web/pages.jsonl

Deterministic (seed 2026): 20 whole pages (stored text 1,500-9,000 characters, drawn in turn
from each source collection of the WARC's manifest) and 60 judged pages (other pages with at
least one stored attribution, up to 12,000 characters).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import duckdb

MANIFEST = Path(__file__).resolve().parents[2] / "../shared/data/news-pages/manifest.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--manifest", default=str(MANIFEST))
    args = ap.parse_args()
    collection = {}
    for line in Path(args.manifest).read_text().splitlines():
        row = json.loads(line)
        collection[row["url"]] = row["source"]
    con = duckdb.connect(args.db, read_only=True)
    rows = con.sql(
        "SELECT a.url, length(a.text), count(t.id) FROM articles a "
        "LEFT JOIN attributions t ON t.article_id = a.id GROUP BY a.url, a.text ORDER BY a.url"
    ).fetchall()
    rng = random.Random(2026)
    by_coll: dict[str, list[str]] = {}
    for url, n, _ in rows:
        if 1500 <= n <= 9000:
            by_coll.setdefault(collection.get(url, "?"), []).append(url)
    for urls in by_coll.values():
        rng.shuffle(urls)
    whole: list[str] = []
    while len(whole) < 20 and any(by_coll.values()):
        for coll in sorted(by_coll):
            if by_coll[coll] and len(whole) < 20:
                whole.append(by_coll[coll].pop())
    rest = [url for url, n, k in rows if k > 0 and n <= 12000 and url not in whole]
    rng.shuffle(rest)
    for url in whole:
        print(json.dumps({"page": url, "set": "whole", "collection": collection.get(url)}))
    for url in rest[:60]:
        print(json.dumps({"page": url, "set": "judged", "collection": collection.get(url)}))


if __name__ == "__main__":
    main()

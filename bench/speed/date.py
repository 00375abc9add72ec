"""Time ``onrecord.stages.date.normalize`` and measure how many DATE entities get a value.

The articles of PolNeAR dev (``../shared/data/polnear/dev/text``) are parsed
once with the project's spaCy model; their DATE entities, each with its
article's publication date from ``metadata.tsv``, are the workload. Parsing
is not timed: only ``normalize()`` calls are.

- speed, uncached: every call computes (the normalize cache is bypassed and
  the dateparser cache cleared first, dateparser already imported);
- speed, cached: repeated passes through ``normalize()`` and its LRU cache;
- coverage of ``normalize`` on the raw entity text: share with a value;
- coverage of ``find_times`` (trimmed spans, durations and ages skipped):
  DATE entities that give a valued time expression, one kept with value
  None, or nothing.

This is a measurement set: the rules were written from PolNeAR *train*.

    .venv/bin/python -m bench.speed.date
    .venv/bin/python -m bench.speed.date --show 40   # unresolved examples
"""

from __future__ import annotations

import argparse
import csv
import time
from collections import Counter
from datetime import date
from pathlib import Path

from onrecord.nlp.model import load_model
from onrecord.stages import date as dates

ROOT = Path(__file__).resolve().parents[2]
POLNEAR = ROOT.parent / "shared" / "data" / "polnear"


def publication_dates(path: Path) -> dict[str, date]:
    with path.open(encoding="utf-8", newline="") as f:
        return {
            row["filename"]: date.fromisoformat(row["publication_date"])
            for row in csv.DictReader(f, delimiter="\t")
            if row.get("publication_date") not in (None, "", "None")
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="dev", help="PolNeAR split (default dev)")
    ap.add_argument("--passes", type=int, default=20, help="cached timing passes")
    ap.add_argument("--show", type=int, default=0, help="list this many unresolved entities")
    args = ap.parse_args()

    published = publication_dates(POLNEAR / "metadata.tsv")
    files = sorted((POLNEAR / args.split / "text").glob("*.txt"))
    nlp = load_model()
    t0 = time.perf_counter()
    docs = list(nlp.pipe((f.read_text(encoding="utf-8") for f in files), batch_size=16))
    parse_s = time.perf_counter() - t0

    items: list[tuple[str, date | None]] = []
    ft = Counter[str]()
    unresolved = Counter[str]()
    for f, doc in zip(files, docs, strict=True):
        pub = published.get(f.stem)
        for ent in doc.ents:
            if ent.label_ != "DATE":
                continue
            items.append((ent.text, pub))
            found = dates.time_expression(ent, pub)
            if found is None:
                ft["skipped"] += 1
            elif found.value is None:
                ft["kept, value None"] += 1
                unresolved[found.text] += 1
            else:
                ft["anchored" if found.anchored else "absolute"] += 1
    n = len(items)
    no_pub = sum(1 for _, p in items if p is None)

    # speed, uncached
    dates._dateparser("March 1963", date(2016, 1, 1))  # import and warm dateparser
    dates._dateparser.cache_clear()
    dates._normalize.cache_clear()
    raw = dates._normalize.__wrapped__
    t0 = time.perf_counter()
    raw_values = [raw(text, pub, None) for text, pub in items]
    uncached_s = time.perf_counter() - t0
    fallback_calls = dates._dateparser.cache_info().misses

    # the same, split: calls the regular expressions answer vs. dateparser fallbacks
    goes_to_fallback = [
        dates._norm(dates._clean(text), pub, None) is None and dates._is_date_like(text)
        for text, pub in items
    ]
    regex_items = [it for it, fb in zip(items, goes_to_fallback, strict=True) if not fb]
    fallback_items = [it for it, fb in zip(items, goes_to_fallback, strict=True) if fb]
    t0 = time.perf_counter()
    for text, pub in regex_items:
        raw(text, pub, None)
    regex_s = time.perf_counter() - t0
    dates._dateparser.cache_clear()
    t0 = time.perf_counter()
    for text, pub in fallback_items:
        raw(text, pub, None)
    fallback_s = time.perf_counter() - t0

    # speed, cached (what a batch sees: repeated texts hit the LRU cache)
    dates._normalize.cache_clear()
    t0 = time.perf_counter()
    for _ in range(args.passes):
        for text, pub in items:
            dates.normalize(text, pub)
    cached_s = (time.perf_counter() - t0) / args.passes

    valued = sum(1 for v, _ in raw_values if v is not None)
    by_fallback = 0
    for text, pub in items:
        if dates._norm(dates._clean(text), pub, None) is None:
            by_fallback += dates._dateparser(dates._clean(text), pub)[0] is not None

    print(f"PolNeAR {args.split}: {len(files)} articles, {n} DATE entities")
    print(f"  (parse {parse_s:.1f} s, not timed below; {no_pub} entities without a date)")
    print("speed of normalize()")
    print(
        f"  uncached  {n / uncached_s:>10,.0f} calls/s  {uncached_s / n * 1e6:7.1f} us/call"
        f"  ({fallback_calls} dateparser calls)"
    )
    print(f"  cached    {n / cached_s:>10,.0f} calls/s  {cached_s / n * 1e6:7.1f} us/call")
    if regex_items:
        r = len(regex_items)
        print(f"  regex path, uncached     {regex_s / r * 1e6:7.1f} us/call  ({r} calls)")
    if fallback_items:
        f = len(fallback_items)
        print(f"  dateparser path, uncached {fallback_s / f * 1e3:6.2f} ms/call  ({f} calls)")
    print("coverage")
    print(f"  normalize(entity text) has a value   {valued / n:6.1%}  ({valued}/{n})")
    print(f"    of which from dateparser fallback  {by_fallback}")
    with_value = ft["anchored"] + ft["absolute"]
    print(f"  find_times: valued time expression   {with_value / n:6.1%}  ({with_value}/{n})")
    for key in ("anchored", "absolute", "kept, value None", "skipped"):
        print(f"    {key:<32} {ft[key]:5d}  {ft[key] / n:6.1%}")
    kept = with_value + ft["kept, value None"]
    if kept:
        print(f"  of the kept (dates, not durations)   {with_value / kept:6.1%} have a value")
    if args.show:
        print("unresolved but kept:")
        for text, count in unresolved.most_common(args.show):
            print(f"  {count:3d}  {text!r}")


if __name__ == "__main__":
    main()

"""Body extraction quality on the Zyte article-extraction benchmark: onrecord vs trafilatura.

``../shared/data/zyte-benchmark`` has 181 real pages (``html/<id>.html.gz``) and
their ground-truth article bodies. The scoring is the benchmark's, as its
README describes it: the words (``\\w+``) of each body, the multiset of
overlapping 4-word shingles (case kept) of truth and prediction; per page
TP = shared shingles, FP = extra predicted, FN = missed (normalized to sum to
1, which leaves precision and recall unchanged); precision and recall per
page, averaged over pages (a page with nothing expected and nothing predicted
scores 1.0; nothing predicted for a page with a body: precision 0, recall 0),
and F1 from the two averages.

Systems scored side by side:

- ``trafilatura``: ``trafilatura.extract(html)`` with its defaults (the
  reference: F1 0.960 measured with trafilatura 2.3.1);
- ``onrecord``: the body onrecord extracts for the page (``read_html_file``
  -> ``extract_html``, what the ingest workers run; the pipeline stores that
  text unchanged), a page it finds no article in scoring as empty;
- both again on the ``English`` pages only: the pages onrecord stores (the
  benchmark has Portuguese, Russian, Korean... pages, which onrecord keeps as
  ``unsupported_language`` errors by design);
- with ``--via-store``, ``onrecord stored``: a real ``onrecord ingest`` of the
  pages into a fresh database, bodies read back from ``articles.text``.

    .venv/bin/python -m bench.quality.zyte [--via-store] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "zyte-benchmark"
_WORD = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text or "")
    return Counter(tuple(words[i : i + n]) for i in range(max(0, len(words) - n + 1)))


def page_scores(truth: str, pred: str) -> tuple[float, float]:
    """(precision, recall) of one page."""
    t, p = shingles(truth), shingles(pred)
    if not t and not p:
        return 1.0, 1.0
    tp = sum((t & p).values())
    fp = sum(p.values()) - tp
    fn = sum(t.values()) - tp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def score(truth: dict[str, str], pred: dict[str, str]) -> dict[str, float]:
    ps, rs = [], []
    for key, body in truth.items():
        p, r = page_scores(body, pred.get(key, ""))
        ps.append(p)
        rs.append(r)
    precision, recall = sum(ps) / len(ps), sum(rs) / len(rs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def trafilatura_body(path: Path) -> str:
    import trafilatura

    return trafilatura.extract(gzip.decompress(path.read_bytes())) or ""


def onrecord_body(path: Path) -> str:
    """The body onrecord extracts from the page (before the language check)."""
    from onrecord.errors import InputError
    from onrecord.read.html import extract_html, read_html_file

    try:
        return extract_html(read_html_file(path, extract=False)).text
    except InputError:
        return ""


def onrecord_kept(path: Path) -> bool:
    """Whether onrecord stores the page at all (English, an article)."""
    from onrecord.errors import InputError
    from onrecord.ingest.prepare import prepare
    from onrecord.read.html import read_html_file

    try:
        prepare(read_html_file(path, extract=False))
    except InputError:
        return False
    return True


def stored_bodies(pages: list[Path]) -> dict[str, str]:
    import duckdb

    from onrecord.ingest.runner import IngestOptions, ingest

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "zyte.duckdb")
        ingest([str(p) for p in pages], options=IngestOptions(db=db))
        con = duckdb.connect(db, read_only=True)
        rows = con.execute("SELECT source_path, text FROM articles").fetchall()
        con.close()
    return {Path(path).name.removesuffix(".html.gz"): text for path, text in rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--via-store", action="store_true", help="also score a real ingest's bodies")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not (args.data / "ground-truth.json").exists():
        print(f"no benchmark at {args.data}", file=sys.stderr)
        return 2
    truth_raw = json.loads((args.data / "ground-truth.json").read_text(encoding="utf-8"))
    truth = {k: v["articleBody"] for k, v in truth_raw.items()}
    pages = sorted((args.data / "html").glob("*.html.gz"))
    systems: dict[str, Callable[[Path], str]] = {
        "trafilatura": trafilatura_body,
        "onrecord": onrecord_body,
    }
    report: dict[str, dict[str, float]] = {}
    preds: dict[str, dict[str, str]] = {}
    for name, system in systems.items():
        system(pages[0])  # warm-up: imports
        started = time.perf_counter()
        preds[name] = {p.name.removesuffix(".html.gz"): system(p) for p in pages}
        elapsed = time.perf_counter() - started
        report[name] = {
            **score(truth, preds[name]),
            "ms_per_page": round(1000 * elapsed / len(pages), 1),
            "empty": sum(not v.strip() for v in preds[name].values()),
        }
    # what onrecord stores: English articles only (the rest are errors rows by design)
    kept = {p.name.removesuffix(".html.gz") for p in pages if onrecord_kept(p)}
    english = {k: v for k, v in truth.items() if k in kept}
    for name in systems:
        report[f"{name}, English"] = {**score(english, preds[name]), "pages": len(english)}
    if args.via_store:
        started = time.perf_counter()
        pred = stored_bodies(pages)
        elapsed = time.perf_counter() - started
        report["onrecord stored, English"] = {
            **score(english, pred),
            "pages": len(pred),
            "s_full_ingest": round(elapsed, 1),
        }
    if args.json:
        print(json.dumps({"pages": len(pages), "systems": report}, indent=2))
    else:
        print(f"Zyte article-extraction benchmark: {len(pages)} pages")
        print(f"{'system':<26} {'P':>6} {'R':>6} {'F1':>6}  other")
        for name, r in report.items():
            extra = ", ".join(
                f"{k} {v}" for k, v in r.items() if k not in ("precision", "recall", "f1")
            )
            print(f"{name:<26} {r['precision']:>6.3f} {r['recall']:>6.3f} {r['f1']:>6.3f}  {extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

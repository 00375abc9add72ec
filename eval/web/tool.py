"""Annotation helper for the web set (not shipped): show a page's stored text with offsets,
make anchors, list stored attributions, check an annotation file.

    python eval/web/tool.py --db web.duckdb show URL [--from N --to M]
    python eval/web/tool.py --db web.duckdb find URL "a phrase"
    python eval/web/tool.py --db web.duckdb anchor URL START END
    python eval/web/tool.py --db web.duckdb stored URL
    python eval/web/tool.py --db web.duckdb check FILE.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys

import duckdb


def anchor(text: str, start: int, end: int) -> dict[str, object]:
    words = text[start:end].split()
    return {"start": start, "end": end, "head": " ".join(words[:4]), "tail": " ".join(words[-4:])}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("cmd", choices=["show", "find", "anchor", "stored", "check"])
    ap.add_argument("args", nargs="*")
    ap.add_argument("--from", dest="lo", type=int, default=0)
    ap.add_argument("--to", dest="hi", type=int, default=None)
    a = ap.parse_args()
    con = duckdb.connect(a.db, read_only=True)

    def text_of(url: str) -> tuple[str, str]:
        row = con.execute("SELECT id, text FROM articles WHERE url = ?", [url]).fetchone()
        if row is None:
            sys.exit(f"no stored article with url {url}")
        return row[0], row[1]

    if a.cmd == "show":
        _, text = text_of(a.args[0])
        hi = a.hi if a.hi is not None else len(text)
        pos = a.lo
        for para in text[a.lo : hi].split("\n"):
            print(f"[{pos}] {para}")
            pos += len(para) + 1
    elif a.cmd == "find":
        _, text = text_of(a.args[0])
        i = text.find(a.args[1])
        while i >= 0:
            print(i, i + len(a.args[1]))
            i = text.find(a.args[1], i + 1)
    elif a.cmd == "anchor":
        _, text = text_of(a.args[0])
        s, e = int(a.args[1]), int(a.args[2])
        print(json.dumps(anchor(text, s, e), ensure_ascii=False), "|", repr(text[s:e][:200]))
    elif a.cmd == "stored":
        aid, text = text_of(a.args[0])
        rows = con.execute(
            "SELECT id, kind, cue_spans, content_spans, source_spans, source_name, source_kind, "
            "anonymous, confidence FROM attributions WHERE article_id = ? "
            "ORDER BY CAST(substr(id, 2) AS INTEGER)",
            [aid],
        ).fetchall()
        for rid, kind, cue, content, source, name, skind, anon, conf in rows:

            def sp(spans):
                return " … ".join(text[s:e] for s, e in spans or [])

            print(f"--- {rid} {kind} conf={conf:.2f} speaker={name!r} ({skind}, anon={anon})")
            print(f"  source {source}: {sp(source)!r}")
            print(f"  cue {cue}: {sp(cue)!r}")
            print(f"  content {content}: {sp(content)[:400]!r}")
    elif a.cmd == "check":
        bad = 0
        with open(a.args[0]) as f:
            lines = f.read().splitlines()
        for n, line in enumerate(lines, 1):
            row = json.loads(line)
            _, text = text_of(row["page"])
            for key in ("source", "cue", "content", "addressee", "setting"):
                span = row.get(key)
                if not span:
                    continue
                want = anchor(text, span["start"], span["end"])
                if (want["head"], want["tail"]) != (span["head"], span["tail"]):
                    bad += 1
                    print(
                        f"line {n} {key}: anchors {span['head']!r}/{span['tail']!r} but "
                        f"text[{span['start']}:{span['end']}] gives "
                        f"{want['head']!r}/{want['tail']!r}"
                    )
        print(f"{bad} bad anchors")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

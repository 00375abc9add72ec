"""How the command line shows things: a record as readable text, rows as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from onrecord.record import Record


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_text(record: Record) -> str:
    """A readable view of a record: speaker — cue — content, with kind and date."""
    lines = []
    head = record.title or record.doc
    meta = [f"doc {record.doc}"]
    if record.published:
        meta.append(f"published {record.published}")
    lines.append(f"== {head}")
    lines.append("   " + " · ".join(meta))
    if record.credits:
        lines.append("   credits: " + ", ".join(record.credits))
    if record.removed:
        reasons: dict[str, int] = {}
        for r in record.removed:
            reasons[r.reason] = reasons.get(r.reason, 0) + 1
        lines.append(
            f"   removed {len(record.removed)} lines: "
            + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
        )
    titles = {e.id: e.titles for e in record.entities}
    by_id = {a.id: a for a in record.attributions}
    lines.append(f"   {len(record.attributions)} attributions")
    for a in record.attributions:
        src = a.source
        if src is None:
            speaker = "(no source)"
        else:
            speaker = src.name or src.text
            if src.entity and titles.get(src.entity):
                speaker += f" ({titles[src.entity][0]})"
            if src.anonymous:
                speaker += " [anonymous]"
        cue = a.cue.text if a.cue else "-"
        when = f" [{a.time.value or a.time.text}]" if a.time else ""
        via = ""
        if a.via and a.via in by_id and by_id[a.via].source is not None:
            inner = by_id[a.via].source
            assert inner is not None
            via = f" ← via {inner.name or inner.text}"
        lines.append(f"   {a.id:>4} {a.kind:<12} {speaker} — {cue}{when}{via}")
        lines.append(f"        {_short(a.content.text)}")
    return "\n".join(lines)


def by_name(counts: dict[str, int]) -> str:
    """``a 3, b 1``: counts in name order, for a summary line."""
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def emit(
    rows: list[dict[str, Any]], fmt: str, out: TextIO, table: list[tuple[str, str, int]]
) -> None:
    if fmt == "json":
        out.write(json.dumps([{k: plain(v) for k, v in r.items()} for r in rows], indent=2,
                             ensure_ascii=False) + "\n")  # fmt: skip
    elif fmt == "csv":
        if rows:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            for r in rows:
                writer.writerow({k: cell(v) for k, v in r.items()})
    else:
        out.write(format_table(rows, table) + "\n")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(plain(value))


def format_table(rows: list[dict[str, Any]], columns: list[tuple[str, str, int]]) -> str:
    """A plain-text table; ``columns`` are (key, header, max width; 0 = takes the rest)."""
    if not rows:
        return "(no rows)"
    width = max(60, shutil.get_terminal_size((120, 24)).columns)
    cells = [[" ".join(cell(r.get(k)).split()) for k, _, _ in columns] for r in rows]
    widths = []
    for i, (_, head, cap) in enumerate(columns):
        natural = max(len(head), *(len(c[i]) for c in cells))
        widths.append(min(natural, cap) if cap else natural)
    flex = [i for i, (_, _, cap) in enumerate(columns) if not cap]
    fixed = sum(w for i, w in enumerate(widths) if i not in flex) + 2 * (len(columns) - 1)
    for i in flex:
        widths[i] = max(len(columns[i][1]), min(widths[i], width - fixed))

    def fit(text: str, w: int) -> str:
        return text if len(text) <= w else text[: max(0, w - 1)] + "…"

    def line(values: list[str]) -> str:
        return "  ".join(fit(v, w).ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line([h for _, h, _ in columns]), line(["-" * w for w in widths])]
    out.extend(line(c) for c in cells)
    return "\n".join(out)

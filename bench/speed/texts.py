"""What the speed benchmarks share: the texts of a PolNeAR split, read once."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT.parent / "shared" / "data" / "polnear" / "dev"


def split_texts(gold: Path) -> list[str]:
    """Every ``text/*.txt`` of ``gold`` in name order; exit 2 with a one-line error when none."""
    files = sorted((gold / "text").glob("*.txt"))
    if not files:
        print(f"no texts under {gold / 'text'}", file=sys.stderr)
        raise SystemExit(2)
    return [f.read_text(encoding="utf-8") for f in files]

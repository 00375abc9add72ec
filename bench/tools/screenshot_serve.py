"""The README's screenshot of the article page, taken by a script (not a benchmark).

Ingests ``examples/`` (fictional articles) into a temporary database with the real command,
starts ``onrecord serve`` on it (``bench.speed.serve.start_server``), opens the Port Alder
article in headless Chromium (/usr/bin/chromium, driven by Playwright), selects the nested
"Local media ← two officials" attribution and writes ``docs/img/article-page.png``.

    .venv/bin/python -m bench.tools.screenshot_serve [--out docs/img/article-page.png]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench.speed.serve import PY, ROOT, start_server

CHROMIUM = "/usr/bin/chromium"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "article-page.png")
    ap.add_argument("--width", type=int, default=1200)
    ap.add_argument("--height", type=int, default=1060)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "examples.duckdb"
        cmd = [PY, "-m", "onrecord.cli.main", "ingest", str(ROOT / "examples"), "--db", str(db)]
        subprocess.run([*cmd, "--workers", "1", "--no-progress"], check=True)
        proc, base = start_server(db)
        try:
            record = httpx.get(f"{base}/api/articles/port-alder-harbor-budget").json()
            nested = next(a for a in record["attributions"] if a["via"])
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                )
                page = browser.new_page(
                    viewport={"width": args.width, "height": args.height},
                    device_scale_factor=1,
                )
                page.goto(f"{base}/articles/{record['id']}")
                page.locator(f"#pick-{nested['id']}").click()
                page.evaluate("window.scrollTo(0, 0)")  # the title, the text, the panel
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

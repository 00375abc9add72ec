"""The shipped int8 tagger under several onnxruntime releases, in one run, on one core.

    OMP_NUM_THREADS=1 taskset -c 1 .venv/bin/python -m bench.speed.onnxruntime_releases \
        [--versions 1.29.0 1.32.0] [--rounds 3] [--json]

Each release is installed once, without its dependencies (those of the project's own
onnxruntime serve), into ``cache/onnxruntime/<version>`` with pip, and put first on the
``PYTHONPATH`` of a child process that runs the model over the windows of PolNeAR dev
(``--texts`` of them) exactly as accurate mode does: one window per model run, one
onnxruntime thread. Releases take turns round after round, so that the machine's noise hits
all alike; the best round of each is reported, in milliseconds per window and per article.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from bench.speed.pipeline import cpu_info

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "cache" / "onnxruntime"

CHILD = r"""
import json, sys, time
import onnxruntime
from bench.speed.texts import DEV, split_texts
from onrecord.accurate.tagger import Tagger, encode
texts = split_texts(DEV)[: int(sys.argv[1])]
tagger = Tagger()
tagger.probabilities(texts[:2])  # warm up
t0 = time.perf_counter()
for text in texts:
    tagger.probabilities([text])
wall = time.perf_counter() - t0
n_windows = sum(len(encode(tagger.tokenizer, t).windows) for t in texts)
print(json.dumps({"version": onnxruntime.__version__, "seconds": wall,
                  "articles": len(texts), "windows": n_windows}))
"""


def install(version: str) -> Path | None:
    """The directory holding onnxruntime ``version`` (None: the project's own)."""
    if version == "installed":
        return None
    target = CACHE / version
    if not (target / "onnxruntime").is_dir():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
             f"onnxruntime=={version}"],
            check=True,
        )  # fmt: skip
    return target


def run(target: Path | None, n_texts: int) -> dict[str, float]:
    env = dict(os.environ)
    if target is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(target), env.get("PYTHONPATH", "")])
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n_texts)],
        cwd=ROOT,  # the child imports bench.speed.texts from the checkout
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--versions",
        nargs="+",
        default=["1.29.0", "1.32.0"],
        help="onnxruntime releases from PyPI; 'installed' is the project's own",
    )
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--texts", type=int, default=30, help="PolNeAR dev articles per round")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    targets = {v: install(v) for v in args.versions}
    best: dict[str, dict[str, float]] = {}
    for r in range(1, args.rounds + 1):
        for v, target in targets.items():
            res = run(target, args.texts)
            per_window = 1000 * res["seconds"] / res["windows"]
            per_article = 1000 * res["seconds"] / res["articles"]
            print(
                f"round {r}: onnxruntime {res['version']}: {per_window:.1f} ms per window, "
                f"{per_article:.0f} ms per article",
                file=sys.stderr,
            )
            if v not in best or per_window < best[v]["ms_per_window"]:
                best[v] = {
                    "version": res["version"],  # type: ignore[dict-item]
                    "ms_per_window": round(per_window, 2),
                    "ms_per_article": round(per_article, 1),
                    "windows_per_article": round(res["windows"] / res["articles"], 2),
                }
    report = {"cpu": cpu_info(), "best_round": list(best.values())}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for b in best.values():
            print(f"onnxruntime {b['version']}: {b['ms_per_window']} ms per window (best round)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

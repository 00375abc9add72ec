"""Accurate mode with its tagger in a child process against the tagger in-process, in one run.

    OMP_NUM_THREADS=1 taskset -c 1 python -m bench.speed.tagger_process [--rounds 3]
    OMP_NUM_THREADS=1 python -m bench.speed.tagger_process      # with a second core

Both pipelines are loaded side by side and run ``Pipeline.pipe(clean=False)`` over the same
texts (PolNeAR dev by default), alternating round by round so that machine noise hits both
alike. Pinned to one core, wall time is CPU time of the parent and the child together; the
CPU seconds of both processes are reported too. Each side runs in a process of its own
(``ONRECORD_TAGGER_PROCESS=1`` or ``0``), so that importing onnxruntime for one side does not
put a thread into the process that parses for the other.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

from bench.speed.texts import DEV, split_texts


def _side(in_process: bool, texts: list[str], go: object, done: object) -> None:
    os.environ["ONRECORD_TAGGER_PROCESS"] = "0" if in_process else "1"
    from onrecord import Pipeline

    pipeline = Pipeline(mode="accurate")
    child = getattr(pipeline._combiner.tagger, "cpu_seconds", None)
    for _ in pipeline.pipe(texts[:4], clean=False):
        pass
    while True:
        if go.recv() is None:  # type: ignore[attr-defined]
            return
        c0 = time.process_time() + (child() if child else 0.0)
        t0 = time.perf_counter()
        n = sum(1 for _ in pipeline.pipe(texts, clean=False))
        wall = time.perf_counter() - t0
        cpu = time.process_time() + (child() if child else 0.0) - c0
        done.send((n, wall, cpu))  # type: ignore[attr-defined]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=DEV)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    texts = split_texts(args.gold)
    ctx = multiprocessing.get_context("spawn")
    sides = {}
    for name, in_process in (("tagger process", False), ("in-process", True)):
        go_recv, go_send = ctx.Pipe(duplex=False)
        done_recv, done_send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_side, args=(in_process, texts, go_recv, done_send))
        proc.start()
        sides[name] = (proc, go_send, done_recv)
    rows: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for r in range(args.rounds):
        for name, (_, go, done) in sides.items():
            go.send(True)
            n, wall, cpu = done.recv()
            assert n == len(texts)
            rows[name].append((wall, cpu))
            print(
                f"round {r + 1}: {name:14s} {len(texts) / wall:5.2f} articles/s, {cpu:6.1f} CPU s",
                file=sys.stderr,
            )
    for proc, go, _ in sides.values():
        go.send(None)
        proc.join()
    best = {name: (min(w for w, _ in v), min(c for _, c in v)) for name, v in rows.items()}
    proc_wall, proc_cpu = best["tagger process"]
    in_wall, in_cpu = best["in-process"]
    result = {
        "texts": len(texts),
        "process_articles_per_s": round(len(texts) / proc_wall, 2),
        "in_process_articles_per_s": round(len(texts) / in_wall, 2),
        "speedup_wall": round(in_wall / proc_wall, 3),
        "speedup_cpu": round(in_cpu / proc_cpu, 3),
        "rounds": {k: [[round(w, 2), round(c, 2)] for w, c in v] for k, v in rows.items()},
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"tagger process {result['process_articles_per_s']:.2f} articles/s, in-process "
            f"{result['in_process_articles_per_s']:.2f}: speed-up {result['speedup_wall']:.3f} "
            f"wall, {result['speedup_cpu']:.3f} CPU"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env bash
# The outputs of one source tree, for comparing two versions byte for byte:
#   git worktree add /tmp/old REV
#   bash bench/tools/same_outputs.sh /tmp/old/src /tmp/out-old
#   bash bench/tools/same_outputs.sh src /tmp/out-new
#   cmp /tmp/out-old/dev_fast.jsonl /tmp/out-new/dev_fast.jsonl   # and demo.txt, dev_acc.jsonl
# and the two stores table by table (EXCEPT ALL both ways, time stamps and batch numbers left
# out). Runs from the repository root with the project's venv; needs ../shared.
set -euo pipefail
SRC=$(cd "$1" && pwd)
OUT=$2
mkdir -p "$OUT"
cd "$(dirname "$0")/../.."
export PYTHONPATH=$SRC
OR=".venv/bin/python -m onrecord.cli"
$OR extract examples/*.txt --format text --published 2031-04-09 > "$OUT/demo.txt" 2>&1
$OR extract --no-clean --format jsonl ../shared/data/polnear/dev/text/ > "$OUT/dev_fast.jsonl"
$OR extract --no-clean --format jsonl --mode accurate ../shared/data/polnear/dev/text/ \
  > "$OUT/dev_acc.jsonl"
rm -f "$OUT/warc.duckdb" "$OUT/warc.duckdb.fts"
$OR ingest ../shared/data/news-pages/news-pages.warc.gz --db "$OUT/warc.duckdb" --workers 2 \
  --no-progress > "$OUT/ingest.txt" 2>&1 || true

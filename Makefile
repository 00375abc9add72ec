# onrecord: one place for set-up, the demo, the tests and the checks.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LINTED := src tests bench train eval

.PHONY: setup demo test check lint format eval gate bench train-fast train clean

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
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

check: lint test

eval: setup
	$(BIN)/onrecord eval --gold ../shared/data/polnear/dev

gate: setup
	$(BIN)/python -m pytest -q tests/test_gate.py

# speed of Pipeline.pipe against the bare parse (bench/README.md lists the other measurements)
bench: setup
	$(BIN)/python -m bench.speed.pipeline

# fast mode's cue model, from PolNeAR train (dev-time; scikit-learn comes with the dev extra)
train-fast: setup
	$(BIN)/python train/train_fast.py

# accurate mode's tagger (dev-time): the training venv (.venv-train, train/setup.sh), fine-tuning,
# ONNX int8 export into src/onrecord/data, then the dev score. Needs ../shared/data/polnear.
train:
	bash train/setup.sh
	.venv-train/bin/python train/train_tagger.py --epochs 4 --all-annotators --lr 1e-4 --work out/tagger

clean:
	rm -rf $(VENV) build dist src/*.egg-info .mypy_cache .ruff_cache .pytest_cache

# ---------------------------------------------------------------------------------------------
# development targets: measurements and experiments, nothing here changes what ships
#
#   score-tagger   the shipped tagger alone (no parse, no combination) scored on PolNeAR dev
#                  with onrecord's scorer, and its speed (bench/quality/tagger.py)
#   train-small    a 3-layer tagger cut from the 6-layer one of `make train` and fine-tuned
#                  again (~2x faster, ~6 points lower full F1); written to out/l3, not shipped:
#                  copy its tagger.* files into src/onrecord/data to use it
#   tune-accurate  accurate mode's combination scored on the 40 train articles the tagger never
#                  saw, with a fast-mode cue model fitted without them too (the shipped one saw
#                  them; the refitted one goes to cache/, not the package), by
#                  bench/quality/heldout_accurate.py; `ARGS="--set NAME=VALUE"` tries a variant
# ---------------------------------------------------------------------------------------------
.PHONY: score-tagger train-small tune-accurate

score-tagger: setup
	$(BIN)/python -m bench.quality.tagger

train-small:
	test -f out/tagger/epoch4.pt || $(MAKE) train
	bash train/setup.sh
	.venv-train/bin/python train/train_tagger.py --init out/tagger/epoch4.pt --layers 3 \
		--epochs 1 --work out/l3 --out-dir out/l3

tune-accurate: setup
	$(BIN)/python -m bench.quality.heldout_accurate --write-names cache/accurate/heldout.names
	test -f cache/cue_model.without-heldout.json || $(BIN)/python train/train_fast.py \
		--holdout-names cache/accurate/heldout.names --out cache
	$(BIN)/python -m bench.quality.heldout_accurate --cue-model cache/cue_model.without-heldout.json \
		$(ARGS)

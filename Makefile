# The README's two commands: `make run` and `make test`. Both set everything up first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test index build eval bench lint clean

setup: $(STAMP)

# torch first, pinned, so that no other package pulls a CUDA build of it.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Build the index only when it is missing or stale.
index: setup
	@$(BIN)/assistant status 2>/dev/null || $(BIN)/assistant build

build: setup
	$(BIN)/assistant build

run: index
	$(BIN)/assistant chat

test: setup
	$(BIN)/python -m pytest

eval: index
	$(BIN)/assistant eval

bench: index
	$(BIN)/python scripts/bench.py

lint: setup
	$(BIN)/ruff check assistant scripts tests
	$(BIN)/mypy

clean:
	rm -rf index index.building index.old .pytest_cache .mypy_cache .ruff_cache

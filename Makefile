# The README's two commands: `make run` and `make test`. Both set everything up first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test test-fast index build eval bench loadbench bench-update screenshot chromium axe fonts ocr-libs ocr-bench lint clean
CHROMIUM := /usr/bin/chromium
# apt needs root: sudo when not root and sudo is there.
SUDO := $(shell [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null && echo sudo)

setup: $(STAMP) ocr-libs

# OpenCV (pulled in by the OCR engine, rapidocr-onnxruntime) loads libGL and GLib; installed when missing.
ocr-libs:
	@ldconfig -p | grep -q 'libGL.so.1 ' && ldconfig -p | grep -q 'libglib-2.0.so.0 ' || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libgl1 libglib2.0-0; }

# torch first, pinned, so that no other package pulls a CUDA build of it.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev,milvus,ray]'
	touch $(STAMP)

# Build the index only when it is missing or stale.
index: setup
	@$(BIN)/assistant status 2>/dev/null || $(BIN)/assistant build

build: setup
	$(BIN)/assistant build

# The web page and the API on http://127.0.0.1:7860/ (ASSISTANT_HOST / ASSISTANT_PORT to change).
run: index
	$(BIN)/assistant serve

# Debian's Chromium for the browser test, installed when missing.
chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver; }

# A Chinese font, for the tests that draw scanned pages to read back by OCR, installed when missing.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
fonts:
	@test -f $(CJK_FONT) || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq fonts-wqy-microhei; }

# axe-core (npm) for the browser tests' accessibility checks, pinned in package-lock.json.
AXE := node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(AXE)

test: setup chromium axe fonts
	$(BIN)/python -m pytest

# The unit tests only (tests/unit: no index build, under a minute).
test-fast: setup fonts
	$(BIN)/python -m pytest tests/unit -q

eval: index
	$(BIN)/assistant eval

# OCR accuracy and seconds per page on the corpus's own pages drawn as scans (tesseract too, if installed).
ocr-bench: setup fonts
	$(BIN)/python scripts/ocr_bench.py

bench: index
	$(BIN)/python scripts/bench.py

# 16 concurrent clients for 30 s against /api/ask on a server it starts.
loadbench: index
	$(BIN)/python scripts/loadbench.py

# A generated 20-page PDF added to a copy of the corpus: incremental update against a full rebuild.
bench-update: setup
	$(BIN)/python scripts/bench_update.py

# docs/screenshot-phone.png and docs/screenshot-desktop.png: the page after an answer (needs fonts-noto-cjk and fonts-noto-color-emoji for the glyphs).
screenshot: index chromium
	$(BIN)/python scripts/screenshot.py

lint: setup
	$(BIN)/ruff check assistant web scripts tests
	$(BIN)/mypy

clean:
	rm -rf index index.building index.old .pytest_cache .mypy_cache .ruff_cache

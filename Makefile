# wurao — one entry point for set-up, demo, tests, lint and benchmarks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/wurao/web/static/vendor
PY_DIRS := src tests $(wildcard bench scripts)

.PHONY: setup demo test lint format bench assets system clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

$(VENDOR)/.copied: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	touch $@

assets: $(VENDOR)/.copied

setup: $(VENV)/.installed assets

system:
	bash scripts/ensure-system.sh

demo: setup
	$(BIN)/wurao demo

lint: setup
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/mypy src

format: setup
	$(BIN)/ruff format $(PY_DIRS)
	$(BIN)/ruff check --fix $(PY_DIRS)

test: setup system lint
	$(BIN)/pytest -n 2 --dist loadgroup

bench: setup system
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var .pytest_cache .mypy_cache .ruff_cache

# Everything a fresh machine needs lives here: `make demo`, `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-slow lint format bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,pecos]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/ftq demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest -q -m "not slow" --doctest-modules ftq cultivation jones tests

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

bench: $(STAMP)
	$(BIN)/python -m cultivation.bench
	$(BIN)/python -m jones.bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test sandbox check-content lint bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/appeal-bot run

sandbox: $(BIN)/.installed
	$(BIN)/appeal-bot sandbox

test: $(BIN)/.installed
	$(BIN)/python -m pytest

check-content: $(BIN)/.installed
	$(BIN)/appeal-bot check-content

lint: $(BIN)/.installed
	$(BIN)/ruff check .

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

# A real Chromium for the sandbox's browser test (installs Debian's package when root; otherwise
# prints how to). Stamped only once a Chromium is found, so a later `make test` tries again.
$(VENV)/.chromium: scripts/ensure-chromium | $(BIN)/.installed
	@sh scripts/ensure-chromium
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; \
		then touch $@; fi

test: $(BIN)/.installed $(VENV)/.chromium
	$(BIN)/python -m pytest

check-content: $(BIN)/.installed
	$(BIN)/appeal-bot check-content

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Two commands on a fresh machine: `make run` and `make test`. Each creates .venv if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# gettext catalogs of the interface: bot/locale/<lang>/LC_MESSAGES/appeal_bot.po (see babel.cfg)
LOCALE := bot/locale
DOMAIN := appeal_bot

.PHONY: run test sandbox check-content lint bench i18n

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/pybabel -q compile -d $(LOCALE) -D $(DOMAIN)
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

# After changing interface texts: collect them into the .pot, merge it into every language's .po
# (new texts come untranslated, changed ones fuzzy: tests/test_i18n_catalogs.py fails until they
# are translated), and compile the .mo files the bot reads.
i18n: $(BIN)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output \
		--add-comments=TRANSLATORS: --project="Appeal Bot" \
		--copyright-holder="the Appeal Bot contributors" -o $(LOCALE)/$(DOMAIN).pot .
	$(BIN)/pybabel -q update -i $(LOCALE)/$(DOMAIN).pot -d $(LOCALE) -D $(DOMAIN)
	$(BIN)/pybabel compile -d $(LOCALE) -D $(DOMAIN) --statistics

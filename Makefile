# The two commands of the README: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint messages bench browsers

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

messages: $(BIN)/.installed
	cd sitecert && ../$(BIN)/sitecert compilemessages --verbosity 0

run: messages
	$(BIN)/sitecert migrate --verbosity 1
	$(BIN)/sitecert seed-demo
	$(BIN)/sitecert runserver 127.0.0.1:8000

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sitecert makemigrations --check --dry-run --verbosity 0

# The browser tests drive Debian's Chromium, with CJK fonts for the screenshots; installed when missing.
browsers:
	@if ! command -v chromium >/dev/null || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "Please install Debian's chromium and fonts-noto-cjk (sudo apt-get install chromium fonts-noto-cjk)"; exit 1; fi; \
	fi

test: messages lint browsers
	@echo "== tests on SQLite =="
	$(BIN)/pytest
	@echo "== tests on PostgreSQL =="
	scripts/with-postgres $(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/import_registry.py
	scripts/with-postgres $(BIN)/python bench/import_registry.py
	$(BIN)/python bench/registrations.py

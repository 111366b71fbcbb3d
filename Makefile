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

test: messages lint
	@echo "== tests on SQLite =="
	$(BIN)/pytest
	@echo "== tests on PostgreSQL =="
	scripts/with-postgres $(BIN)/pytest

bench: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/import_registry.py
	scripts/with-postgres $(BIN)/python bench/import_registry.py

# The two commands of the README: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint messages bench system-packages

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev,serve]'
	touch $@

# The compiled catalogs are committed, so that `pip install .` ships them (tests/test_translations.py keeps
# them equal to their sources): after editing a .po, `make messages` and commit the .mo beside it. Neither
# command rebuilds them: a fresh clone's .po may be a few nanoseconds newer than its .mo, and gettext is a
# test-only package.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard sitecert/locale/*/LC_MESSAGES/*.po))
messages: $(CATALOGS)
%.mo: %.po
	msgfmt --check-format -o $@ $<

run: $(BIN)/.installed
	$(BIN)/sitecert migrate --verbosity 1
	$(BIN)/sitecert keys generate --if-missing
	$(BIN)/sitecert seed-demo
	$(BIN)/sitecert runserver 127.0.0.1:8000

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	$(BIN)/sitecert makemigrations --check --dry-run --verbosity 0

# Debian packages the product and its tests use, installed when missing: the CJK TrueType font the PDFs
# embed; Chromium and CJK fonts for the browser tests; poppler and zbar to read PDFs and QR codes back;
# gettext to check the compiled catalogs; nginx and Redis for the production topology (scripts/cluster),
# Redis also as the shared cache and the task queue's broker of the PostgreSQL pass; Node and npm to run the
# documented JavaScript verifier (tests/certificates/test_interop_js.py, jose from npm's lock file). A package
# counts as present when its command is (NodeSource's nodejs carries npm and conflicts with Debian's npm).
RUN_DEBS := fonts-wqy-microhei
TEST_DEBS := $(RUN_DEBS) chromium fonts-noto-cjk poppler-utils zbar-tools gettext nginx redis-server nodejs npm
run: DEBS = $(RUN_DEBS)
test: DEBS = $(TEST_DEBS)
system-packages:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || command -v $$p >/dev/null || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Please install: sudo apt-get install $$missing"; exit 1; fi; \
	fi

run: system-packages

test: lint system-packages
	@echo "== tests on SQLite =="
	$(BIN)/pytest
	@echo "== tests on PostgreSQL, with Redis as the shared cache and the task queue's broker =="
	scripts/with-postgres scripts/with-redis $(BIN)/pytest -m "not cluster"

bench: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[dev,bench,serve]'
	scripts/with-redis $(BIN)/python bench/import_registry.py
	scripts/with-postgres scripts/with-redis $(BIN)/python bench/import_registry.py
	scripts/with-redis $(BIN)/python bench/registrations.py
	scripts/with-redis $(BIN)/python bench/heartbeats.py
	scripts/with-postgres scripts/with-redis $(BIN)/python bench/heartbeats.py
	scripts/with-redis $(BIN)/python bench/certificates.py
	scripts/with-postgres scripts/with-redis $(BIN)/python bench/certificates.py
	scripts/with-redis $(BIN)/python bench/duty.py
	scripts/with-postgres scripts/with-redis $(BIN)/python bench/duty.py

# Portal Bansos Desa Duri Selatan. `make run` and `make test` do all the set-up.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test install translations extract update-translations migrate seed lint format bench crash scan clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,bench]"
	touch $(STAMP)

install: $(STAMP)

# Compiled catalogues are build output (git-ignored); the .po files are the source.
translations: $(STAMP)
	$(BIN)/pybabel compile -d translations --statistics 2>&1 | tail -n 1

extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k t --ignore-dirs '.* __*' -o translations/messages.pot --no-location --sort-output .

# Extract, update the Indonesian catalogue and fill it from translations/pending/*.json,
# keeping the catalogue's 100-column wrapping (pybabel update would rewrap every entry).
update-translations: install
	$(BIN)/python translations/fill.py translations/pending/*.json

migrate: install
	$(FLASK) db upgrade

run: install translations migrate
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite on SQLite; again on PostgreSQL when TEST_DATABASE_URL is set.
# With TEST_DATABASE_URL the suite also runs on PostgreSQL (browser tests only once, on
# SQLite). The two runs go side by side, one a core; the PostgreSQL run's output
# follows the SQLite run's.
test: install translations lint
	@set +e; pg=; pgrc=0; \
	if [ -n "$$TEST_DATABASE_URL" ]; then \
		PORTAL_TEST_ENGINE=postgresql $(BIN)/pytest -m "not browser" -p no:cacheprovider \
			> $(VENV)/pytest-postgresql.log 2>&1 & pg=$$!; \
	fi; \
	$(BIN)/pytest; rc=$$?; \
	if [ -n "$$pg" ]; then \
		wait $$pg; pgrc=$$?; \
		echo "== the same suite on PostgreSQL ($$TEST_DATABASE_URL), without the browser tests =="; \
		cat $(VENV)/pytest-postgresql.log; \
	fi; \
	if [ $$rc -ne 0 ] || [ $$pgrc -ne 0 ]; then echo "FAILED: SQLite $$rc, PostgreSQL $$pgrc"; exit 1; fi

bench: install translations
	$(BIN)/python bench/run.py

# kill -9 of a worker and of the whole server under writes (bench/README.md, "Crashes").
crash: install translations
	$(BIN)/python bench/crash.py

# sqlmap and wapiti against a demo, as each role (Debian packages; about 20 minutes).
scan: install translations
	$(BIN)/python bench/scan.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

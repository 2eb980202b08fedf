# CoPsite: `make run` serves the demo on SQLite; `make test` runs everything against PostgreSQL and Redis.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/copsite
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# Parallel test processes (pytest-xdist); 2 matches the CI machine's cores.
PYTEST_WORKERS ?= 2

# The first interpreter of at least 3.12 (Django 6 needs it); pyenv's .python-version selects 3.13 here.
PYTHON := $(shell for p in python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	echo $$p; break; fi; done)

.PHONY: help run install migrate demo test test-fast lint worker beat check-python clean bench

help:
	@echo "make run     set up, migrate, load demo data and serve on http://127.0.0.1:$(PORT) (SQLite, in-process tasks)"
	@echo "make test    ruff, migrations check and the whole suite against PostgreSQL and Redis, with coverage"
	@echo "make test-fast  the inner loop: the suite without browser journeys and real workers (matrix included)"
	@echo "make worker  a Celery worker (needs REDIS_URL)"
	@echo "make beat    Celery beat, the periodic scheduler (needs REDIS_URL)"

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "CoPsite needs Python 3.12 or newer: install python3.13 (or python3.12) and run make again."; exit 1; fi

$(VENV)/.installed: pyproject.toml | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

# Tools the suite runs, from npm (package.json): the W3C Nu HTML validator (vnu.jar, run with the machine's Java).
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py render_markup -v 0

demo: migrate
	$(PY) manage.py seed_demo

# Links in mail, feeds and invitations point at the port `make run` serves on, unless SITE_URL says otherwise.
SITE_URL ?= http://127.0.0.1:$(PORT)
demo run: export SITE_URL := $(SITE_URL)

run: demo
	SITE_URL=$(SITE_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: install
	$(VENV)/bin/celery -A copsite worker --loglevel=INFO

beat: install
	@mkdir -p var
	$(VENV)/bin/celery -A copsite beat --loglevel=INFO --schedule var/celerybeat-schedule

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: export DATABASE_URL ?= $(TEST_DATABASE_URL)
test: export REDIS_URL ?= $(TEST_REDIS_URL)
test: export DJANGO_ALLOW_ASYNC_UNSAFE := true
test: export CACHE_KEY_PREFIX ?= copsite-test
test: install node_modules/.installed
	@$(PY) tools/check_services.py
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --create-db --durations=10 --cov --cov-report=term --cov-report=json:var/coverage.json $(PYTEST_ARGS)
	$(PY) tools/coverage_per_app.py var/coverage.json

# The inner loop while working: no browser journeys, no real Celery worker, no subprocess servers; the
# authorization matrix and the query counts included. Fresh test databases, migrated, as in `make test`.
test-fast: export DATABASE_URL ?= $(TEST_DATABASE_URL)
test-fast: export REDIS_URL ?= $(TEST_REDIS_URL)
test-fast: export DJANGO_ALLOW_ASYNC_UNSAFE := true
test-fast: export CACHE_KEY_PREFIX ?= copsite-test
test-fast: install
	@$(PY) tools/check_services.py
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --create-db -q -m "not browser and not services and not slow" $(PYTEST_ARGS)

# The pages of the performance table under load (docs/performance.md, "make bench"): needs PostgreSQL, Redis and
# wrk; creates and seeds the copsite_bench database the first time (several minutes). BENCH_SECONDS per wrk run.
BENCH_SECONDS ?= 5
bench: export BENCH_SECONDS := $(BENCH_SECONDS)
bench: install
	$(PY) benchmarks/bench.py

clean:
	rm -rf $(VENV) var

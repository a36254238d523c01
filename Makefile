# Ascent. Everything installs itself: `make run` serves the demo, `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
UV := $(shell command -v uv 2>/dev/null || echo .local/uv/bin/uv)
STACK := $(UV) run --frozen --quiet python scripts/stack.py

.PHONY: help install run dev test bench loadtest lint mypy migrations deploy-check smoke check fmt seed system-packages
help:
	@echo "make run    install, migrate, seed the demo, serve on http://127.0.0.1:$${PORT:-8000} with worker and beat, as production does"
	@echo "make dev    the same with DEBUG on: autoreload and Django's debug page"
	@echo "make test   install and run the whole suite (ARGS='-k foo' to narrow)"
	@echo "make check  what CI runs: quick checks (lint, mypy, migrations) first, then the suite, deploy check, smoke"
	@echo "make loadtest  gunicorn + locust for 60 s over the demo: throughput, p50/p95/p99, errors (LOADTEST_USERS, LOADTEST_SECONDS)"
	@echo "make bench  benchmarks, with the 10,000-person seed (bench/results.json; BENCH_STRICT=1: a missed budget fails)"
	@echo "make lint   ruff, format check, mypy    make seed  refresh the demo data"

.local/uv/bin/uv:
	@echo "[ascent] uv not found: installing it into .local/uv with pip"
	python3 -m venv .local/uv && .local/uv/bin/pip install --quiet uv

install: $(if $(filter .local/uv/bin/uv,$(UV)),.local/uv/bin/uv)
	@$(UV) sync --frozen --quiet

system-packages:
	@bash scripts/ensure_packages.sh

run: install
	@$(STACK) run

dev: install
	@$(STACK) dev

test: install system-packages
	@$(STACK) test $(ARGS)

bench: install
	@$(STACK) bench $(ARGS)

loadtest: install
	@$(STACK) loadtest $(ARGS)

seed: install
	@$(STACK) manage seed_demo

# Checks that need no database: seconds, so CI runs them before the long suite.
CHECK_ENV := DATABASE_URL=postgres://lint@localhost/lint SECRET_KEY=dev-lint ASCENT_TESTING=1

lint: install mypy
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

mypy: install
	$(CHECK_ENV) $(UV) run --frozen mypy

migrations: install
	$(CHECK_ENV) $(UV) run --frozen python manage.py makemigrations --check --dry-run

deploy-check: install
	SECRET_KEY="$$(python3 -c 'import secrets; print(secrets.token_urlsafe(60))')" \
	  DEBUG=0 ALLOWED_HOSTS=ascent.example.com CSRF_TRUSTED_ORIGINS=https://ascent.example.com \
	  $(STACK) manage check --deploy --fail-level WARNING --database default

smoke: install
	@bash scripts/smoke_run.sh

# What CI runs (.ci/run adds the services check and points everything at the machine's servers).
check: lint migrations test deploy-check smoke

fmt: install
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

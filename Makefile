# Ascent. Everything installs itself: `make run` serves the demo, `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
UV := $(shell command -v uv 2>/dev/null || echo .local/uv/bin/uv)
STACK := $(UV) run --frozen --quiet python scripts/stack.py

.PHONY: help install run test bench lint fmt seed browser
help:
	@echo "make run    install, migrate, seed the demo, serve on http://127.0.0.1:$${PORT:-8000} with worker and beat"
	@echo "make test   install and run the whole suite (ARGS='-k foo' to narrow)"
	@echo "make bench  benchmarks    make lint  ruff, format check, mypy    make seed  refresh the demo data"

.local/uv/bin/uv:
	@echo "[ascent] uv not found: installing it into .local/uv with pip"
	python3 -m venv .local/uv && .local/uv/bin/pip install --quiet uv

install: $(if $(filter .local/uv/bin/uv,$(UV)),.local/uv/bin/uv)
	@$(UV) sync --frozen --quiet

browser:
	@bash scripts/ensure_chromium.sh

run: install
	@$(STACK) run

test: install browser
	@$(STACK) test $(ARGS)

bench: install
	@$(STACK) bench $(ARGS)

seed: install
	@$(STACK) manage seed_demo

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	DATABASE_URL=postgres://lint@localhost/lint SECRET_KEY=dev-lint ASCENT_TESTING=1 $(UV) run --frozen mypy

fmt: install
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

# OrderFlow: the verbs people type. Areas add their own targets in mk/*.mk.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(CURDIR)/.tools/bin:$(HOME)/.local/bin:$(PATH)
UV_VERSION ?= 0.13.9
UV := uv
SRC_DIRS := $(wildcard libs/*/src services/*/src)
empty :=
SRC_PATH := $(subst $(empty) $(empty),:,$(SRC_DIRS))
# On CI the PostgreSQL tests must run; `make test` never skips them silently (see libs/testing).
export ORDERFLOW_TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

.PHONY: help install uv test test-python lint format migrate run

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

uv: ## Install uv into .tools/ unless it is already on PATH
	@command -v $(UV) >/dev/null 2>&1 || { \
		echo "installing uv $(UV_VERSION) into .tools/"; \
		python3 -m venv .tools && .tools/bin/pip install --quiet "uv==$(UV_VERSION)"; }

install: uv ## Install every Python package from the lock (idempotent)
	$(UV) sync --frozen --all-packages

test: test-python ## Run every test

test-python: install ## Python tests: unit, API, PostgreSQL, system
	$(UV) run --frozen pytest

lint: install ## ruff and mypy --strict
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	MYPYPATH=$(SRC_PATH) $(UV) run --frozen mypy $(SRC_DIRS)

format: install ## Apply ruff's fixes and formatting
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

-include mk/*.mk

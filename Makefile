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
# Likewise the Redis tests (the gateway's shared budgets), on a database number of their own.
export ORDERFLOW_TEST_REDIS_URL ?= redis://127.0.0.1:6379/9

# Where each component listens; every one is also a setting of its own (see README).
CUSTOMER_PORT ?= 8001
ORDER_PORT ?= 8002
IDENTITY_PORT ?= 8003
GATEWAY_PORT ?= 8000
FRONTEND_PORT ?= 5173
# The Lab's span receiver in the gateway (loopback only; docs/adr/0023).
LAB_OTLP_PORT ?= 4319
# How make run and make dev print the components' logs: console (one line per event) or json.
LOG_FORMAT ?= console
# MEMORY=1 keeps every database in memory: a clean slate at each start.
MEMORY ?= 0
ifeq ($(MEMORY),1)
export CUSTOMER_DATABASE_URL ?= sqlite+aiosqlite:///:memory:
export ORDER_DATABASE_URL ?= sqlite+aiosqlite:///:memory:
export IDENTITY_DATABASE_URL ?= sqlite+aiosqlite:///:memory:
endif
export CUSTOMER_PORT ORDER_PORT IDENTITY_PORT GATEWAY_PORT FRONTEND_PORT
export ORDER_CUSTOMER_SERVICE_URL ?= http://127.0.0.1:$(CUSTOMER_PORT)
export GATEWAY_CUSTOMER_SERVICE_URL ?= http://127.0.0.1:$(CUSTOMER_PORT)
export GATEWAY_ORDER_SERVICE_URL ?= http://127.0.0.1:$(ORDER_PORT)
export GATEWAY_IDENTITY_SERVICE_URL ?= http://127.0.0.1:$(IDENTITY_PORT)
export IDENTITY_CUSTOMER_SERVICE_URL ?= http://127.0.0.1:$(CUSTOMER_PORT)
# Tokens name the public URL as their issuer; every component fetches the keys from identity.
export IDENTITY_ISSUER ?= http://localhost:$(GATEWAY_PORT)/api/auth
AUTH_JWKS_URL := http://127.0.0.1:$(IDENTITY_PORT)/jwks.json
export CUSTOMER_AUTH_ISSUER ?= $(IDENTITY_ISSUER)
export ORDER_AUTH_ISSUER ?= $(IDENTITY_ISSUER)
export GATEWAY_AUTH_ISSUER ?= $(IDENTITY_ISSUER)
export CUSTOMER_AUTH_JWKS_URL ?= $(AUTH_JWKS_URL)
export ORDER_AUTH_JWKS_URL ?= $(AUTH_JWKS_URL)
export GATEWAY_AUTH_JWKS_URL ?= $(AUTH_JWKS_URL)
# The development logins (README); production refuses to start with them.
RUN_IDENTITY := env IDENTITY_DEMO_ACCOUNTS=true
export ORDERFLOW_GATEWAY_URL ?= http://127.0.0.1:$(GATEWAY_PORT)
BIN := $(CURDIR)/.venv/bin
VENV_STAMP := .venv/.orderflow-synced
# The supervisor (docs/adr/0022): one process per component, then the URLs and logins.
SUPERVISE := $(BIN)/python scripts/supervise.py \
	--ready customer=http://127.0.0.1:$(CUSTOMER_PORT)/readyz \
	--ready order=http://127.0.0.1:$(ORDER_PORT)/readyz \
	--ready identity=http://127.0.0.1:$(IDENTITY_PORT)/readyz \
	--ready gateway=http://127.0.0.1:$(GATEWAY_PORT)/readyz \
	--ready frontend=http://127.0.0.1:$(FRONTEND_PORT)/ \
	--show 'UI=http://localhost:$(FRONTEND_PORT)' \
	--show 'API docs=http://localhost:$(GATEWAY_PORT)/docs' \
	--show 'gateway health=http://localhost:$(GATEWAY_PORT)/readyz' \
	--show 'customer health=http://127.0.0.1:$(CUSTOMER_PORT)/readyz' \
	--show 'order health=http://127.0.0.1:$(ORDER_PORT)/readyz' \
	--show 'identity health=http://127.0.0.1:$(IDENTITY_PORT)/readyz' \
	--show 'sign in as=admin@example.com / orderflow-admin (admin)' \
	--show '=staff@example.com / orderflow-staff (staff)' \
	--show '=customer@example.com / orderflow-customer (customer)' \
	--show 'scripts=client orderflow-cli / orderflow-cli-secret (admin)'

.PHONY: help install uv test test-python test-unit test-system lint format migrate run dev demo

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

uv: ## Install uv into .tools/ unless it is already on PATH
	@command -v $(UV) >/dev/null 2>&1 || { \
		echo "installing uv $(UV_VERSION) into .tools/"; \
		python3 -m venv .tools && .tools/bin/pip install --quiet "uv==$(UV_VERSION)"; }

install: $(VENV_STAMP) ## Install every Python package from the lock (only when a lock or pyproject changed)

# The workspace's packages are installed editable: their code needs no reinstall, only their
# metadata (dependencies, console scripts) does. Bytecode is compiled once, at install.
$(VENV_STAMP): uv.lock pyproject.toml $(wildcard libs/*/pyproject.toml services/*/pyproject.toml) | uv
	$(UV) sync --frozen --all-packages --compile-bytecode
	@touch $@

migrate: install ## Apply every service's migrations to its database
	$(BIN)/orderflow-customer migrate
	$(BIN)/orderflow-order migrate
	$(BIN)/orderflow-identity migrate

run: install frontend-build ## Run the whole system with its development logins; Ctrl-C stops it all (MEMORY=1: no files)
	@mkdir -p var
	@$(SUPERVISE) \
		--run 'customer=$(BIN)/orderflow-customer' \
		--run 'order=$(BIN)/orderflow-order' \
		--run 'identity=$(RUN_IDENTITY) $(BIN)/orderflow-identity' \
		--run 'gateway=$(BIN)/orderflow-gateway' \
		--run 'frontend=$(BIN)/orderflow-ui-server'

# The Lab is on where people run the system to watch it, and off by default everywhere else.
run dev: export GATEWAY_LAB_ENABLED ?= true
run dev: export GATEWAY_LAB_OTLP_PORT ?= $(LAB_OTLP_PORT)
run dev: export CUSTOMER_LAB_OTLP_ENDPOINT ?= http://127.0.0.1:$(LAB_OTLP_PORT)
run dev: export ORDER_LAB_OTLP_ENDPOINT ?= http://127.0.0.1:$(LAB_OTLP_PORT)
run dev: export IDENTITY_LAB_OTLP_ENDPOINT ?= http://127.0.0.1:$(LAB_OTLP_PORT)
# One person in the Lab can open a circuit: 5 calls in the window suffice here (production: 20).
run dev: export GATEWAY_BREAKER_MINIMUM_CALLS ?= 5
# A person reads these logs: one coloured line per event (images and Kubernetes keep JSON).
run dev: export CUSTOMER_LOG_FORMAT ?= $(LOG_FORMAT)
run dev: export ORDER_LOG_FORMAT ?= $(LOG_FORMAT)
run dev: export IDENTITY_LOG_FORMAT ?= $(LOG_FORMAT)
run dev: export GATEWAY_LOG_FORMAT ?= $(LOG_FORMAT)
# What the images hold, no more: the tests' rich and pygments stay out (scripts/runtime-only).
run dev: export PYTHONPATH := $(CURDIR)/scripts/runtime-only$(if $(PYTHONPATH),:$(PYTHONPATH))

dev: install frontend-deps ## The same with hot reload (uvicorn --reload, Vite dev server)
	@mkdir -p var
	@$(SUPERVISE) \
		--run 'customer=$(BIN)/uvicorn --factory customer_service.main:create_app --reload --reload-dir services/customer --reload-dir libs --port $(CUSTOMER_PORT)' \
		--run 'order=$(BIN)/uvicorn --factory order_service.main:create_app --reload --reload-dir services/order --reload-dir libs --port $(ORDER_PORT)' \
		--run 'identity=$(RUN_IDENTITY) $(BIN)/uvicorn --factory identity_service.main:create_app --reload --reload-dir services/identity --reload-dir libs --port $(IDENTITY_PORT)' \
		--run 'gateway=$(BIN)/uvicorn --factory api_gateway.main:create_app --reload --reload-dir services/api-gateway --reload-dir libs --host 0.0.0.0 --port $(GATEWAY_PORT)' \
		--run 'frontend=npm --prefix frontend run --silent dev'

demo: install ## Load a few hundred customers and a few thousand orders (system running), signed in as the orderflow-cli client
	$(BIN)/python scripts/demo.py --gateway $(ORDERFLOW_GATEWAY_URL)

test: test-python ## Run every test

test-python: install ## Python tests: unit, API, PostgreSQL, system
	$(UV) run --frozen pytest

test-unit: install ## Python tests that start no process and need no server (seconds)
	$(UV) run --frozen pytest -m "not system and not postgres"

test-system: install ## Python tests through real processes on free ports (make run, drills, attacks)
	$(UV) run --frozen pytest -m system

lint: install ## ruff and mypy --strict
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	MYPYPATH=$(SRC_PATH) $(UV) run --frozen mypy $(SRC_DIRS)

format: install ## Apply ruff's fixes and formatting
	$(UV) run --frozen ruff check --fix .
	$(UV) run --frozen ruff format .

-include mk/*.mk

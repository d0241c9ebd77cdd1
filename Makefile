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

# Where each component listens; every one is also a setting of its own (see README).
CUSTOMER_PORT ?= 8001
ORDER_PORT ?= 8002
GATEWAY_PORT ?= 8000
FRONTEND_PORT ?= 5173
# The Lab's span receiver in the gateway (loopback only; docs/adr/0023).
LAB_OTLP_PORT ?= 4319
# MEMORY=1 keeps every database in memory: a clean slate at each start.
MEMORY ?= 0
ifeq ($(MEMORY),1)
export CUSTOMER_DATABASE_URL ?= sqlite+aiosqlite:///:memory:
export ORDER_DATABASE_URL ?= sqlite+aiosqlite:///:memory:
endif
export CUSTOMER_PORT ORDER_PORT GATEWAY_PORT FRONTEND_PORT
export ORDER_CUSTOMER_SERVICE_URL ?= http://127.0.0.1:$(CUSTOMER_PORT)
export GATEWAY_CUSTOMER_SERVICE_URL ?= http://127.0.0.1:$(CUSTOMER_PORT)
export GATEWAY_ORDER_SERVICE_URL ?= http://127.0.0.1:$(ORDER_PORT)
export ORDERFLOW_GATEWAY_URL ?= http://127.0.0.1:$(GATEWAY_PORT)
BIN := $(CURDIR)/.venv/bin
CONCURRENTLY := scripts/supervise.sh node_modules/.bin/concurrently --kill-timeout 10000 --prefix "[{name}]" \
	--prefix-colors cyan,magenta,yellow,green,white
AWAIT_READY := $(BIN)/python scripts/await_ready.py \
	customer=http://127.0.0.1:$(CUSTOMER_PORT)/readyz \
	order=http://127.0.0.1:$(ORDER_PORT)/readyz \
	gateway=http://127.0.0.1:$(GATEWAY_PORT)/readyz \
	frontend=http://127.0.0.1:$(FRONTEND_PORT)/ \
	--show 'UI=http://localhost:$(FRONTEND_PORT)' \
	--show 'API docs=http://localhost:$(GATEWAY_PORT)/docs' \
	--show 'gateway health=http://localhost:$(GATEWAY_PORT)/readyz' \
	--show 'customer health=http://127.0.0.1:$(CUSTOMER_PORT)/readyz' \
	--show 'order health=http://127.0.0.1:$(ORDER_PORT)/readyz'

.PHONY: help install uv tools test test-python lint format migrate run dev demo

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

uv: ## Install uv into .tools/ unless it is already on PATH
	@command -v $(UV) >/dev/null 2>&1 || { \
		echo "installing uv $(UV_VERSION) into .tools/"; \
		python3 -m venv .tools && .tools/bin/pip install --quiet "uv==$(UV_VERSION)"; }

install: uv ## Install every Python package from the lock (idempotent)
	$(UV) sync --frozen --all-packages --compile-bytecode

tools: ## Install the process manager (concurrently, from the lock in package-lock.json)
	@[ -x node_modules/.bin/concurrently ] || npm ci --no-audit --no-fund --loglevel=error

migrate: install ## Apply every service's migrations to its database
	$(BIN)/orderflow-customer migrate
	$(BIN)/orderflow-order migrate

run: install tools frontend-build ## Run the whole system; Ctrl-C stops it all (MEMORY=1: no files)
	@mkdir -p var
	$(CONCURRENTLY) --names customer,order,gateway,frontend,ready \
		--restart-tries -1 --restart-after exponential \
		"$(BIN)/orderflow-customer" \
		"$(BIN)/orderflow-order" \
		"$(BIN)/orderflow-gateway" \
		"cd frontend && exec node_modules/.bin/vite preview" \
		"$(AWAIT_READY)"

# The Lab is on where people run the system to watch it, and off by default everywhere else.
run dev: export GATEWAY_LAB_ENABLED ?= true
run dev: export GATEWAY_LAB_OTLP_PORT ?= $(LAB_OTLP_PORT)
run dev: export CUSTOMER_LAB_OTLP_ENDPOINT ?= http://127.0.0.1:$(LAB_OTLP_PORT)
run dev: export ORDER_LAB_OTLP_ENDPOINT ?= http://127.0.0.1:$(LAB_OTLP_PORT)
run dev: export IDENTITY_LAB_OTLP_ENDPOINT ?= http://127.0.0.1:$(LAB_OTLP_PORT)
# One person in the Lab can open a circuit: 5 calls in the window suffice here (production: 20).
run dev: export GATEWAY_BREAKER_MINIMUM_CALLS ?= 5

dev: install tools frontend-install ## The same with hot reload (uvicorn --reload, Vite dev server)
	@mkdir -p var
	$(CONCURRENTLY) --names customer,order,gateway,frontend,ready \
		"$(BIN)/uvicorn --factory customer_service.main:create_app --reload --reload-dir services/customer --reload-dir libs --port $(CUSTOMER_PORT)" \
		"$(BIN)/uvicorn --factory order_service.main:create_app --reload --reload-dir services/order --reload-dir libs --port $(ORDER_PORT)" \
		"$(BIN)/uvicorn --factory api_gateway.main:create_app --reload --reload-dir services/api-gateway --reload-dir libs --host 0.0.0.0 --port $(GATEWAY_PORT)" \
		"npm --prefix frontend run --silent dev" \
		"$(AWAIT_READY)"

demo: install ## Load a few hundred customers and a few thousand orders (system running)
	$(BIN)/python scripts/demo.py --gateway $(ORDERFLOW_GATEWAY_URL)

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

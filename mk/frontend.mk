# The React frontend (frontend/): install, build, test, develop. Included by the root Makefile.
FRONTEND := frontend
FRONTEND_STAMP := $(FRONTEND)/node_modules/.orderflow-installed
FRONTEND_DIST := $(FRONTEND)/dist/index.html
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Playwright drives Debian's Chromium; it must never fetch a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

# The gateway's OpenAPI document, as the frontend's types are generated from it.
OPENAPI_DUMP := $(UV) run --frozen python -c "import json; from api_gateway.main import create_app; \
	print(json.dumps(create_app().openapi(), indent=2))"

.PHONY: frontend-install frontend-deps frontend-chromium frontend-build frontend-dev frontend-openapi frontend-lint \
	frontend-openapi-check test-frontend

test: test-frontend

frontend-install: frontend-deps frontend-chromium ## Frontend packages (npm ci) and Debian's Chromium for the browser tests

frontend-deps: $(FRONTEND_STAMP)

# npm ci only when the lock changed since the last install.
$(FRONTEND_STAMP): $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

frontend-chromium:
	@[ -x $(CHROMIUM) ] || { echo "installing Debian's chromium"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

frontend-build: $(FRONTEND_DIST) ## Type-check and build the UI into frontend/dist (only when its sources changed)

# What the build reads: a change to any of them rebuilds, nothing else does.
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/public -type f 2>/dev/null) \
	$(FRONTEND)/index.html $(FRONTEND)/vite.config.ts $(FRONTEND)/tsconfig.json $(FRONTEND)/package-lock.json
$(FRONTEND_DIST): $(FRONTEND_SOURCES) | frontend-deps
	cd $(FRONTEND) && npm run --silent build
	@touch $@

frontend-dev: frontend-deps ## The Vite dev server alone (proxying /api to ORDERFLOW_GATEWAY_URL)
	cd $(FRONTEND) && npm run --silent dev

frontend-openapi: install frontend-deps ## Dump the gateway's OpenAPI document into frontend/openapi.json and regenerate the TS types
	$(OPENAPI_DUMP) > $(FRONTEND)/openapi.json
	cd $(FRONTEND) && npm run --silent gen:api

frontend-openapi-check: install ## Fail when frontend/openapi.json is not the gateway's current contract
	@current=$$(mktemp) && trap 'rm -f "$$current"' EXIT && $(OPENAPI_DUMP) > "$$current" && \
	if ! diff -u $(FRONTEND)/openapi.json "$$current"; then \
		echo "frontend/openapi.json is stale against the gateway: run 'make frontend-openapi' and commit both files."; \
		exit 1; \
	fi

test-frontend: install frontend-install frontend-openapi-check ## Frontend: API contract and types fresh, tsc, eslint, component tests, browser e2e
	cd $(FRONTEND) && npm run --silent check:api
	cd $(FRONTEND) && npm run --silent typecheck
	cd $(FRONTEND) && npm run --silent lint
	cd $(FRONTEND) && npm run --silent test
	cd $(FRONTEND) && npm run --silent test:e2e

lint: frontend-lint

frontend-lint: frontend-deps ## tsc --noEmit and eslint over the frontend
	cd $(FRONTEND) && npm run --silent typecheck
	cd $(FRONTEND) && npm run --silent lint

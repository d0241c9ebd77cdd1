# Benchmarks: the harness lives in bench/, its figures in docs/benchmarks.md.
.PHONY: bench bench-smoke bench-tools

bench-tools: ## Install wrk and nginx (Debian) when missing
	@command -v wrk >/dev/null 2>&1 && command -v nginx >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx)

bench: install bench-tools frontend-build ## Full benchmark (~10 min): prints the tables, updates docs/benchmarks.md
	$(UV) run --frozen python -m bench --floor --update-docs

bench-smoke: install bench-tools ## The benchmark in seconds, to prove it runs (part of make test)
	$(UV) run --frozen python -m bench --smoke

test: bench-smoke

# The services' read path beside lean references, and stalls (bench/datapath.py).
.PHONY: bench-datapath bench-datapath-smoke
BASELINE ?=

bench-datapath: install bench-tools ## Reads vs lean references, and stalls (~6 min); BASELINE=<checkout> measures that one too
	$(UV) run --frozen python -m bench.datapath --update-docs $(if $(BASELINE),--baseline $(BASELINE))

bench-datapath-smoke: install bench-tools
	$(UV) run --frozen python -m bench.datapath --smoke

bench-smoke: bench-datapath-smoke

# Search and the dashboard as the data grows (bench/scale.py).
.PHONY: bench-scale bench-scale-smoke

bench-scale: install ## Search at 1k vs 100k customers, dashboard at 1k vs 1M orders (~10 min)
	$(UV) run --frozen python -m bench.scale

bench-scale-smoke: install
	$(UV) run --frozen python -m bench.scale --smoke

bench-smoke: bench-scale-smoke

# What the gateway's budgets cost per request: off, in the process, in Redis (bench/ratelimit.py).
.PHONY: bench-ratelimit bench-ratelimit-smoke

bench-ratelimit: install bench-tools ## The limiter's cost: off, in process, on Redis (~3 min)
	$(UV) run --frozen python -m bench.ratelimit --update-docs

bench-ratelimit-smoke: install bench-tools
	$(UV) run --frozen python -m bench.ratelimit --smoke

bench-smoke: bench-ratelimit-smoke

# The API gateway's own verbs.
.PHONY: bench-gateway

bench-gateway: install ## Gateway overhead vs direct vs nginx (wrk; see docs/benchmarks.md)
	$(UV) run --frozen python bench/gateway_overhead.py

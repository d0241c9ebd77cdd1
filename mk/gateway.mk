# The API gateway's own verbs.
.PHONY: bench-gateway

bench-gateway: install bench-tools ## Gateway overhead vs direct vs nginx: part 1 of make bench
	$(UV) run --frozen python -m bench --only overhead

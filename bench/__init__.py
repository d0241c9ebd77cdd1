"""OrderFlow's benchmark harness: ``uv run python -m bench`` (``make bench``, ``make bench-smoke``).

It starts the real processes in production mode, loads data straight into their databases,
drives them with wrk, and writes JSON under ``bench/results/`` plus Markdown tables. See
docs/benchmarks.md for what each part measures and the latest figures.
"""

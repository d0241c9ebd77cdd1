"""``python -m bench.profile``: where the CPU of a request goes, by py-spy, under wrk load.

    uv run python -m bench.profile                       # GET a customer through the gateway
    uv run python -m bench.profile --request orders_page --via direct --seconds 15

It starts the same lab as the benchmark (small data), drives one request at 32 connections,
and samples every process that serves it with ``py-spy record`` meanwhile. For each process it
keeps the collapsed stacks (``bench/results/profile-*.collapsed``, for speedscope or
flamegraph.pl) and prints a summary: the
functions that hold the CPU themselves (self) and with what they call (total), in % of samples.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from . import overhead, stack, wrk
from .config import SMOKE
from .lab import REPO, Lab

RESULTS = REPO / "bench" / "results"
PY_SPY = ["uvx", "py-spy@0.4.3"]


def _frame(frame: str) -> tuple[str, str]:
    """``(function (dir/module.py), package)`` of a py-spy frame ``function (/full/path:line)``."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    short = "/".join(Path(path).parts[-2:]) if path else "?"
    return f"{name} ({short})", _package(path)


# py-spy names files relative to sys.path; OpenTelemetry's namespace packages lose their prefix.
OTEL_PARTS = frozenset({"asgi", "trace", "context", "propagators", "_semconv.py", "sdk", "util"})


def _package(path: str) -> str:
    top = path.split("/", 1)[0].removesuffix(".py") if "/" in path else path
    return "opentelemetry" if top in OTEL_PARTS or top == "_semconv" else top or "?"


def summarise(raw: Path, top: int) -> str:
    """Self and total % of samples per function, from py-spy's collapsed-stack output."""
    self_samples: Counter[str] = Counter()
    total_samples: Counter[str] = Counter()
    by_package: Counter[str] = Counter()
    count = 0
    for line in raw.read_text().splitlines():
        stack_text, _, n_text = line.rpartition(" ")
        if not stack_text or not n_text.isdigit():
            continue
        n = int(n_text)
        parsed = [_frame(f) for f in stack_text.split(";") if not f.startswith("process ")]
        if not parsed:
            continue
        frames = [name for name, _ in parsed]
        count += n
        self_samples[frames[-1]] += n
        by_package[parsed[-1][1]] += n
        for frame in set(frames):
            total_samples[frame] += n
    lines = [f"{count} samples", "", "self %  package (where the samples' innermost frame is)"]
    lines += [f"{100 * n / count:6.1f}  {name}" for name, n in by_package.most_common(top)]
    lines += ["", "self %  function"]
    lines += [f"{100 * n / count:6.1f}  {name}" for name, n in self_samples.most_common(top)]
    lines += ["", "total %  function"]
    lines += [f"{100 * n / count:6.1f}  {name}" for name, n in total_samples.most_common(top)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument(
        "--request", choices=("get_customer", "orders_page"), default="get_customer"
    )
    parser.add_argument("--via", choices=("direct", "nginx", "gateway"), default="gateway")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--gateway-env", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument(
        "--gil", action="store_true", help="sample only the thread holding the GIL (py-spy --gil)"
    )
    args = parser.parse_args()
    wrk.require_tools()
    workdir = Path(tempfile.mkdtemp(prefix="orderflow-profile-"))
    lab = Lab(SMOKE, workdir, gateway_env=dict(item.split("=", 1) for item in args.gateway_env))
    try:
        lab.prepare_data()
        stack.start_all(lab.main)
        lab.nginx.start()
        url = overhead.targets(lab)[args.request][args.via]
        wrk.run(url, connections=args.connections, seconds=2, headers=lab.headers)  # warm up
        served_by = {"customer": lab.customer, "order": lab.order, "gateway": lab.gateway}
        recorders = {}
        for name, process in served_by.items():
            raw = workdir / f"{name}.txt"
            recorders[name] = (
                raw,
                subprocess.Popen(
                    [
                        *PY_SPY,
                        "record",
                        "--pid",
                        str(stack.pid(process)),
                        "--rate",
                        str(args.rate),
                        "--duration",
                        str(args.seconds),
                        "--format",
                        "raw",
                        "--nonblocking",
                        *(["--gil"] if args.gil else []),
                        "--output",
                        str(raw),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                ),
            )
        result = wrk.run(
            url, connections=args.connections, seconds=args.seconds, headers=lab.headers
        )
        print(f"{args.request} via {args.via}, c={args.connections}: {result.rps:.0f} req/s")
        RESULTS.mkdir(parents=True, exist_ok=True)
        for name, (raw, recorder) in recorders.items():
            recorder.wait(timeout=args.seconds + 60)
            if not raw.exists() or not raw.read_text().strip():
                continue
            tag = f"{args.request}-{args.via}-{name}"
            summary_text = summarise(raw, args.top)
            (RESULTS / f"profile-{tag}.txt").write_text(summary_text + "\n")
            shutil.copy(raw, RESULTS / f"profile-{tag}.collapsed")
            print(f"\n=== {name} ({tag}) ===\n{summary_text}")
    finally:
        lab.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

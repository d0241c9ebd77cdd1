"""``python -m bench``: run the benchmark, print its tables, keep its results.

uv run python -m bench                 # the full benchmark (make bench), ~10 minutes
uv run python -m bench --smoke         # seconds: proves the harness works (make bench-smoke)
uv run python -m bench --only overhead --gateway-env ACCESS_LOG=false   # one experiment
uv run python -m bench --only lab      # the Lab's cost: a stack with it off and one with it on
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import auth, composition, labcost, overhead, report, stack, startup, writes
from . import wrk as wrk_tool
from .config import FULL, SMOKE, Profile
from .lab import REPO, Lab, run_quietly

PARTS = ("overhead", "composition", "writes", "auth", "stack", "lab")
SHARED_PARTS = ("overhead", "composition", "writes", "auth", "stack")  # on the one loaded stack
RESULTS = REPO / "bench" / "results"
DOCS = REPO / "docs" / "benchmarks.md"


def machine_info() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1e6),
        "kernel": f"Linux {platform.release()}",
        "python": platform.python_version(),
        "wrk": run_quietly(["wrk", "--version"]).split(" [")[0] or "wrk",
        "nginx": "nginx " + run_quietly(["nginx", "-v"]).rsplit("/", 1)[-1],
        "loadavg": Path("/proc/loadavg").read_text().split()[0],
        "commit": run_quietly(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a few seconds, tiny data")
    parser.add_argument("--only", action="append", choices=PARTS, help="run only these parts")
    parser.add_argument("--runs", type=int, help="override the runs of each variant")
    parser.add_argument("--seconds", type=int, help="override the seconds of each wrk run")
    parser.add_argument(
        "--connections", help="override part 1's connection counts, e.g. 1,32", default=""
    )
    parser.add_argument(
        "--gateway-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a GATEWAY_ setting for the gateways under test, e.g. ACCESS_LOG=false",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME:KEY=VALUE[,KEY=VALUE]",
        help="another gateway, with these GATEWAY_ settings, measured in turns beside the "
        "shipped one in part 1, e.g. no-tracing:TRACING=false",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="measure bench/floor.py, a bare uvicorn + aiohttp proxy, beside the gateway",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="change the scheduling priority of the harness and every process it starts "
        "(e.g. -10 as root, on a machine shared with other work)",
    )
    parser.add_argument("--label", default="", help="a name for this run's result file")
    parser.add_argument("--update-docs", action="store_true", help=f"rewrite the block in {DOCS}")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and logs")
    return parser.parse_args()


def profile_of(args: argparse.Namespace) -> Profile:
    profile = SMOKE if args.smoke else FULL
    overrides: dict[str, Any] = {
        k: v for k, v in (("runs", args.runs), ("seconds", args.seconds)) if v
    }
    if args.connections:
        overrides["connections"] = tuple(int(c) for c in args.connections.split(","))
    return Profile(**{**profile.__dict__, **overrides})


def check_numbers(results: dict[str, Any]) -> list[str]:
    """What the smoke run asserts: every part ran, produced finite numbers and no errors."""
    problems: list[str] = []

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}.{key}")
        elif isinstance(value, list):
            for n, item in enumerate(value):
                walk(item, f"{where}[{n}]")
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{where} is {value}")
        elif value is None and not where.endswith("ratio"):
            problems.append(f"{where} is missing")

    for part in results["parts"]:
        if part not in results:
            problems.append(f"{part}: no results")
            continue
        walk(results[part], part)
    for by_conns in results.get("overhead", {}).values():
        for conns, result in by_conns.items():
            for variant, v in result["variants"].items():
                if v["rps"]["median"] <= 0 or v["errors"]:
                    problems.append(f"overhead {variant} c={conns}: {v['errors']} errors")
    for conns, by_backend in results.get("writes", {}).items():
        if conns != "backends":
            idle = [
                b for b, r in by_backend.items() if not all(s["requests"] for s in r["samples"])
            ]
            problems += [f"writes {backend} c={conns}: no order written" for backend in idle]
            failed = [backend for backend, r in by_backend.items() if not r["ok"]]
            problems += [f"writes {backend} c={conns}: errors or lost orders" for backend in failed]
    for conns, entry in results.get("auth", {}).get("gateway", {}).items():
        for variant in ("one token", "new token each request"):
            if entry[variant]["errors"] or entry[variant]["rps"]["median"] <= 0:
                problems.append(f"auth {variant} c={conns}: {entry[variant]['errors']} errors")
    for request, by_conns in results.get("lab", {}).get("requests", {}).items():
        for conns, result in by_conns.items():
            for variant, v in result["variants"].items():
                if v["rps"]["median"] <= 0 or v["errors"]:
                    problems.append(f"lab {request} {variant} c={conns}: {v['errors']} errors")
    for size, counted in results.get("composition", {}).get("upstream_calls", {}).items():
        if counted["orders_with_customer"] != counted["orders"]:
            problems.append(f"composition {size}: orders without their customer")
    return problems


class Clock:
    """Prints each phase with the time since the start, so a slow phase shows itself."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    def say(self, text: str) -> None:
        print(f"[{time.perf_counter() - self.start:6.1f}s] {text}", flush=True)


def _shared_parts(
    lab: Lab, profile: Profile, parts: list[str], results: dict[str, Any], clock: Clock
) -> None:
    """Parts 1-5, on the processes of ``lab`` and the data it loads."""
    clock.say(f"bench ({profile.name}): migrating and loading data in {lab.workdir}")
    lab.prepare_data()
    results["data_load_seconds"] = lab.load_seconds
    clock.say(f"loaded (seconds: {lab.load_seconds}); part 4: start-up")
    stack_result: dict[str, Any] = {"startup": startup.measure_startup(lab, profile)}
    stack_result["rss_idle_mb"] = startup.memory(lab)
    clock.say("starting the big-data order service and gateway, and nginx")
    lab.start_others()
    if "overhead" in parts:
        clock.say("part 1: gateway overhead")
        results["overhead"] = overhead.measure(lab, profile)
    if "composition" in parts:
        clock.say("part 2: composition")
        results["composition"] = composition.measure(lab, profile)
    if "writes" in parts:
        clock.say("part 3: writes")
        results["writes"] = writes.measure(lab, profile)
    if "auth" in parts:
        clock.say("part 5: verifying access tokens")
        results["auth"] = auth.measure(lab, profile)
    stack_result["rss_after_load_mb"] = startup.memory(lab, settle=0)
    if "stack" in parts:
        results["stack"] = stack_result


def main() -> int:
    args = parse_args()
    profile = profile_of(args)
    parts = args.only or list(PARTS)
    wrk_tool.require_tools()
    missing = [kind for kind in stack.SCRIPTS if not stack.installed(kind)]
    absent = [kind for kind in missing if not (REPO / stack.SOURCES[kind]).exists()]
    if absent:
        # Only while a component is not in the repository yet: nothing to measure, not a failure.
        print(f"bench: skipped, not in the repository yet: {', '.join(absent)}")
        return 0
    if missing:
        print(f"not installed: {', '.join(missing)} (run `make install`)", file=sys.stderr)
        return 2
    gateway_env = dict(item.split("=", 1) for item in args.gateway_env)
    variants = {
        name: dict(item.split("=", 1) for item in settings.split(","))
        for name, settings in (v.split(":", 1) for v in args.variant)
    }
    if args.nice:
        os.nice(args.nice)  # inherited by every process started from here on
    workdir = Path(tempfile.mkdtemp(prefix="orderflow-bench-"))
    results: dict[str, Any] = {
        "machine": machine_info(),
        "profile": profile.name,
        "runs": profile.runs,
        "seconds": profile.seconds,
        "parts": parts,
        "gateway_env": gateway_env,
        "gateway_variants": variants,
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
    }
    lab = Lab(
        profile, workdir, gateway_env=gateway_env, gateway_variants=variants, floor=args.floor
    )
    clock = Clock()
    try:
        if set(parts) & set(SHARED_PARTS):
            _shared_parts(lab, profile, parts, results, clock)
        if "lab" in parts:
            clock.say("part 6: the Lab's cost")
            results["lab"] = labcost.measure(profile, workdir / "labcost")
    except Exception:
        print(lab.logs_tail(), file=sys.stderr)
        raise
    finally:
        lab.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    results["elapsed_seconds"] = round(time.perf_counter() - clock.start, 1)
    results["machine"]["loadavg_after"] = Path("/proc/loadavg").read_text().split()[0]

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = "-".join(filter(None, [stamp, profile.name, args.label]))
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2))
    (RESULTS / f"latest-{profile.name}.json").write_text(json.dumps(results, indent=2))
    text = report.markdown(results)
    print("\n" + text)
    if profile.name == "full" and not args.only:
        (RESULTS / "summary.md").write_text(text)
    if args.update_docs:
        report.update_docs(DOCS, text)
        print(f"updated {DOCS.relative_to(REPO)}")
    print(f"results: bench/results/{name}.json ({results['elapsed_seconds']} s)")
    problems = check_numbers(results)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

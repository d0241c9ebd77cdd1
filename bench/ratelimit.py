"""``python -m bench.ratelimit``: what the gateway's budgets cost per request.

    uv run python -m bench.ratelimit                  # the full run (make bench-ratelimit)
    uv run python -m bench.ratelimit --smoke          # seconds: proves it runs (make bench-smoke)

One stack (customer, order, identity on SQLite files) and three gateways in front of it, alike
but for their budgets (docs/adr/0016): ``off`` (``GATEWAY_RATE_LIMIT_ENABLED=false``, the
gateway without the limiter), ``memory`` (the budgets in the process, as ``make run``) and
``redis`` (in Redis, as production). The budgets are raised by the settings so that no request
is refused: what is measured is the limiter's work, not its 429s. wrk sends the same signed-in
``GET /api/customers/{id}`` through each, in turns (off, memory, redis, off, ...), so the
machine's other load weighs on all three alike; per variant: throughput, latency and the
gateway process's CPU per request, and the ratios against ``off`` measured in the same run.

Beside it, the store alone: sequential ``take`` calls on ``MemoryStore`` and on ``RedisStore``
(one Redis round trip each), in microseconds per call.

Redis: ``ORDERFLOW_BENCH_REDIS_URL``, else ``ORDERFLOW_TEST_REDIS_URL``, else database 9 of the
local server; the run's keys live under a prefix of its own and are deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from api_gateway.ratelimit import MemoryStore, Rate, RedisStore, Store
from orderflow_testing import RedisNamespace, ServiceProcess, Stack, gateway_service

from . import wrk
from .lab import REPO
from .procs import CpuMeter
from .stats import ratio, summary, wrk_summary

DOCS = REPO / "docs" / "benchmarks.md"
RESULTS = REPO / "bench" / "results"
BEGIN = "<!-- bench:ratelimit:begin -->"
END = "<!-- bench:ratelimit:end -->"
VARIANTS = ("off", "memory", "redis")
ROOMY = "1000000/s"  # no request of the benchmark comes near it
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"


@dataclass(frozen=True)
class Profile:
    name: str
    runs: int
    seconds: int
    warmup_seconds: int
    connections: tuple[int, ...]
    store_calls: int


FULL = Profile("full", runs=3, seconds=5, warmup_seconds=2, connections=(1, 32), store_calls=5000)
SMOKE = Profile("smoke", runs=1, seconds=1, warmup_seconds=1, connections=(4,), store_calls=200)


def redis_url() -> str:
    return (
        os.environ.get("ORDERFLOW_BENCH_REDIS_URL")
        or os.environ.get("ORDERFLOW_TEST_REDIS_URL")
        or DEFAULT_REDIS
    )


@contextmanager
def gateways(
    workdir: Path, namespace: RedisNamespace
) -> Iterator[tuple[Stack, dict[str, ServiceProcess]]]:
    """The stack (its own gateway is ``off``), and each variant's gateway process."""
    roomy = {
        "GATEWAY_RATE_LIMIT_READS": ROOMY,
        "GATEWAY_RATE_LIMIT_WRITES": ROOMY,
        "GATEWAY_ACCESS_LOG": "false",
    }
    stack = Stack(workdir, env={"gateway": {**roomy, "GATEWAY_RATE_LIMIT_ENABLED": "false"}})
    stack.start()
    extra: dict[str, ServiceProcess] = {}
    try:
        settings = {
            "memory": roomy,
            "redis": {
                **roomy,
                "GATEWAY_REDIS_URL": namespace.url,
                "GATEWAY_REDIS_KEY_PREFIX": namespace.prefix,
            },
        }
        for name, env in settings.items():
            extra[name] = gateway_service(
                workdir,
                issuer=stack.issuer,
                customer_service_url=stack.customer.url,
                order_service_url=stack.order.url,
                identity_service_url=stack.identity.url,
                name=f"gateway-{name}",
                **env,
            )
            extra[name].start(wait=False)
        for process in extra.values():
            process.wait_ready(60)
        yield stack, {"off": stack.gateway, **extra}
    finally:
        for process in extra.values():
            process.stop()
        stack.stop()


def _pid(process: ServiceProcess) -> int:
    assert process.process is not None
    return process.process.pid


def _seed(stack: Stack) -> str:
    with httpx.Client(base_url=stack.url, headers=stack.headers(), timeout=30) as api:
        made = api.post("/api/customers", json={"name": "Bench", "email": "rl@example.com"})
        made.raise_for_status()
        return str(made.json()["id"])


def measure_requests(profile: Profile, namespace: RedisNamespace, workdir: Path) -> dict[str, Any]:
    with gateways(workdir, namespace) as (stack, processes):
        customer_id = _seed(stack)
        headers = stack.headers()
        meter = CpuMeter({v: _pid(processes[v]) for v in VARIANTS})

        def url(variant: str) -> str:
            return f"{processes[variant].url}/api/customers/{customer_id}"

        for variant in VARIANTS:
            if profile.warmup_seconds:
                wrk.run(
                    url(variant), connections=8, seconds=profile.warmup_seconds, headers=headers
                )
        by_conns: dict[str, Any] = {}
        for connections in profile.connections:
            samples: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
            for _ in range(profile.runs):
                for variant in VARIANTS:
                    meter.start()
                    result = wrk.run(
                        url(variant),
                        connections=connections,
                        seconds=profile.seconds,
                        headers=headers,
                    )
                    cpu = meter.stop()
                    samples[variant].append(
                        {
                            **result.as_dict(),
                            "gateway_cpu_ms_per_request": round(
                                cpu[variant] * 1000 / result.requests, 3
                            )
                            if result.requests
                            else 0.0,
                            "other_cpu_cores": round(cpu["other"] / result.seconds, 2)
                            if result.seconds
                            else 0.0,
                        }
                    )
            by_conns[str(connections)] = _summarise(samples)
            print(_line(connections, by_conns[str(connections)]), flush=True)
        return by_conns


def _summarise(samples: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    variants = {
        variant: wrk_summary(runs)
        | {
            "gateway_cpu_ms_per_request": summary(
                (s["gateway_cpu_ms_per_request"] for s in runs), 3
            ),
            "other_cpu_cores": summary((s["other_cpu_cores"] for s in runs), 2),
        }
        for variant, runs in samples.items()
    }
    off = variants["off"]
    cpu_off = off["gateway_cpu_ms_per_request"]["median"]
    return {
        "variants": variants,
        "ratios": {
            f"{name} rps/off": ratio(variants[name]["rps"]["median"], off["rps"]["median"])
            for name in ("memory", "redis")
        }
        | {
            f"{name} cpu/off": ratio(
                variants[name]["gateway_cpu_ms_per_request"]["median"], cpu_off
            )
            for name in ("memory", "redis")
        },
        "cpu_added_ms": {
            name: round(variants[name]["gateway_cpu_ms_per_request"]["median"] - cpu_off, 3)
            for name in ("memory", "redis")
        },
    }


def _line(connections: int, result: dict[str, Any]) -> str:
    rates = "  ".join(f"{v} {r['rps']['median']:.0f}/s" for v, r in result["variants"].items())
    return f"  c={connections:<3} {rates}  ratios {result['ratios']}"


async def _store_us(store: Store, calls: int) -> float:
    rate = Rate.parse(ROOMY)
    for n in range(min(calls, 100)):
        await store.take(f"warm{n % 10}", rate)
    started = time.perf_counter()
    for n in range(calls):
        await store.take(f"caller{n % 100}", rate)
    return (time.perf_counter() - started) / calls * 1e6


def measure_stores(profile: Profile, namespace: RedisNamespace) -> dict[str, Any]:
    """Microseconds per ``take``, the two stores in turns (``runs`` rounds each)."""

    async def run() -> dict[str, list[float]]:
        redis = RedisStore(namespace.url, timeout=5.0, prefix=namespace.prefix)
        memory = MemoryStore()
        found: dict[str, list[float]] = {"memory": [], "redis": []}
        try:
            for _ in range(max(profile.runs, 3)):
                found["memory"].append(await _store_us(memory, profile.store_calls))
                found["redis"].append(await _store_us(redis, profile.store_calls))
        finally:
            await redis.aclose()
        return found

    found = asyncio.run(run())
    return {
        "calls": profile.store_calls,
        "us_per_take": {name: summary(values, 1) for name, values in found.items()},
    }


def _range(s: dict[str, Any], digits: int = 0) -> str:
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}-{s['max']:.{digits}f})"


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Run {m['date']}, commit {m['commit']}, profile {results['profile']}: "
        f"{results['runs']} runs of {results['seconds']} s per variant and connection count, "
        f"load average {m['loadavg']} before and {m['loadavg_after']} after, on {m['nproc']} "
        "cores shared with other work: read the ratios, not the absolute numbers.",
        "",
        "| conns | budgets | req/s | p50 ms | p99 ms | gateway CPU ms/request | errors |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for conns, result in results["requests"].items():
        for variant, v in result["variants"].items():
            lines.append(
                f"| {conns} | {variant} | {_range(v['rps'])} | {_range(v['p50_ms'], 2)} "
                f"| {_range(v['p99_ms'], 2)} | {_range(v['gateway_cpu_ms_per_request'], 3)} "
                f"| {v['errors']} |"
            )
        for name in ("memory", "redis"):
            lines.append(
                f"| {conns} | {name} / off | {result['ratios'][f'{name} rps/off']:.2f} x | | "
                f"| {result['ratios'][f'{name} cpu/off']:.2f} x "
                f"({result['cpu_added_ms'][name]:+.3f} ms) | |"
            )
    stores = results["stores"]["us_per_take"]
    lines += [
        "",
        f"The store alone, {results['stores']['calls']} sequential `take` calls: "
        f"in the process {_range(stores['memory'], 1)} µs each, "
        f"in Redis {_range(stores['redis'], 1)} µs each (one round trip).",
    ]
    return "\n".join(lines)


def update_docs(text: str) -> None:
    doc = DOCS.read_text()
    if BEGIN not in doc:
        raise SystemExit(f"{DOCS} has no {BEGIN} … {END} block to fill")
    block = f"{BEGIN}\n{text.rstrip()}\n{END}"
    DOCS.write_text(
        re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, doc, flags=re.S)
    )


def check(results: dict[str, Any]) -> list[str]:
    problems = []
    for conns, result in results["requests"].items():
        for variant, v in result["variants"].items():
            if v["errors"] or v["rps"]["median"] <= 0:
                problems.append(f"{variant} c={conns}: {v['errors']} errors")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ratelimit", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a few seconds")
    parser.add_argument("--update-docs", action="store_true", help=f"rewrite the block in {DOCS}")
    args = parser.parse_args()
    profile = SMOKE if args.smoke else FULL
    wrk.require_tools()
    from .__main__ import machine_info

    results: dict[str, Any] = {
        "machine": machine_info(),
        "profile": profile.name,
        "runs": profile.runs,
        "seconds": profile.seconds,
        "redis": redis_url().rsplit("@", 1)[-1],
    }
    namespace = RedisNamespace(redis_url())
    namespace.check()
    try:
        with tempfile.TemporaryDirectory(prefix="orderflow-bench-ratelimit-") as workdir:
            results["requests"] = measure_requests(profile, namespace, Path(workdir))
        results["stores"] = measure_stores(profile, namespace)
    finally:
        namespace.clean()
    results["machine"]["loadavg_after"] = Path("/proc/loadavg").read_text().split()[0]
    text = markdown(results)
    print("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}-ratelimit-{profile.name}.json").write_text(json.dumps(results, indent=2))
    if args.update_docs:
        update_docs(text)
    problems = check(results)
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())

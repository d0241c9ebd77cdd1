"""Part 6, the Lab's cost: the same reads through a stack with the Lab off, as shipped, through
one with it on, as `make run` has it (every component tracing, the services exporting to the
gateway's receiver, the gateway keeping the traces), and through one that samples one trace in
ten (``OTEL_TRACES_SAMPLER=parentbased_traceidratio``), in turns.

Each stack is an ``orderflow_testing.Stack`` (customer, order, gateway on SQLite files of their
own, one token issuer); the requests carry an admin token. Measured per variant: throughput,
latency, CPU milliseconds per request in each process (their exporters' threads included), and,
after the load, each process's resident memory and how many traces the Lab holds.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from orderflow_testing import Stack

from . import wrk
from .config import Profile
from .procs import CpuMeter, rss_mb
from .stats import ratio, summary, wrk_summary

VARIANTS = ("lab_off", "lab_on", "lab_sampled")
# One trace in ten: the gateway decides, the services follow its decision (parent-based).
SAMPLED = {"OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.1"}
ITEMS = [{"sku": "B-1", "name": "Bench", "quantity": 1, "unit_price_cents": 100}]


def _seed(stack: Stack, orders: int) -> str:
    """One customer with ``orders`` orders; returns the customer's id."""
    with httpx.Client(base_url=stack.url, headers=stack.headers(), timeout=30) as api:
        customer = api.post("/api/customers", json={"name": "Bench", "email": "b@example.com"})
        customer.raise_for_status()
        customer_id: str = customer.json()["id"]
        for _ in range(orders):
            api.post(
                "/api/orders", json={"customer_id": customer_id, "items": ITEMS}
            ).raise_for_status()
    return customer_id


def _pids(stack: Stack) -> dict[str, int]:
    pids = {}
    for process in stack.processes:
        assert process.process is not None
        pids[process.name] = process.process.pid
    return pids


def measure(profile: Profile, workdir: Path | None = None) -> dict[str, Any]:
    base = workdir or Path(tempfile.mkdtemp(prefix="orderflow-bench-lab-"))
    for variant in ("off", "on", "sampled"):
        (base / variant).mkdir(parents=True, exist_ok=True)
    sampled = {name: SAMPLED for name in ("customer", "order", "gateway")}
    stacks = {
        "lab_off": Stack(base / "off"),
        "lab_on": Stack(base / "on", lab=True),
        "lab_sampled": Stack(base / "sampled", lab=True, env=sampled),
    }
    try:
        for stack in stacks.values():
            stack.start()
        ids = {name: _seed(stack, profile.page_limit) for name, stack in stacks.items()}
        return _measure(profile, stacks, ids)
    finally:
        for stack in stacks.values():
            stack.stop()


def _measure(profile: Profile, stacks: dict[str, Stack], ids: dict[str, str]) -> dict[str, Any]:
    pids = {f"{v}.{name}": pid for v, stack in stacks.items() for name, pid in _pids(stack).items()}
    meter = CpuMeter(pids)
    requests = {
        "get_customer": lambda v: f"{stacks[v].url}/api/customers/{ids[v]}",
        "orders_page": lambda v: f"{stacks[v].url}/api/orders?limit={profile.page_limit}",
    }
    by_request: dict[str, Any] = {}
    results: dict[str, Any] = {"requests": by_request}
    for request, url_of in requests.items():
        by_request[request] = {}
        for variant in VARIANTS:
            if profile.warmup_seconds:
                wrk.run(
                    url_of(variant),
                    connections=max(profile.composition_connections),
                    seconds=profile.warmup_seconds,
                    headers=stacks[variant].headers(),
                )
        for connections in profile.composition_connections:
            samples: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
            for _ in range(profile.runs):
                for variant in VARIANTS:
                    meter.start()
                    result = wrk.run(
                        url_of(variant),
                        connections=connections,
                        seconds=profile.seconds,
                        headers=stacks[variant].headers(),
                    )
                    cpu = meter.stop()
                    samples[variant].append(_sample(variant, result, cpu))
            by_request[request][str(connections)] = _summarise(samples)
            print(_line(request, connections, by_request[request][str(connections)]), flush=True)
    time.sleep(1.0)  # the last export batches land
    results["rss_mb"] = {
        variant: {
            p.name: round(rss_mb(pid), 1)
            for p, pid in zip(stack.processes, _pids(stack).values(), strict=True)
        }
        for variant, stack in stacks.items()
    }
    for rss in results["rss_mb"].values():
        rss["total"] = round(sum(rss.values()), 1)
    results["traces_held"] = {}
    for variant in ("lab_on", "lab_sampled"):
        lab = stacks[variant]
        url = f"{lab.url}/api/lab/traces?limit=1000"
        held = httpx.get(url, headers=lab.headers(), timeout=30).json()["items"]
        results["traces_held"][variant] = len(held)
    return results


def _sample(variant: str, result: wrk.WrkResult, cpu: dict[str, float]) -> dict[str, Any]:
    mine = {k.split(".", 1)[1]: v for k, v in cpu.items() if k.startswith(f"{variant}.")}
    per_request = {
        name: round(seconds * 1000 / result.requests, 3) if result.requests else 0.0
        for name, seconds in mine.items()
    }
    per_request["total"] = round(sum(per_request.values()), 3)
    return {
        **result.as_dict(),
        "cpu_ms_per_request": per_request,
        "other_cpu_cores": round(cpu["other"] / result.seconds, 2) if result.seconds else 0.0,
    }


def _summarise(samples: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    variants: dict[str, Any] = {}
    for variant, runs in samples.items():
        variants[variant] = wrk_summary(runs) | {
            "cpu_ms_per_request": {
                name: summary(s["cpu_ms_per_request"][name] for s in runs)["median"]
                for name in runs[0]["cpu_ms_per_request"]
            },
            "other_cpu_cores": summary((s["other_cpu_cores"] for s in runs), 2),
        }
    off = variants["lab_off"]
    cpu_off = off["cpu_ms_per_request"]["total"]
    return {
        "variants": variants,
        "ratios": {
            f"{name} rps/off": ratio(variants[name]["rps"]["median"], off["rps"]["median"])
            for name in ("lab_on", "lab_sampled")
        }
        | {
            f"{name} cpu/off": ratio(variants[name]["cpu_ms_per_request"]["total"], cpu_off)
            for name in ("lab_on", "lab_sampled")
        },
        "cpu_added_ms": {
            name: round(variants[name]["cpu_ms_per_request"]["total"] - cpu_off, 3)
            for name in ("lab_on", "lab_sampled")
        },
    }


def _line(request: str, connections: int, result: dict[str, Any]) -> str:
    rates = "  ".join(f"{v} {r['rps']['median']:.0f}/s" for v, r in result["variants"].items())
    return f"  {request:<13} c={connections:<3} {rates}  ratios {result['ratios']}"

"""Part 3, writes: POST /api/orders through the gateway (the order service checks the customer
with the customer service), concurrent writers, on SQLite and on PostgreSQL in turns.

Every order carries its own Idempotency-Key, as the frontend sends. A run passes only if every
answer was a 2xx and the database holds at least as many new orders as wrk counted answers
(wrk drops the answers still in flight when its time is up, so there may be a few more).
"""

from __future__ import annotations

from typing import Any

from orderflow_testing import ServiceProcess

from . import data, wrk
from .config import Profile
from .lab import Lab
from .stats import summary


def measure(lab: Lab, profile: Profile) -> dict[str, Any]:
    backends: dict[str, tuple[ServiceProcess, str, list[str]]] = {
        "sqlite": (lab.gateway, lab.urls["order"], lab.customer_ids[:20]),
    }
    if "postgresql" in profile.write_backends and lab.start_postgres():
        backends["postgresql"] = (lab.pg[2], lab.pg_urls["order"], lab.pg_customer_ids)
    results: dict[str, Any] = {"backends": list(backends)}
    for connections in profile.write_connections:
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in backends}
        for run in range(profile.runs):
            for name, (gateway, order_db, customers) in backends.items():
                before = data.count_orders(order_db)
                result = wrk.run(
                    f"{gateway.url}/api/orders",
                    connections=connections,
                    seconds=profile.seconds,
                    script="post_orders.lua",
                    headers=lab.headers,
                    script_args=(f"c{connections}r{run}", *customers),
                )
                created = data.count_orders(order_db) - before
                runs[name].append({**result.as_dict(), "orders_created": created})
        results[str(connections)] = {}
        for name, samples in runs.items():
            errors = sum(sum(s["errors"].values()) for s in samples)
            lost = sum(max(0, s["requests"] - s["orders_created"]) for s in samples)
            statuses: dict[str, int] = {}
            for sample in samples:
                for status, n in sample.get("failed_statuses", {}).items():
                    statuses[status] = statuses.get(status, 0) + n
            results[str(connections)][name] = {
                "rps": summary((s["rps"] for s in samples), 1),
                "p50_ms": summary(s["latency_ms"]["p50"] for s in samples),
                "p99_ms": summary(s["latency_ms"]["p99"] for s in samples),
                "errors": errors,
                "failed_statuses": statuses,
                "answered_but_missing": lost,
                "ok": errors == 0 and lost == 0,
                "samples": samples,
            }
            print(
                f"  POST /api/orders {name:<10} c={connections:<3} "
                f"{results[str(connections)][name]['rps']['median']:>7.0f}/s  "
                f"errors {errors} {statuses or ''}  missing {lost}",
                flush=True,
            )
    return results

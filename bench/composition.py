"""Part 2, composition: order reads through the gateway, customers filled in, with few and with
many orders behind it, in turns; and how many upstream calls each page costs."""

from __future__ import annotations

import re
from typing import Any

import httpx
from orderflow_testing import ServiceProcess

from . import wrk
from .config import Profile
from .lab import Lab
from .stats import ratio, summary

SAMPLE = re.compile(r"^http_requests_total\{(?P<labels>[^}]*)\} (?P<value>\S+)$", re.M)
LABEL = re.compile(r'(\w+)="([^"]*)"')
NOT_CALLS = frozenset({"/metrics", "/healthz", "/readyz"})


def requests_by_route(service: ServiceProcess) -> dict[str, float]:
    """``{"GET /orders": n, ...}`` from the service's Prometheus counter, probes left out."""
    text = httpx.get(f"{service.url}/metrics", timeout=5).text
    counts: dict[str, float] = {}
    for match in SAMPLE.finditer(text):
        labels = dict(LABEL.findall(match["labels"]))
        if labels.get("route") in NOT_CALLS:
            continue
        key = f"{labels.get('method')} {labels.get('route')}"
        counts[key] = counts.get(key, 0.0) + float(match["value"])
    return counts


def count_upstream_calls(
    gateway_url: str,
    upstreams: dict[str, ServiceProcess],
    *,
    limit: int,
    pages: int,
    headers: dict[str, str],
) -> dict[str, Any]:
    """Follow ``pages`` pages of ``/api/orders``; upstream requests per page, by service."""
    before = {name: requests_by_route(s) for name, s in upstreams.items()}
    cursor: str | None = None
    fetched = orders = with_customer = 0
    with httpx.Client(base_url=gateway_url, timeout=10, headers=headers) as client:
        for _ in range(pages):
            params: dict[str, Any] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            response = client.get("/api/orders", params=params)
            response.raise_for_status()
            page = response.json()
            fetched += 1
            orders += len(page["items"])
            with_customer += sum(1 for item in page["items"] if item.get("customer"))
            cursor = page.get("next_cursor")
            if not cursor:
                break
    calls: dict[str, Any] = {}
    for name, service in upstreams.items():
        after = requests_by_route(service)
        delta = {k: v - before[name].get(k, 0.0) for k, v in after.items()}
        calls[name] = {k: round(v / fetched, 2) for k, v in delta.items() if v}
    total = sum(sum(by_route.values()) for by_route in calls.values())
    return {
        "pages": fetched,
        "orders": orders,
        "orders_with_customer": with_customer,
        "calls_per_page": calls,
        "total_calls_per_page": round(total, 2),
    }


def measure(lab: Lab, profile: Profile) -> dict[str, Any]:
    sizes = {
        "small": (profile.orders_small, lab.gateway, lab.order),
        "big": (profile.orders_big, lab.gateway_big, lab.order_big),
    }
    some_order = {name: _first_order_id(gw.url, lab.headers) for name, (_, gw, _) in sizes.items()}
    requests = {
        "page": lambda name: f"/api/orders?limit={profile.composed_limit}",
        "filtered_page": lambda name: f"/api/orders?limit={profile.composed_limit}&status=PENDING",
        "get_by_id": lambda name: f"/api/orders/{some_order[name]}",
    }
    results: dict[str, Any] = {
        "orders": {name: count for name, (count, _, _) in sizes.items()},
        "upstream_calls": {
            name: count_upstream_calls(
                gw.url,
                {"order": order, "customer": lab.customer},
                limit=profile.composed_limit,
                pages=profile.counted_pages,
                headers=lab.headers,
            )
            for name, (_, gw, order) in sizes.items()
        },
        "throughput": {},
    }
    for request in profile.composition_requests:
        path_of = requests[request]
        urls = {name: gw.url + path_of(name) for name, (_, gw, _) in sizes.items()}
        if profile.warmup_seconds:
            for url in urls.values():
                wrk.run(url, connections=1, seconds=profile.warmup_seconds, headers=lab.headers)
        results["throughput"][request] = {}
        for connections in profile.composition_connections:
            runs: dict[str, list[dict[str, Any]]] = {name: [] for name in sizes}
            for _ in range(profile.runs):
                for name, url in urls.items():
                    result = wrk.run(
                        url, connections=connections, seconds=profile.seconds, headers=lab.headers
                    )
                    runs[name].append(result.as_dict())
            entry = {
                name: {
                    "rps": summary((s["rps"] for s in samples), 1),
                    "p50_ms": summary(s["latency_ms"]["p50"] for s in samples),
                    "p99_ms": summary(s["latency_ms"]["p99"] for s in samples),
                    "errors": sum(sum(s["errors"].values()) for s in samples),
                    "samples": samples,
                }
                for name, samples in runs.items()
            }
            entry["big/small"] = {
                "rps": ratio(entry["big"]["rps"]["median"], entry["small"]["rps"]["median"]),
                "p50": ratio(entry["big"]["p50_ms"]["median"], entry["small"]["p50_ms"]["median"]),
            }
            results["throughput"][request][str(connections)] = entry
            print(
                f"  {request:<13} c={connections:<3} "
                f"{profile.orders_small} orders {entry['small']['rps']['median']:>7.0f}/s  "
                f"{profile.orders_big} orders {entry['big']['rps']['median']:>7.0f}/s  "
                f"p50 ratio {entry['big/small']['p50']}",
                flush=True,
            )
    return results


def _first_order_id(gateway_url: str, headers: dict[str, str]) -> str:
    response = httpx.get(
        f"{gateway_url}/api/orders", params={"limit": 1}, headers=headers, timeout=10
    )
    response.raise_for_status()
    return str(response.json()["items"][0]["id"])

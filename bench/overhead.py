"""Part 1, gateway overhead: the same reads straight to the service, through nginx, and through
the gateway, in turns, at several connection counts."""

from __future__ import annotations

from typing import Any

from . import stack, wrk
from .config import Profile
from .lab import Lab
from .procs import CpuMeter
from .stats import ratio, summary, wrk_summary


def targets(lab: Lab) -> dict[str, dict[str, str]]:
    """``{request: {variant: url}}``: direct, nginx, gateway, then any gateway variants."""
    customer_id = lab.customer_ids[0]
    page = f"limit={lab.profile.page_limit}"
    gateways = {"gateway": lab.gateway, **lab.gateway_variants}
    return {
        "get_customer": {
            "direct": f"{lab.customer.url}/customers/{customer_id}",
            "nginx": f"{lab.nginx.url}/api/customers/{customer_id}",
            **{name: f"{gw.url}/api/customers/{customer_id}" for name, gw in gateways.items()},
        },
        "orders_page": {
            "direct": f"{lab.order.url}/orders?{page}",
            "nginx": f"{lab.nginx.url}/api/orders?{page}",
            **{name: f"{gw.url}/api/orders?{page}" for name, gw in gateways.items()},
        },
    }


def measure(lab: Lab, profile: Profile) -> dict[str, Any]:
    meter = CpuMeter(
        {
            "customer": stack.pid(lab.customer),
            "order": stack.pid(lab.order),
            "gateway": stack.pid(lab.gateway),
            **{name: stack.pid(gw) for name, gw in lab.gateway_variants.items()},
            "nginx": lab.nginx.pid,
        }
    )
    results: dict[str, Any] = {}
    for endpoint, urls in targets(lab).items():
        if profile.warmup_seconds:
            for url in urls.values():
                wrk.run(
                    url,
                    connections=max(profile.connections),
                    seconds=profile.warmup_seconds,
                    headers=lab.headers,
                )
        results[endpoint] = {}
        for connections in profile.connections:
            runs: dict[str, list[dict[str, Any]]] = {variant: [] for variant in urls}
            for _ in range(profile.runs):
                for variant in urls:
                    meter.start()
                    result = wrk.run(
                        urls[variant],
                        connections=connections,
                        seconds=profile.seconds,
                        headers=lab.headers,
                    )
                    cpu = meter.stop()
                    runs[variant].append(_sample(result, cpu))
            results[endpoint][str(connections)] = _summarise(runs)
            print(_line(endpoint, connections, results[endpoint][str(connections)]), flush=True)
    return results


def _sample(result: wrk.WrkResult, cpu: dict[str, float]) -> dict[str, Any]:
    other = cpu.pop("other")
    per_request = {
        name: round(seconds * 1000 / result.requests, 3) if result.requests else None
        for name, seconds in cpu.items()
    }
    return {
        **result.as_dict(),
        "cpu_ms_per_request": per_request,
        # Cores' worth of CPU that something outside the test used meanwhile.
        "other_cpu_cores": round(other / result.seconds, 2) if result.seconds else 0.0,
    }


def _summarise(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    variants: dict[str, Any] = {}
    for variant, samples in runs.items():
        processes = samples[0]["cpu_ms_per_request"].keys()
        variants[variant] = wrk_summary(samples) | {
            "cpu_ms_per_request": {
                name: summary(s["cpu_ms_per_request"][name] or 0.0 for s in samples)["median"]
                for name in processes
            },
            "other_cpu_cores": summary((s["other_cpu_cores"] for s in samples), 2),
        }
    rps = {v: variants[v]["rps"]["median"] for v in variants}
    p50 = {v: variants[v]["p50_ms"]["median"] for v in variants}
    proxies = [v for v in variants if v != "direct"]
    ratios = {f"{v}/nginx": ratio(rps[v], rps["nginx"]) for v in proxies if v != "nginx"}
    ratios |= {f"{v}/direct": ratio(rps[v], rps["direct"]) for v in proxies}
    return {
        "variants": variants,
        "ratios": ratios,
        "p50_added_ms": {v: round(p50[v] - p50["direct"], 3) for v in proxies},
    }


def _line(endpoint: str, connections: int, result: dict[str, Any]) -> str:
    rates = "  ".join(f"{v} {r['rps']['median']:.0f}/s" for v, r in result["variants"].items())
    return f"  {endpoint:<13} c={connections:<3} {rates}  ratios {result['ratios']}"

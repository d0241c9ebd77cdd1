"""Part 5, what a signed-in request costs: verifying its access token.

- ``verifier``: ``chassis.auth.TokenVerifier.verify`` in-process, for a token it has verified
  before (a dict look-up) and for a new one (ES256 signature and claims, PyJWT), in µs a call.
- ``gateway``: ``GET /api/customers/{id}`` through the gateway, in turns, with one token (as a
  client reuses its token: every hop finds it in its cache) and with a new token on every
  request (the gateway and the customer service each verify a signature).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from chassis.auth import TokenVerifier

from . import wrk
from .config import Profile
from .lab import Lab
from .stats import ratio, summary

# More than a verifier keeps (10,000), so that cycling through them misses every cache.
FRESH_TOKENS = 12_000
CACHED_CALLS = 20_000
FRESH_CALLS = 2_000


def measure(lab: Lab, profile: Profile) -> dict[str, Any]:
    result = {"verifier_us": _verifier(lab, profile)}
    v = result["verifier_us"]
    print(
        f"  verify        cached {v['cached']['median']:.2f} us  "
        f"new {v['new']['median']:.1f} us  ({v['new/cached']} x)",
        flush=True,
    )
    tokens = lab.workdir / "tokens.txt"
    tokens.write_text(
        "\n".join(lab.issuer.token(sub=f"bench-{n}") for n in range(FRESH_TOKENS)) + "\n"
    )
    result["gateway"] = _gateway(lab, profile, tokens)
    return result


def _verifier(lab: Lab, profile: Profile) -> dict[str, Any]:
    issuer = lab.issuer
    runs = max(profile.runs, 3)

    async def per_call() -> tuple[float, float]:
        verifier = TokenVerifier(issuer=issuer.issuer, audience=issuer.audience, jwks=issuer.jwks())
        token = issuer.token()
        await verifier.verify(token)
        start = time.perf_counter()
        for _ in range(CACHED_CALLS):
            await verifier.verify(token)
        cached = (time.perf_counter() - start) / CACHED_CALLS
        new = [issuer.token(sub=f"new-{n}") for n in range(FRESH_CALLS)]
        start = time.perf_counter()
        for fresh in new:
            await verifier.verify(fresh)
        return cached * 1e6, (time.perf_counter() - start) / FRESH_CALLS * 1e6

    samples = [asyncio.run(per_call()) for _ in range(runs)]
    cached = summary((c for c, _ in samples), 2)
    new = summary((n for _, n in samples), 1)
    return {"cached": cached, "new": new, "new/cached": ratio(new["median"], cached["median"])}


def _gateway(lab: Lab, profile: Profile, tokens: Path) -> dict[str, Any]:
    url = f"{lab.gateway.url}/api/customers/{lab.customer_ids[0]}"
    variants: dict[str, dict[str, Any]] = {
        "one token": {"headers": lab.headers},
        "new token each request": {"script": "fresh_tokens.lua", "script_args": (str(tokens),)},
    }
    results: dict[str, Any] = {}
    for connections in profile.composition_connections:
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
        for _ in range(profile.runs):
            for name, options in variants.items():
                done = wrk.run(url, connections=connections, seconds=profile.seconds, **options)
                runs[name].append(done.as_dict())
        entry: dict[str, Any] = {
            name: {
                "rps": summary((s["rps"] for s in samples), 1),
                "p50_ms": summary(s["latency_ms"]["p50"] for s in samples),
                "errors": sum(sum(s["errors"].values()) for s in samples),
                "samples": samples,
            }
            for name, samples in runs.items()
        }
        cached, fresh = entry["one token"], entry["new token each request"]
        entry["ratios"] = {
            "rps new/one": ratio(fresh["rps"]["median"], cached["rps"]["median"]),
            "p50 added ms": round(fresh["p50_ms"]["median"] - cached["p50_ms"]["median"], 3),
        }
        results[str(connections)] = entry
        print(
            f"  get_customer  c={connections:<3} one token {cached['rps']['median']:.0f}/s  "
            f"new token each {fresh['rps']['median']:.0f}/s  {entry['ratios']}",
            flush=True,
        )
    return results

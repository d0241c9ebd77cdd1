"""The `limits` library's Redis strategies beside the gateway's GCRA script: cost per hit.

    uv run --with "limits[async-redis]==5.8.0" python -m bench.limits_compare

Not part of the lock or of ``make bench``: it measured a choice once (docs/adr/0016), and is
kept so the figures can be made again. Sequential hits on 100 keys against the Redis named by
``ORDERFLOW_BENCH_REDIS_URL`` (else database 9 of the local server); its keys are deleted after.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import redis
from api_gateway.ratelimit import Rate, RedisStore
from limits import parse  # type: ignore[import-not-found]
from limits.aio.storage import RedisStorage  # type: ignore[import-not-found]
from limits.aio.strategies import (  # type: ignore[import-not-found]
    FixedWindowRateLimiter,
    MovingWindowRateLimiter,
    SlidingWindowCounterRateLimiter,
)

URL = os.environ.get("ORDERFLOW_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
HITS = 2000
PREFIX = f"orderflow-compare-{uuid.uuid4().hex[:8]}"


async def main() -> None:
    item = parse("1000000/second")
    found: dict[str, float] = {}
    strategies = {
        "limits moving window": MovingWindowRateLimiter,
        "limits sliding window counter": SlidingWindowCounterRateLimiter,
        "limits fixed window": FixedWindowRateLimiter,
    }
    for name, strategy in strategies.items():
        limiter = strategy(RedisStorage(f"async+{URL}", key_prefix=f"{PREFIX}-{strategy.__name__}"))
        for n in range(100):
            await limiter.hit(item, f"warm{n % 10}")
        started = time.perf_counter()
        for n in range(HITS):
            await limiter.hit(item, f"caller{n % 100}")
        found[name] = (time.perf_counter() - started) / HITS * 1e6
    ours = RedisStore(URL, timeout=5, prefix=f"{PREFIX}-gcra:")
    rate = Rate.parse("1000000/s")
    for n in range(100):
        await ours.take(f"warm{n % 10}", rate)
    started = time.perf_counter()
    for n in range(HITS):
        await ours.take(f"caller{n % 100}", rate)
    found["the gateway's GCRA script"] = (time.perf_counter() - started) / HITS * 1e6
    await ours.aclose()
    for name, micros in found.items():
        print(f"{name}: {micros:.0f} µs per hit")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    finally:
        client = redis.Redis.from_url(URL)
        keys = list(client.scan_iter(match=f"{PREFIX}*"))
        if keys:
            client.delete(*keys)

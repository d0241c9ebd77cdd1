"""The budgets in a real Redis: the same arithmetic as in the process, one bucket for every
gateway that names the server, and a Redis that refuses or hangs handed over to the process."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest
from api_gateway.ratelimit import FallbackStore, MemoryStore, Rate, RedisStore
from orderflow_testing import RedisNamespace
from prometheus_client import REGISTRY

pytestmark = pytest.mark.redis
SLOW = Rate.parse("1/min burst 3")


def fallbacks() -> float:
    samples = [
        REGISTRY.get_sample_value("gateway_rate_limit_fallbacks_total", {"reason": reason})
        for reason in ("error", "timeout", "resting")
    ]
    return sum(value or 0.0 for value in samples)


def store(namespace: RedisNamespace, timeout: float = 2.0) -> RedisStore:
    return RedisStore(namespace.url, timeout=timeout, prefix=namespace.prefix)


async def test_a_burst_then_one_request_per_interval(redis_namespace: RedisNamespace) -> None:
    redis = store(redis_namespace)
    try:
        decisions = [await redis.take("caller", SLOW) for _ in range(4)]
    finally:
        await redis.aclose()

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert 59 < decisions[3].retry_after <= 60
    assert 179 < decisions[3].reset_after <= 180
    assert redis_namespace.keys() == 1


async def test_the_bucket_refills_on_redis_time(redis_namespace: RedisNamespace) -> None:
    fast = Rate.parse("20/s burst 2")
    redis = store(redis_namespace)
    try:
        spent = [await redis.take("caller", fast) for _ in range(3)]
        await asyncio.sleep(0.12)  # two intervals and a bit
        refilled = await redis.take("caller", fast)
    finally:
        await redis.aclose()

    assert [d.allowed for d in spent] == [True, True, False]
    assert refilled.allowed


async def test_two_gateways_draw_on_one_bucket(redis_namespace: RedisNamespace) -> None:
    first, second = store(redis_namespace), store(redis_namespace)
    try:
        answers = [await (first if n % 2 else second).take("caller", SLOW) for n in range(6)]
        given_back = await first.give_back("caller", SLOW)
        after = await second.take("caller", SLOW)
    finally:
        await first.aclose()
        await second.aclose()

    assert sum(a.allowed for a in answers) == 3
    assert given_back is None
    assert after.allowed


async def test_a_redis_that_refuses_hands_over_to_the_process() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        redis = RedisStore(f"redis://127.0.0.1:{port}/0", timeout=0.5)
        resilient = FallbackStore(redis, MemoryStore(), timeout=0.5)
        before = fallbacks()
        try:
            decisions = [await resilient.take("caller", SLOW) for _ in range(4)]
        finally:
            await resilient.aclose()

    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert resilient.degraded
    assert fallbacks() >= before + 4


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A server that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        listener.close()


async def test_a_hung_redis_holds_no_request_past_the_timeout(hung_redis: str) -> None:
    timeout = 0.2
    resilient = FallbackStore(
        RedisStore(hung_redis, timeout=timeout), MemoryStore(), timeout=timeout
    )
    before = fallbacks()
    started = time.monotonic()
    try:
        decisions = await asyncio.gather(*(resilient.take(f"c{n}", SLOW) for n in range(20)))
    finally:
        await resilient.aclose()
    elapsed = time.monotonic() - started

    assert all(d.allowed for d in decisions)
    assert fallbacks() > before
    # Given up on after the timeout (the gathered ones at once), with wide room for a loaded
    # machine: the bound that matters is that they end at all, a hung socket never would.
    assert elapsed < 5.0, elapsed

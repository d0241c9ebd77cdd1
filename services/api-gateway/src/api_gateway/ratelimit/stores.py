"""Where the buckets live: in the process (one gateway), or in Redis (every replica at once).

``MemoryStore`` keeps each bucket's TAT in a dict. ``RedisStore`` runs the same steps as one
Lua script, atomically, on Redis's own clock, so replicas whose clocks differ still share one
budget (docs/adr/0016). ``FallbackStore`` puts a timeout on Redis: when it fails or is slow,
the request is judged by the process's own buckets instead, counted and logged, and Redis is
not asked again for a moment; a limiter never turns a Redis outage into an error or a wait.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Protocol

from chassis import get_logger

from ..metrics import RATE_LIMIT_FALLBACKS
from .gcra import Decision, Rate, give_back, take

log = get_logger(__name__)
KEY_PREFIX = "orderflow:ratelimit:"


class Store(Protocol):
    async def take(self, key: str, rate: Rate) -> Decision:
        """Judge one request against ``key``'s bucket, spending from it if allowed."""
        ...

    async def give_back(self, key: str, rate: Rate) -> None:
        """Return one request to ``key``'s bucket."""
        ...

    async def aclose(self) -> None: ...


class MemoryStore:
    """Buckets in a dict, at most ``max_keys`` of them: the least recently used go first, and
    a full bucket is no entry at all (so many one-off callers cost nothing for long)."""

    def __init__(
        self, *, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_keys = max_keys
        self.clock = clock
        self._tats: dict[str, float] = {}

    def __len__(self) -> int:
        return len(self._tats)

    async def take(self, key: str, rate: Rate) -> Decision:
        now = self.clock()
        tat, decision = take(self._tats.pop(key, None), now, rate)
        if tat > now:
            self._tats[key] = tat  # re-inserted: the dict's order is the order of use
            if len(self._tats) > self.max_keys:
                self._evict(now)
        return decision

    async def give_back(self, key: str, rate: Rate) -> None:
        now = self.clock()
        tat = give_back(self._tats.pop(key, None), now, rate)
        if tat is not None:
            self._tats[key] = tat

    def _evict(self, now: float) -> None:
        for key in [key for key, tat in self._tats.items() if tat <= now]:
            del self._tats[key]
        while len(self._tats) > self.max_keys:
            del self._tats[next(iter(self._tats))]

    async def aclose(self) -> None:
        self._tats.clear()


# KEYS[1] the bucket; ARGV[1] the emission interval and ARGV[2] the window, in microseconds;
# ARGV[3] 1 to take a request, -1 to give one back. Times are Redis's own (TIME), so every
# replica reads one clock. Answers {allowed, retry_after_us, reset_after_us, slack_us}.
GCRA_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
if tonumber(ARGV[3]) < 0 then
  local back = tat - interval
  if back > now then
    redis.call('SET', KEYS[1], string.format('%d', back), 'PX', math.ceil((back - now) / 1000))
  else
    redis.call('DEL', KEYS[1])
  end
  return {1, 0, 0, 0}
end
local new_tat = tat + interval
local allow_at = new_tat - window
if allow_at > now then
  return {0, allow_at - now, tat - now, 0}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return {1, 0, new_tat - now, now - allow_at}
"""
MICRO = 1_000_000


class RedisStore:
    """Buckets in Redis, shared by every gateway that names the same server and database."""

    def __init__(self, url: str, *, timeout: float, prefix: str = KEY_PREFIX) -> None:
        # Imported here: redis-py takes a third of a second to import, for gateways that use it.
        import redis.asyncio as aioredis

        self.client: Any = aioredis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=30,
        )
        self.prefix = prefix
        self._script = self.client.register_script(GCRA_SCRIPT)

    async def _run(self, key: str, rate: Rate, cost: int) -> list[int]:
        interval = round(rate.interval * MICRO)
        window = interval * rate.burst
        answer: list[int] = await self._script(
            keys=[self.prefix + key], args=[interval, window, cost]
        )
        return answer

    async def take(self, key: str, rate: Rate) -> Decision:
        allowed, retry_after, reset_after, slack = await self._run(key, rate, 1)
        interval = round(rate.interval * MICRO)
        return Decision(
            allowed=bool(allowed),
            remaining=int(slack) // interval,
            retry_after=int(retry_after) / MICRO,
            reset_after=int(reset_after) / MICRO,
        )

    async def give_back(self, key: str, rate: Rate) -> None:
        await self._run(key, rate, -1)

    async def ping(self) -> None:
        await self.client.ping()

    async def aclose(self) -> None:
        await self.client.aclose()


class FallbackStore:
    """``primary`` (Redis) within ``timeout``; on any failure, ``fallback`` (the process's
    buckets) for that request and for ``retry_after`` seconds, then Redis again."""

    def __init__(
        self,
        primary: Store,
        fallback: Store,
        *,
        timeout: float,
        retry_after: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.timeout = timeout
        self.retry_after = retry_after
        self.clock = clock
        self._down_until: float | None = None

    @property
    def degraded(self) -> bool:
        return self._down_until is not None

    def _primary_is_resting(self) -> bool:
        return self._down_until is not None and self.clock() < self._down_until

    def _failed(self, exc: BaseException) -> None:
        reason = "timeout" if isinstance(exc, TimeoutError) else "error"
        RATE_LIMIT_FALLBACKS.labels(reason).inc()
        if self._down_until is None:
            log.warning("rate_limit_store_unavailable", reason=reason, error=repr(exc))
        self._down_until = self.clock() + self.retry_after

    def _recovered(self) -> None:
        if self._down_until is not None:
            self._down_until = None
            log.info("rate_limit_store_recovered")

    async def take(self, key: str, rate: Rate) -> Decision:
        if self._primary_is_resting():
            RATE_LIMIT_FALLBACKS.labels("resting").inc()
            return await self.fallback.take(key, rate)
        try:
            async with asyncio.timeout(self.timeout):
                decision = await self.primary.take(key, rate)
        except Exception as exc:  # whatever Redis does, the request is judged here
            self._failed(exc)
            return await self.fallback.take(key, rate)
        self._recovered()
        return decision

    async def give_back(self, key: str, rate: Rate) -> None:
        if self._primary_is_resting():
            await self.fallback.give_back(key, rate)
            return
        try:
            async with asyncio.timeout(self.timeout):
                await self.primary.give_back(key, rate)
        except Exception as exc:
            self._failed(exc)
            await self.fallback.give_back(key, rate)

    async def aclose(self) -> None:
        await self.primary.aclose()
        await self.fallback.aclose()

"""Bounded retries with exponential backoff and full jitter, free on the success path.

Retry libraries (stamina, tenacity) build a retrying object per call; on a gateway's hot path
that cost more than the call it guarded (see docs/adr/0004-resilience.md). Here the first attempt
is a plain ``await`` and the policy is consulted only after a failure.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
RetryListener = Callable[[int, BaseException, float], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """At most ``attempts`` tries in all, none starting after ``budget`` seconds."""

    attempts: int = 3
    backoff_initial: float = 0.05
    backoff_max: float = 1.0
    budget: float = 2.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.backoff_initial < 0 or self.budget < 0:
            raise ValueError("attempts must be >= 1, delays and budget >= 0")

    def backoff(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """The wait before retry number ``retry`` (1, 2, ...): full jitter up to the cap."""
        ceiling = min(self.backoff_max, self.backoff_initial * 2.0 ** (retry - 1))
        return rand() * ceiling


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    retry_on: tuple[type[BaseException], ...],
    on_retry: RetryListener | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """``await call()``, again after a backoff when it raises one of ``retry_on``."""
    start = clock()
    attempt = 1
    while True:
        try:
            return await call()
        except retry_on as exc:
            if attempt >= policy.attempts:
                raise
            delay = policy.backoff(attempt)
            if clock() + delay - start > policy.budget:
                raise
            if on_retry is not None:
                on_retry(attempt, exc, delay)
            await sleep(delay)
            attempt += 1

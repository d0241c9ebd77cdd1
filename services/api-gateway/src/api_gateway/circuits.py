"""Each upstream's breaker and load, read in one place: the Lab and /metrics show the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from chassis.breaker import CircuitBreaker

if TYPE_CHECKING:
    from .client import UpstreamClient


@dataclass(frozen=True, slots=True)
class BreakerReading:
    state: str
    failure_rate: float | None
    """Failed share of the calls in the breaker's window, 0..1; None while it holds none."""
    window_calls: int
    window_failures: int
    retry_after_s: float


def read_breaker(breaker: CircuitBreaker) -> BreakerReading:
    """The breaker's state and its window (ADR 9), from its public API: the one place to change
    when the breaker changes how it counts."""
    calls = breaker.calls_in_window()
    rate = breaker.failure_rate()
    return BreakerReading(
        state=breaker.state.value,
        failure_rate=round(rate, 3) if calls else None,
        window_calls=calls,
        window_failures=round(rate * calls),
        retry_after_s=round(breaker.retry_after(), 3),
    )


def circuit_of(client: UpstreamClient) -> dict[str, object]:
    breaker = read_breaker(client.breaker)
    return {
        "service": client.name,
        "state": breaker.state,
        "failure_rate": breaker.failure_rate,
        "window_calls": breaker.window_calls,
        "window_failures": breaker.window_failures,
        "retry_after_s": breaker.retry_after_s,
        "in_flight": client.in_flight,
        "max_concurrency": client.max_concurrency,
        "queued": client.queued,
    }

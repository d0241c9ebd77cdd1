"""Prometheus metrics of the calls the gateway makes, served on /metrics with the chassis's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chassis.breaker import CircuitState
from prometheus_client import Counter, Gauge, Histogram

from .circuits import read_breaker

if TYPE_CHECKING:
    from .client import UpstreamClient

UPSTREAM_CALLS = Counter(
    "gateway_upstream_requests_total",
    "Calls to upstream services, by upstream and outcome (a status code or an error kind).",
    ["upstream", "outcome"],
)
UPSTREAM_LATENCY = Histogram(
    "gateway_upstream_request_duration_seconds",
    "Time of one call to an upstream service, retries included.",
    ["upstream"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
UPSTREAM_RETRIES = Counter(
    "gateway_upstream_retries_total",
    "Calls tried again after a try that never left (refused, or aborted by a Lab fault).",
    ["upstream"],
)
UPSTREAM_IN_FLIGHT = Gauge(
    "gateway_upstream_in_flight", "Calls to an upstream now in flight.", ["upstream"]
)
UPSTREAM_QUEUED = Gauge(
    "gateway_upstream_queued", "Calls waiting for one of an upstream's slots.", ["upstream"]
)
UPSTREAM_MAX_CONCURRENCY = Gauge(
    "gateway_upstream_max_concurrency", "Calls an upstream may have in flight.", ["upstream"]
)
BREAKER_STATE = Gauge(
    "gateway_circuit_breaker_state",
    "Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.",
    ["upstream"],
)
BREAKER_FAILURE_RATE = Gauge(
    "gateway_circuit_breaker_failure_rate",
    "Failed share (0..1) of the calls in the breaker's window; 0 while it holds none.",
    ["upstream"],
)
BREAKER_VALUES = {CircuitState.CLOSED: 0, CircuitState.HALF_OPEN: 1, CircuitState.OPEN: 2}


def watch_upstream(client: UpstreamClient) -> None:
    """Gauges read from the client when /metrics is scraped: nothing to update per call, and
    the numbers the Lab shows (``circuits.circuit_of``) by construction."""
    name = client.name
    UPSTREAM_IN_FLIGHT.labels(name).set_function(lambda: client.in_flight)
    UPSTREAM_QUEUED.labels(name).set_function(lambda: client.queued)
    UPSTREAM_MAX_CONCURRENCY.labels(name).set(client.max_concurrency)
    BREAKER_FAILURE_RATE.labels(name).set_function(
        lambda: read_breaker(client.breaker).failure_rate or 0.0
    )
    BREAKER_STATE.labels(name).set_function(lambda: BREAKER_VALUES[client.breaker.state])


RATE_LIMITED = Counter(
    "gateway_rate_limited_total",
    "Requests refused with a 429, by policy (reads, writes, login) and by what was counted "
    "(sub, address, username).",
    ["policy", "reason"],
)
RATE_LIMIT_FALLBACKS = Counter(
    "gateway_rate_limit_fallbacks_total",
    "Requests judged by the process's own buckets because Redis failed (error), was too slow "
    "(timeout), or is being left alone after a failure (resting).",
    ["reason"],
)

"""Prometheus metrics of the calls the gateway makes, served on /metrics with the chassis's."""

from __future__ import annotations

from chassis.breaker import CircuitState
from prometheus_client import Counter, Gauge, Histogram

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
    "gateway_upstream_retries_total", "Calls retried after a connection failure.", ["upstream"]
)
UPSTREAM_IN_FLIGHT = Gauge(
    "gateway_upstream_in_flight", "Calls to an upstream now in flight.", ["upstream"]
)
BREAKER_STATE = Gauge(
    "gateway_circuit_breaker_state",
    "Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.",
    ["upstream"],
)
BREAKER_VALUES = {CircuitState.CLOSED: 0, CircuitState.HALF_OPEN: 1, CircuitState.OPEN: 2}


def record_breaker_state(upstream: str, state: CircuitState) -> None:
    BREAKER_STATE.labels(upstream).set(BREAKER_VALUES[state])

"""One upstream as the gateway sees it: a transport wrapped in its resilience policy.

Every call: wait at most ``queue_timeout`` for one of ``max_concurrency`` slots (503 if none
frees up); refuse at once if the circuit is open (503 + Retry-After); send with the request id
and trace context; retry a connection failure when the request is safe to repeat; feed the
outcome to the breaker, the metrics and the request's access-log line.
"""

from __future__ import annotations

import asyncio
import time
from contextvars import ContextVar
from typing import Any

from chassis import add_log_fields, current_request_id, get_logger
from chassis.breaker import CircuitBreaker, CircuitOpenError
from chassis.health import NotReadyError
from chassis.retry import RetryPolicy, call_with_retries
from opentelemetry import propagate, trace
from starlette.types import Scope

from . import metrics
from .upstream import (
    Transport,
    UpstreamCircuitOpenError,
    UpstreamConnectError,
    UpstreamError,
    UpstreamResponse,
    UpstreamSaturatedError,
    UpstreamTimeoutError,
    describe,
)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

current_scope: ContextVar[Scope | None] = ContextVar("current_scope", default=None)
"""The request being served: its access-log line gets upstream timings, its trace headers are
passed on."""
TRACE_HEADERS = ((b"traceparent", "traceparent"), (b"tracestate", "tracestate"))

_tracer = trace.get_tracer("api_gateway")
log = get_logger(__name__)


class UpstreamClient:
    def __init__(
        self,
        name: str,
        transport: Transport,
        *,
        breaker: CircuitBreaker,
        retry: RetryPolicy,
        max_concurrency: int,
        queue_timeout: float = 0.0,
        tracing: bool = False,
    ) -> None:
        self.name = name
        self.transport = transport
        self.breaker = breaker
        self.retry = retry
        self.max_concurrency = max_concurrency
        self.queue_timeout = queue_timeout
        self._slots = asyncio.Semaphore(max_concurrency)
        self.tracing = tracing
        self.in_flight = 0
        self._latency = metrics.UPSTREAM_LATENCY.labels(name)
        self._retries = metrics.UPSTREAM_RETRIES.labels(name)
        self._in_flight_gauge = metrics.UPSTREAM_IN_FLIGHT.labels(name)
        self._outcomes: dict[str, Any] = {}
        metrics.record_breaker_state(name, breaker.state)

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> UpstreamResponse:
        """Send ``method path``; answers any status, raises :class:`UpstreamError` otherwise."""
        sent = dict(headers) if headers else {}
        request_id = current_request_id()
        if request_id:
            sent["X-Request-ID"] = request_id
        scope = current_scope.get()
        principal = scope["state"].get("principal") if scope is not None else None
        if principal is not None:
            # The caller's own token: each service verifies it and decides what it may see.
            sent["Authorization"] = principal.authorization
        if not self.tracing:
            _pass_trace_context(sent)
        retryable = method in IDEMPOTENT_METHODS or (method == "POST" and "Idempotency-Key" in sent)
        await self._take_slot()
        self.in_flight += 1
        self._in_flight_gauge.inc()
        start = time.perf_counter()
        outcome = "error"
        error: str | None = None
        try:
            if self.tracing:
                with _tracer.start_as_current_span(
                    f"{method} {self.name}", kind=trace.SpanKind.CLIENT
                ) as span:
                    propagate.inject(sent)
                    response = await self._send(method, path, sent, body, retryable)
                    span.set_attribute("http.response.status_code", response.status)
            else:
                response = await self._send(method, path, sent, body, retryable)
            outcome = str(response.status)
            response.upstream = self.name
            return response
        except UpstreamError as exc:
            exc.upstream = self.name
            outcome = _outcome_of(exc)
            error = str(exc)
            raise
        finally:
            elapsed = time.perf_counter() - start
            self._slots.release()
            self.in_flight -= 1
            self._in_flight_gauge.dec()
            self._latency.observe(elapsed)
            self._count(outcome)
            self._log(method, path, outcome, elapsed, error)

    async def _take_slot(self) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # free: returns without suspending
            return
        try:
            if self.queue_timeout <= 0:
                raise TimeoutError
            await asyncio.wait_for(self._slots.acquire(), self.queue_timeout)
        except TimeoutError:
            self._count("saturated")
            raise UpstreamSaturatedError(self.name) from None

    async def _send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None, retryable: bool
    ) -> UpstreamResponse:
        async def attempt() -> UpstreamResponse:
            return await self._attempt(method, path, headers, body)

        if not retryable:
            return await attempt()
        return await call_with_retries(
            attempt,
            policy=self.retry,
            retry_on=(UpstreamConnectError,),
            on_retry=lambda *_: self._retries.inc(),
        )

    async def _attempt(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> UpstreamResponse:
        try:
            self.breaker.before_call()
        except CircuitOpenError as exc:
            raise UpstreamCircuitOpenError(self.name, exc.retry_after) from exc
        try:
            response = await self.transport.send(method, path, headers, body)
        except UpstreamSaturatedError:
            self.breaker.on_success()  # it answered; the gateway had no room for the answer
            raise
        except UpstreamError:
            # No answer: refused, timed out, broken off. Only these count (ADR 9).
            self.breaker.on_failure()
            raise
        except BaseException:
            self.breaker.on_abandon()
            raise
        # Any answer, 5xx included, shows the service up and serving: a 500 is one request's
        # fault, a 503 the service telling of its own dependency.
        self.breaker.on_success()
        return response

    async def probe(self) -> dict[str, Any]:
        """Readiness: the upstream's own /readyz answers 200 (sent around the breaker).

        Raises :class:`~chassis.health.NotReadyError` with public words; the log has the rest.
        """
        try:
            if self.breaker.retry_after() > 0:
                raise UpstreamCircuitOpenError(self.name, self.breaker.retry_after())
            headers = {"X-Request-ID": current_request_id() or "readyz"}
            response = await self.transport.send("GET", "/readyz", headers, None)
        except UpstreamError as exc:
            exc.upstream = self.name
            log.warning("upstream_not_ready", upstream=self.name, error=str(exc))
            raise NotReadyError(describe(exc)) from exc
        if response.status != 200:
            log.warning("upstream_not_ready", upstream=self.name, status=response.status)
            raise NotReadyError(f"The {self.name} service is not ready.")
        return {"circuit": self.breaker.state.value}

    def _count(self, outcome: str) -> None:
        counter = self._outcomes.get(outcome)
        if counter is None:
            counter = self._outcomes[outcome] = metrics.UPSTREAM_CALLS.labels(self.name, outcome)
        counter.inc()

    def _log(self, method: str, path: str, outcome: str, elapsed: float, error: str | None) -> None:
        scope = current_scope.get()
        if scope is None:
            if error is not None:
                log.warning("upstream_failed", upstream=self.name, outcome=outcome, error=error)
            return
        state = scope.setdefault("state", {})
        calls = state.get("log_fields", {}).get("upstream")
        entry = {
            "service": self.name,
            "method": method,
            "path": path.partition("?")[0],
            "outcome": outcome,
            "ms": round(elapsed * 1000, 2),
        }
        if error is not None:
            entry["error"] = error  # addresses and library words: here, never in an answer
        if calls is None:
            add_log_fields(state, upstream=[entry])
        else:
            calls.append(entry)


def _pass_trace_context(headers: dict[str, str]) -> None:
    """Without spans of our own, the caller's W3C trace context goes on as it came."""
    scope = current_scope.get()
    if scope is None:
        return
    for raw, name in TRACE_HEADERS:
        for key, value in scope["headers"]:
            if key == raw:
                headers[name] = value.decode("latin-1")
                break


def _outcome_of(exc: UpstreamError) -> str:
    if isinstance(exc, UpstreamCircuitOpenError):
        return "circuit_open"
    if isinstance(exc, UpstreamSaturatedError):
        return "saturated"
    if isinstance(exc, UpstreamConnectError):
        return "connect_error"
    if isinstance(exc, UpstreamTimeoutError):
        return "timeout"
    return "bad_response"


async def gather_settled(*calls: Any) -> list[Any]:
    """Run calls concurrently; each result is its value or the :class:`UpstreamError` it raised."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, UpstreamError):
            raise result
    return results


def with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path

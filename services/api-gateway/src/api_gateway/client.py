"""One upstream as the gateway sees it: a transport wrapped in its resilience policy.

Every call: wait at most ``queue_timeout`` for one of ``max_concurrency`` slots (503 if none
frees up); refuse at once if the circuit is open (503 + Retry-After); suffer the Lab's fault,
if one is set; send with the request id and trace context (``chassis.outgoing_headers``);
retry a call that never left (a refused connection, an injected abort) when the request is
safe to repeat; feed the outcome to the breaker, the metrics and the request's access-log line.
With tracing, each try is a client span: its outcome, the circuit's state, the fault it met.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
from chassis import PROBLEM_CONTENT_TYPE, append_log_field, get_logger, outgoing_headers, spans
from chassis.breaker import CircuitBreaker, CircuitOpenError, CircuitState
from chassis.health import NotReadyError
from chassis.observe import log_fields_var
from chassis.retry import RetryPolicy, call_with_retries

from . import metrics
from .lab.faults import FaultTable, Injection
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


log = get_logger(__name__)


async def sleep_at_least(seconds: float) -> None:
    """Wait ``seconds`` at least. ``asyncio.sleep`` on uvloop may wake a few milliseconds early
    on a busy loop (libuv's timers count from the loop's cached clock), and an injected delay
    of 400 ms must be one of 400 ms: wait again until the monotonic clock agrees."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:  # noqa: ASYNC110 (a deadline, not a poll)
        await asyncio.sleep(left)


class InjectedAbortError(UpstreamError):
    """A Lab fault answered in the upstream's place: the request never left, like a refused
    connection, so a request safe to repeat is tried again."""

    def __init__(self, upstream: str, status: int) -> None:
        super().__init__(f"the Lab aborted this call to the {upstream} service with {status}")
        self.response = UpstreamResponse(
            status,
            {"content-type": PROBLEM_CONTENT_TYPE},
            orjson.dumps(
                {
                    "type": "urn:orderflow:problem:lab-fault",
                    "title": "Injected fault",
                    "status": status,
                    "detail": f"A Lab fault answered for the {upstream} service.",
                }
            ),
        )


RETRIED = (UpstreamConnectError, InjectedAbortError)


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
        timeout: float = 30.0,
        faults: FaultTable | None = None,
        tracing: bool = False,
    ) -> None:
        self.name = name
        self.transport = transport
        self.breaker = breaker
        self.retry = retry
        self.max_concurrency = max_concurrency
        self.queue_timeout = queue_timeout
        self.timeout = timeout
        """The longest a call may take, as the transport allows: an injected delay counts."""
        self.faults = faults
        self.tracing = tracing
        self.in_flight = 0
        self.queued = 0
        self._slots = asyncio.Semaphore(max_concurrency)
        self._latency = metrics.UPSTREAM_LATENCY.labels(name)
        self._retries = metrics.UPSTREAM_RETRIES.labels(name)
        self._outcomes: dict[str, Any] = {}
        metrics.watch_upstream(self)

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
        retryable = method in IDEMPOTENT_METHODS or (method == "POST" and "Idempotency-Key" in sent)
        if not self.tracing:
            sent.update(outgoing_headers())
        await self._take_slot()
        self.in_flight += 1
        start = time.perf_counter()
        outcome = "error"
        error: str | None = None
        try:
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
            self._latency.observe(elapsed)
            self._count(outcome)
            self._log(method, path, outcome, elapsed, error)

    async def _take_slot(self) -> None:
        if not self._slots.locked():
            await self._slots.acquire()  # free: returns without suspending
            return
        self.queued += 1
        try:
            if self.queue_timeout <= 0:
                raise TimeoutError
            await asyncio.wait_for(self._slots.acquire(), self.queue_timeout)
        except TimeoutError:
            self._count("saturated")
            raise UpstreamSaturatedError(self.name) from None
        finally:
            self.queued -= 1

    async def _send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None, retryable: bool
    ) -> UpstreamResponse:
        tries = 0

        async def attempt() -> UpstreamResponse:
            nonlocal tries
            tries += 1
            if self.tracing:
                return await self._traced_attempt(method, path, headers, body, tries - 1)
            return await self._attempt(method, path, headers, body)

        try:
            if not retryable:
                return await attempt()
            return await call_with_retries(
                attempt, policy=self.retry, retry_on=RETRIED, on_retry=self._on_retry
            )
        except InjectedAbortError as abort:
            return abort.response

    def _on_retry(self, attempt: int, error: BaseException, backoff: float) -> None:
        self._retries.inc()
        spans.event(
            "retry",
            upstream=self.name,
            attempt=attempt,
            reason=_outcome_of(error) if isinstance(error, UpstreamError) else repr(error),
            backoff_ms=round(backoff * 1000, 1),
        )

    async def _traced_attempt(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None, resends: int
    ) -> UpstreamResponse:
        attributes: dict[str, spans.AttributeValue] = {
            "http.request.method": method,
            "url.path": path.partition("?")[0],
            "http.request.resend_count": resends,
            "orderflow.upstream": self.name,
            "orderflow.circuit.state": self.breaker.state.value,
        }
        with spans.span(f"{method} {self.name}", kind="client", attributes=attributes) as span:
            sent = {**headers, **outgoing_headers()}
            try:
                response = await self._attempt(method, path, sent, body, span)
            except UpstreamError as exc:
                span.set(**{"error.type": _outcome_of(exc)})
                span.fail(str(exc))
                raise
            span.set(**{"http.response.status_code": response.status})
            if response.status >= 500:
                span.fail(f"answered {response.status}")
            return response

    async def _attempt(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes | None,
        span: spans.Span = spans.NO_SPAN,
    ) -> UpstreamResponse:
        try:
            self.breaker.before_call()
        except CircuitOpenError as exc:
            span.event("circuit_refused", retry_after_s=round(exc.retry_after, 3))
            raise UpstreamCircuitOpenError(self.name, exc.retry_after) from exc
        injection = self.faults.draw(self.name) if self.faults is not None else None
        try:
            if injection is None:
                response = await self.transport.send(method, path, headers, body)
            else:
                response = await self._send_faulty(injection, method, path, headers, body, span)
        except UpstreamSaturatedError:
            self.breaker.on_success()  # it answered; the gateway had no room for the answer
            raise
        except UpstreamError:
            # No answer: refused, timed out, broken off, or a Lab abort. Only these count (ADR 9).
            self._failed(span)
            raise
        except BaseException:
            self.breaker.on_abandon()
            raise
        # Any answer, 5xx included, shows the service up and serving: a 500 is one request's
        # fault, a 503 the service telling of its own dependency.
        self.breaker.on_success()
        return response

    async def _send_faulty(
        self,
        injection: Injection,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes | None,
        span: spans.Span,
    ) -> UpstreamResponse:
        """The call as the fault makes it: delayed within the call's timeout, or aborted."""
        try:
            async with asyncio.timeout(self.timeout):
                if injection.delay_s:
                    span.event("fault_delay", delay_ms=round(injection.delay_s * 1000))
                    span.set(**{"orderflow.fault.delay_ms": round(injection.delay_s * 1000)})
                    await sleep_at_least(injection.delay_s)
                if injection.abort_status is not None:
                    span.event("fault_abort", status=injection.abort_status)
                    span.set(**{"orderflow.fault.abort_status": injection.abort_status})
                    raise InjectedAbortError(self.name, injection.abort_status)
                return await self.transport.send(method, path, headers, body)
        except TimeoutError as exc:
            raise UpstreamTimeoutError(f"no answer from the {self.name} service in time") from exc

    def _failed(self, span: spans.Span) -> None:
        """A failure for the breaker (injected aborts too: people can watch a circuit open)."""
        before = self.breaker.state
        self.breaker.on_failure()
        after = self.breaker.state
        if after is not before and after is CircuitState.OPEN:
            span.event("circuit_opened", upstream=self.name)

    async def probe(self) -> dict[str, Any]:
        """Readiness: the upstream's own /readyz answers 200 (sent around the breaker).

        Raises :class:`~chassis.health.NotReadyError` with public words; the log has the rest.
        """
        try:
            if self.breaker.retry_after() > 0:
                raise UpstreamCircuitOpenError(self.name, self.breaker.retry_after())
            headers = outgoing_headers() or {"X-Request-ID": "readyz"}
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
        entry = {
            "service": self.name,
            "method": method,
            "path": path.partition("?")[0],
            "outcome": outcome,
            "ms": round(elapsed * 1000, 2),
        }
        if error is not None:
            entry["error"] = error  # addresses and library words: here, never in an answer
            if log_fields_var.get() is None:
                log.warning("upstream_failed", upstream=self.name, outcome=outcome, error=error)
        append_log_field("upstream", entry)


def _outcome_of(exc: UpstreamError) -> str:
    if isinstance(exc, UpstreamCircuitOpenError):
        return "circuit_open"
    if isinstance(exc, UpstreamSaturatedError):
        return "saturated"
    if isinstance(exc, UpstreamConnectError):
        return "connect_error"
    if isinstance(exc, UpstreamTimeoutError):
        return "timeout"
    if isinstance(exc, InjectedAbortError):
        return "fault_abort"
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

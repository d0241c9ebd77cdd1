"""A circuit breaker: stop calling a dependency that is failing, and notice when it is back.

::

    CLOSED ──(failure rate ≥ threshold over the window, with ≥ minimum calls)──> OPEN
      ^                                                                           │
      │                                                              (reset_timeout)
      │                                                                           v
      └────────────────(a probe succeeds)──────────────── HALF_OPEN ──(a probe fails)──> OPEN

It opens on the *rate* of failures among the calls of the last ``window`` seconds, and only
once that window holds ``minimum_calls``: a few failures, or one caller's failing requests
among everybody's successful ones, never open it (Resilience4j's time-based sliding window,
Envoy's failure-percentage outlier detection). What counts as a failure is the caller's
decision (docs/adr/0009-circuit-breaker-failure-rate.md).

While OPEN every call is refused at once with :class:`CircuitOpenError`, which says how long
until a probe is let through. HALF_OPEN lets at most ``half_open_max_calls`` probes through at a
time, so a dependency that is just coming back is not flooded.

It keeps no lock and does no I/O: each method is a few comparisons, safe on one event loop.
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Callable


class CircuitState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpenError(Exception):
    """The call was not made: the circuit is open (or its probes are all in flight)."""

    def __init__(self, name: str, retry_after: float) -> None:
        super().__init__(f"circuit {name!r} is open; retry in {retry_after:.1f}s")
        self.name = name
        self.retry_after = retry_after


StateListener = Callable[[str, CircuitState], None]


class SlidingWindow:
    """Calls and failures of the last ``seconds``, kept in ``buckets`` slices of equal length:
    recording and reading cost the same however many calls there are."""

    def __init__(self, seconds: float, buckets: int, clock: Callable[[], float]) -> None:
        if seconds <= 0 or buckets < 1:
            raise ValueError("the window needs a positive length and at least one bucket")
        self._width = seconds / buckets
        self._clock = clock
        self._calls = [0] * buckets
        self._failures = [0] * buckets
        self._slot = self._slot_now()
        self.calls = 0
        self.failures = 0

    def _slot_now(self) -> int:
        return math.floor(self._clock() / self._width)

    def _advance(self) -> None:
        """Forget the buckets that have slid out of the window since the last call."""
        now = self._slot_now()
        expired = min(now - self._slot, len(self._calls))
        for step in range(1, expired + 1):
            index = (self._slot + step) % len(self._calls)
            self.calls -= self._calls[index]
            self.failures -= self._failures[index]
            self._calls[index] = self._failures[index] = 0
        self._slot = max(self._slot, now)

    def record(self, *, failed: bool) -> None:
        self._advance()
        index = self._slot % len(self._calls)
        self._calls[index] += 1
        self.calls += 1
        if failed:
            self._failures[index] += 1
            self.failures += 1

    def counts(self) -> tuple[int, int]:
        """``(calls, failures)`` in the window now."""
        self._advance()
        return self.calls, self.failures

    def clear(self) -> None:
        self._calls = [0] * len(self._calls)
        self._failures = [0] * len(self._failures)
        self.calls = self.failures = 0


class CircuitBreaker:
    """Call :meth:`before_call`, then exactly one of :meth:`on_success`, :meth:`on_failure` or
    :meth:`on_abandon` (the call ended without telling, e.g. it was cancelled)."""

    def __init__(
        self,
        name: str,
        *,
        failure_rate: float = 0.5,
        minimum_calls: int = 20,
        window: float = 10.0,
        buckets: int = 10,
        reset_timeout: float = 10.0,
        half_open_max_calls: int = 1,
        clock: Callable[[], float] = time.monotonic,
        on_state_change: StateListener | None = None,
    ) -> None:
        if not 0 < failure_rate <= 1:
            raise ValueError("failure_rate must be in (0, 1]")
        if minimum_calls < 1 or half_open_max_calls < 1 or reset_timeout < 0:
            raise ValueError("minimum_calls and half_open_max_calls must be positive")
        self.name = name
        self.failure_rate_threshold = failure_rate
        self.minimum_calls = minimum_calls
        self.reset_timeout = reset_timeout
        self.half_open_max_calls = half_open_max_calls
        self._clock = clock
        self._window = SlidingWindow(window, buckets, clock)
        self._on_state_change = on_state_change
        self._state = CircuitState.CLOSED
        self._opened_at = 0.0
        self._probes = 0

    @property
    def state(self) -> CircuitState:
        """The state now; an open circuit whose cool-down is over reads as half-open."""
        if self._state is CircuitState.OPEN and self.retry_after() == 0.0:
            self._set(CircuitState.HALF_OPEN)
        return self._state

    def failure_rate(self) -> float:
        """Failed calls over all calls in the window now (0 when there were none)."""
        calls, failures = self._window.counts()
        return failures / calls if calls else 0.0

    def calls_in_window(self) -> int:
        return self._window.counts()[0]

    def retry_after(self) -> float:
        """Seconds until the next probe may go through (0 unless open)."""
        if self._state is not CircuitState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.reset_timeout - self._clock())

    def before_call(self) -> None:
        """Raise :class:`CircuitOpenError` unless a call may be made now."""
        state = self.state
        if state is CircuitState.CLOSED:
            return
        if state is CircuitState.HALF_OPEN and self._probes < self.half_open_max_calls:
            self._probes += 1
            return
        # Half-open with every probe in flight: their answer is due shortly.
        wait = self.retry_after() if state is CircuitState.OPEN else 1.0
        raise CircuitOpenError(self.name, wait)

    def on_success(self) -> None:
        if self._state is CircuitState.HALF_OPEN:
            self._probes = 0
            self._window.clear()  # a fresh start: the outage's failures are history
            self._set(CircuitState.CLOSED)
        elif self._state is CircuitState.CLOSED:
            self._window.record(failed=False)

    def on_failure(self) -> None:
        if self._state is CircuitState.HALF_OPEN:
            self._open()
            return
        if self._state is not CircuitState.CLOSED:
            return  # a call that began before the circuit opened
        self._window.record(failed=True)
        calls, failures = self._window.counts()
        if calls >= self.minimum_calls and failures >= self.failure_rate_threshold * calls:
            self._open()

    def on_abandon(self) -> None:
        if self._state is CircuitState.HALF_OPEN and self._probes > 0:
            self._probes -= 1

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._probes = 0
        self._set(CircuitState.OPEN)

    def _set(self, state: CircuitState) -> None:
        if state is self._state:
            return
        self._state = state
        if self._on_state_change is not None:
            self._on_state_change(self.name, state)

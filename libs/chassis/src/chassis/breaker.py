"""A circuit breaker: stop calling a dependency that keeps failing, and notice when it is back.

::

    CLOSED ──(failure_threshold failures in a row)──> OPEN ──(reset_timeout)──> HALF_OPEN
      ^                                                 ^                          │
      └──────────────(a probe succeeds)─────────────────┼──────────────────────────┤
                                                        └────(a probe fails)───────┘

While OPEN every call is refused at once with :class:`CircuitOpenError`, which says how long
until a probe is let through. HALF_OPEN lets at most ``half_open_max_calls`` probes through at a
time, so a dependency that is just coming back is not flooded.

It keeps no lock and does no I/O: each method is a few comparisons, safe on one event loop.
"""

from __future__ import annotations

import enum
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


class CircuitBreaker:
    """Call :meth:`before_call`, then exactly one of :meth:`on_success`, :meth:`on_failure` or
    :meth:`on_abandon` (the call ended without telling, e.g. it was cancelled)."""

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        reset_timeout: float = 10.0,
        half_open_max_calls: int = 1,
        clock: Callable[[], float] = time.monotonic,
        on_state_change: StateListener | None = None,
    ) -> None:
        if failure_threshold < 1 or half_open_max_calls < 1 or reset_timeout < 0:
            raise ValueError("thresholds must be positive")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.half_open_max_calls = half_open_max_calls
        self._clock = clock
        self._on_state_change = on_state_change
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probes = 0

    @property
    def state(self) -> CircuitState:
        """The state now; an open circuit whose cool-down is over reads as half-open."""
        if self._state is CircuitState.OPEN and self.retry_after() == 0.0:
            self._set(CircuitState.HALF_OPEN)
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

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
        self._failures = 0
        if self._state is CircuitState.HALF_OPEN:
            self._probes = 0
            self._set(CircuitState.CLOSED)

    def on_failure(self) -> None:
        self._failures += 1
        if self._state is CircuitState.HALF_OPEN or (
            self._state is CircuitState.CLOSED and self._failures >= self.failure_threshold
        ):
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

"""Faults injected in front of an upstream, as a service mesh's fault filter does (Envoy's).

Each call to an upstream with a fault draws twice: with ``delay_percent`` chance it waits
``delay_ms`` first (the wait counts against the call's timeout, as a slow service's would);
then with ``abort_percent`` chance it is not sent and answers ``abort_status`` at once. A
fault ends by itself ``ttl_s`` after it was set. Expiry is read from an injected clock, so the
tests need not wait.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from chassis import get_logger
from prometheus_client import Counter

log = get_logger(__name__)

ABORT_STATUSES = (500, 502, 503, 504)
MAX_DELAY_MS = 30_000
MAX_TTL_S = 3600
DEFAULT_TTL_S = 300

FAULT_CHANGES = Counter(
    "gateway_lab_fault_changes_total",
    "Faults set, cleared or expired in the Lab, by upstream and action.",
    ["upstream", "action"],
)
FAULTS_INJECTED = Counter(
    "gateway_lab_faults_injected_total",
    "Calls delayed or aborted by a Lab fault, by upstream and kind.",
    ["upstream", "kind"],
)


class UnknownServiceError(Exception):
    """No upstream has that name."""


@dataclass(frozen=True, slots=True)
class Fault:
    delay_ms: int = 0
    delay_percent: float = 0.0
    abort_status: int | None = None
    abort_percent: float = 0.0
    ttl_s: int = DEFAULT_TTL_S

    def __post_init__(self) -> None:
        if not 0 <= self.delay_ms <= MAX_DELAY_MS:
            raise ValueError(f"delay_ms must be 0..{MAX_DELAY_MS}")
        if not (0 <= self.delay_percent <= 100 and 0 <= self.abort_percent <= 100):
            raise ValueError("percentages must be 0..100")
        if self.abort_status is not None and self.abort_status not in ABORT_STATUSES:
            raise ValueError(f"abort_status must be one of {ABORT_STATUSES} or null")
        if self.abort_status is None and self.abort_percent > 0:
            raise ValueError("abort_percent needs an abort_status")
        if not 1 <= self.ttl_s <= MAX_TTL_S:
            raise ValueError(f"ttl_s must be 1..{MAX_TTL_S}")


@dataclass(frozen=True, slots=True)
class ActiveFault:
    service: str
    fault: Fault
    set_at: float
    """Wall-clock time (epoch seconds) it was set."""
    expires: float
    """On the table's clock."""


@dataclass(frozen=True, slots=True)
class Injection:
    """What one call gets: a wait first, then perhaps an answer in place of the upstream's."""

    delay_s: float
    abort_status: int | None


class FaultTable:
    """The faults of one gateway process, one per upstream at most."""

    def __init__(
        self,
        services: Iterable[str],
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.services = tuple(services)
        self._clock = clock
        self._wall_clock = wall_clock
        self._rand = rand
        self._faults: dict[str, ActiveFault] = {}

    def put(self, service: str, fault: Fault, *, by: str | None = None) -> ActiveFault:
        """Set (or replace) the fault in front of ``service``."""
        self._check(service)
        active = ActiveFault(service, fault, self._wall_clock(), self._clock() + fault.ttl_s)
        self._faults[service] = active
        FAULT_CHANGES.labels(service, "set").inc()
        log.warning("lab_fault_set", upstream=service, by=by, **_fields(fault))
        return active

    def remove(self, service: str, *, by: str | None = None) -> bool:
        """Clear the fault of ``service``; False if it had none."""
        self._check(service)
        self._expire(service)
        if self._faults.pop(service, None) is None:
            return False
        FAULT_CHANGES.labels(service, "cleared").inc()
        log.info("lab_fault_cleared", upstream=service, by=by)
        return True

    def get(self, service: str) -> ActiveFault | None:
        self._check(service)
        self._expire(service)
        return self._faults.get(service)

    def all(self) -> list[ActiveFault]:
        for service in list(self._faults):
            self._expire(service)
        return sorted(self._faults.values(), key=lambda active: active.service)

    def remaining(self, active: ActiveFault) -> float:
        """Seconds until ``active`` ends."""
        return max(0.0, active.expires - self._clock())

    def draw(self, service: str) -> Injection | None:
        """What the next call to ``service`` suffers, if anything (the hot path: a dict look-up
        when no fault is set)."""
        active = self._faults.get(service)
        if active is None or self._expire(service):
            return None
        fault = active.fault
        delay = fault.delay_ms / 1000 if self._chance(fault.delay_percent) else 0.0
        abort = fault.abort_status if self._chance(fault.abort_percent) else None
        if delay:
            FAULTS_INJECTED.labels(service, "delay").inc()
        if abort is not None:
            FAULTS_INJECTED.labels(service, "abort").inc()
        if not delay and abort is None:
            return None
        return Injection(delay, abort)

    def _chance(self, percent: float) -> bool:
        return percent > 0 and self._rand() * 100 < percent

    def _expire(self, service: str) -> bool:
        active = self._faults.get(service)
        if active is None or self._clock() < active.expires:
            return False
        del self._faults[service]
        FAULT_CHANGES.labels(service, "expired").inc()
        log.info("lab_fault_expired", upstream=service)
        return True

    def _check(self, service: str) -> None:
        if service not in self.services:
            raise UnknownServiceError(service)


def _fields(fault: Fault) -> dict[str, object]:
    return {
        "delay_ms": fault.delay_ms,
        "delay_percent": fault.delay_percent,
        "abort_status": fault.abort_status,
        "abort_percent": fault.abort_percent,
        "ttl_s": fault.ttl_s,
    }

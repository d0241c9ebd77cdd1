"""The arithmetic of a rate limit: the generic cell rate algorithm (GCRA), a token bucket kept
as one number.

A ``Rate`` of ``10/s burst 20`` lets a caller send 20 requests at once and then one every
0.1 s (the *emission interval*). Instead of counting tokens, GCRA keeps for each caller its
*theoretical arrival time* (TAT): the moment its bucket would be full again. A request at
``now`` is allowed when ``max(TAT, now) + interval - burst * interval <= now``, and then moves
the TAT one interval on. Everything a client is told follows from that one number: how many
requests are left, when the next one may go (``Retry-After``), when the bucket is full again.
The same steps run in the process (``MemoryStore``) and in Redis (``stores.GCRA_SCRIPT``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}
_RATE = re.compile(
    r"^\s*(?P<count>\d+)\s*/\s*(?P<every>\d*)\s*"
    r"(?P<unit>s|secs?|seconds?|m|mins?|minutes?|h|hours?)"
    r"(?:\s+burst\s+(?P<burst>\d+))?\s*$"
)
MAX_COUNT = 1_000_000_000
# Float arithmetic on interval multiples: a request exactly on time is on time.
EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Rate:
    """``count`` requests per ``period`` seconds, ``burst`` of them at once."""

    count: int
    period: float
    burst: int

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_COUNT or not 1 <= self.burst <= MAX_COUNT:
            raise ValueError(f"a rate's count and burst are 1 to {MAX_COUNT}")
        if not self.period > 0:
            raise ValueError("a rate's period must be positive")

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``50/s burst 100``, ``10/min`` (the burst is then the count), ``100/10s``."""
        match = _RATE.match(text.lower())
        if match is None:
            raise ValueError(
                f"not a rate: {text!r}; write <count>/<unit> [burst <n>], unit s, min or h"
            )
        count = int(match["count"])
        every = int(match["every"] or 1)
        unit = UNITS[match["unit"][0]]
        if every < 1:
            raise ValueError(f"not a rate: {text!r}; the period must be positive")
        return cls(count, every * unit, int(match["burst"] or count))

    @property
    def interval(self) -> float:
        """Seconds between two requests at the sustained rate."""
        return self.period / self.count

    @property
    def window(self) -> float:
        """Seconds an empty bucket takes to fill: the burst at the sustained rate."""
        return self.burst * self.interval

    def __str__(self) -> str:
        names = {1.0: "s", 60.0: "min", 3600.0: "h"}
        period = names.get(self.period, f"{self.period:g}s")
        return f"{self.count}/{period} burst {self.burst}"


@dataclass(frozen=True, slots=True)
class Decision:
    """One request judged: allowed or not, and what the client is told."""

    allowed: bool
    remaining: int
    retry_after: float  # seconds until one more request would be allowed; 0 when allowed
    reset_after: float  # seconds until the bucket is full again


def take(tat: float | None, now: float, rate: Rate) -> tuple[float, Decision]:
    """The new TAT and the decision for one request at ``now`` (``tat`` None: never seen)."""
    start = now if tat is None or tat < now else tat
    new_tat = start + rate.interval
    allow_at = new_tat - rate.window
    if allow_at - now > EPSILON:
        return start, Decision(False, 0, allow_at - now, start - now)
    remaining = math.floor((now - allow_at) / rate.interval + EPSILON)
    return new_tat, Decision(True, remaining, 0.0, new_tat - now)


def give_back(tat: float | None, now: float, rate: Rate) -> float | None:
    """The TAT with one request handed back (a sign-in that did not fail); None: full."""
    if tat is None:
        return None
    returned = tat - rate.interval
    return returned if returned > now else None

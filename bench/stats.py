"""Medians and ranges of repeated runs."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any


def summary(values: Iterable[float], digits: int = 3) -> dict[str, Any]:
    """``{"median", "min", "max", "runs"}`` of the values."""
    data = list(values)
    return {
        "median": round(statistics.median(data), digits),
        "min": round(min(data), digits),
        "max": round(max(data), digits),
        "runs": len(data),
    }


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def wrk_summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """What every part reports of one variant's repeated wrk runs: requests per second, p50
    and p99, errors, and the runs themselves; each part adds its own CPU figures."""
    return {
        "rps": summary((s["rps"] for s in samples), 1),
        "p50_ms": summary(s["latency_ms"]["p50"] for s in samples),
        "p99_ms": summary(s["latency_ms"]["p99"] for s in samples),
        "errors": sum(sum(s["errors"].values()) for s in samples),
        "samples": samples,
    }

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

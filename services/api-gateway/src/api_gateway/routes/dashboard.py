"""/api/dashboard: figures from both services at once; partial, never a 500, when one is down."""

from __future__ import annotations

import time
from collections.abc import Awaitable
from typing import Any, TypeVar

from fastapi import APIRouter

from ..client import gather_settled
from ..composition import attach, get_customers
from ..deps import UpstreamsDep
from ..proxy import json_response
from ..schemas import Dashboard
from ..upstream import UpstreamError

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"])
RECENT_ORDERS = 10
T = TypeVar("T")


async def _timed(call: Awaitable[T]) -> tuple[T | UpstreamError, float]:
    start = time.perf_counter()
    try:
        result: T | UpstreamError = await call
    except UpstreamError as exc:
        result = exc
    return result, round((time.perf_counter() - start) * 1000, 2)


def _health(result: object, latency_ms: float) -> dict[str, Any]:
    if isinstance(result, UpstreamError):
        return {"status": "down", "latency_ms": None, "detail": str(result)}
    return {"status": "up", "latency_ms": latency_ms, "detail": None}


@router.get("", response_model=Dashboard)
async def get_dashboard(upstreams: UpstreamsDep) -> Any:
    """Totals, orders by status, revenue, the newest orders and each service's health.

    The counts are the services' own aggregate queries; the three calls go out together.
    """
    (customer_stats, customer_ms), (order_stats, order_ms), recent = await gather_settled(
        _timed(upstreams.customers.get_stats()),
        _timed(upstreams.orders.get_stats()),
        upstreams.orders.get_all(query=f"limit={RECENT_ORDERS}"),
    )
    unavailable: list[str] = []
    recent_orders = None
    if not isinstance(recent, UpstreamError) and recent.status == 200:
        recent_orders = recent.json()["items"]
        summaries, missing = await get_customers(upstreams.customers, recent_orders)
        attach(recent_orders, summaries)
        unavailable.extend(missing)
    customers = None if isinstance(customer_stats, UpstreamError) else customer_stats
    orders = None if isinstance(order_stats, UpstreamError) else order_stats
    if customers is None and "customer" not in unavailable:
        unavailable.append("customer")
    if orders is None or recent_orders is None:
        unavailable.append("order")
    return json_response(
        {
            "customers": customers and {"total": customers["total"]},
            "orders": orders and {"total": orders["total"], "by_status": orders["by_status"]},
            "revenue_cents": orders and orders["revenue_cents"],
            "recent_orders": recent_orders,
            "services": {
                "customer": _health(customer_stats, customer_ms),
                "order": _health(order_stats, order_ms),
            },
            "unavailable": sorted(unavailable),
        }
    )

"""/api/dashboard: figures from both services at once; partial, never a 500, when one is down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any, TypeVar

from chassis.health import NotReadyError
from fastapi import APIRouter, Depends

from ..auth import AUTH_RESPONSES, require_staff
from ..composition import CUSTOMER, ORDER, attach, get_customers
from ..deps import UpstreamsDep
from ..gateway import Upstreams
from ..proxy import json_response
from ..schemas import Dashboard
from ..upstream import UpstreamError, describe

router = APIRouter(
    prefix="/api/dashboard",
    tags=["dashboard"],
    dependencies=[Depends(require_staff)],
    responses=AUTH_RESPONSES,
)
RECENT_ORDERS = 10
IDENTITY = "identity"
T = TypeVar("T")


async def _timed(call: Awaitable[T]) -> tuple[T | UpstreamError | NotReadyError, float]:
    start = time.perf_counter()
    try:
        result: T | UpstreamError | NotReadyError = await call
    except (UpstreamError, NotReadyError) as exc:  # a probe's NotReadyError is in public words
        result = exc
    return result, round((time.perf_counter() - start) * 1000, 2)


def _health(result: object, latency_ms: float) -> dict[str, Any]:
    if isinstance(result, UpstreamError):
        return {"status": "down", "latency_ms": None, "detail": describe(result)}
    if isinstance(result, NotReadyError):
        return {"status": "down", "latency_ms": None, "detail": str(result)}
    return {"status": "up", "latency_ms": latency_ms, "detail": None}


async def _recent_orders(upstreams: Upstreams) -> tuple[list[dict[str, Any]] | None, list[str]]:
    """The newest orders with their customers, and which services they lack."""
    try:
        response = await upstreams.orders.get_all(query=f"limit={RECENT_ORDERS}")
        orders: list[dict[str, Any]] | None = (
            response.json()["items"] if response.status == 200 else None
        )
    except (UpstreamError, KeyError, TypeError):
        orders = None
    if orders is None:
        return None, [ORDER]
    summaries, missing = await get_customers(upstreams.customers, orders)
    attach(orders, summaries)
    return orders, missing


@router.get("", response_model=Dashboard)
async def get_dashboard(upstreams: UpstreamsDep) -> Any:
    """Totals, orders by status, revenue, the newest orders and each service's health (the
    identity service's is its readiness); admin and staff only.

    The counts are the services' own aggregate queries; every call goes out at once.
    """
    (
        (customers, customer_ms),
        (orders, order_ms),
        (identity, identity_ms),
        (recent, missing),
    ) = await asyncio.gather(
        _timed(upstreams.customers.get_stats()),
        _timed(upstreams.orders.get_stats()),
        _timed(upstreams.identity.readiness()),
        _recent_orders(upstreams),
    )
    unavailable = set(missing)
    if isinstance(customers, UpstreamError):
        unavailable.add(CUSTOMER)
    if isinstance(orders, UpstreamError):
        unavailable.add(ORDER)
    return json_response(
        {
            "customers": None if isinstance(customers, UpstreamError) else customers,
            "orders": None
            if isinstance(orders, UpstreamError)
            else {"total": orders["total"], "by_status": orders["by_status"]},
            "revenue_cents": None if isinstance(orders, UpstreamError) else orders["revenue_cents"],
            "currency": None if isinstance(orders, UpstreamError) else orders["currency"],
            "recent_orders": recent,
            "services": {
                CUSTOMER: _health(customers, customer_ms),
                ORDER: _health(orders, order_ms),
                IDENTITY: _health(identity, identity_ms),
            },
            "unavailable": sorted(unavailable),
        }
    )

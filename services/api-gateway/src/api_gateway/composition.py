"""Orders with their customers: one batch look-up per page, never one call per order."""

from __future__ import annotations

from typing import Any

from .clients import CustomerClient
from .upstream import UpstreamError

CUSTOMER = "customer"
ORDER = "order"


async def get_customers(
    customers: CustomerClient, orders: list[dict[str, Any]]
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The summaries of these orders' customers, and ``["customer"]`` if they are unavailable."""
    ids = list(dict.fromkeys(order["customer_id"] for order in orders))
    if not ids:
        return {}, []
    try:
        return await customers.get_summaries(ids=ids), []
    except UpstreamError:
        return {}, [CUSTOMER]


def attach(orders: list[dict[str, Any]], summaries: dict[str, dict[str, Any]]) -> None:
    for order in orders:
        order["customer"] = summaries.get(order["customer_id"])


async def compose_page(customers: CustomerClient, page: dict[str, Any]) -> dict[str, Any]:
    summaries, unavailable = await get_customers(customers, page["items"])
    attach(page["items"], summaries)
    page["unavailable"] = unavailable
    return page


async def compose_order(customers: CustomerClient, order: dict[str, Any]) -> dict[str, Any]:
    summaries, unavailable = await get_customers(customers, [order])
    attach([order], summaries)
    order["unavailable"] = unavailable
    return order

"""Drill 2 (and 5 on PostgreSQL): the order service is SIGKILLed in the middle of 200 order
creations. Every order acknowledged with 201 must be there exactly once, nothing half-written
may appear, and retrying the unanswered requests with their Idempotency-Key completes the
batch without a single duplicate."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from orderflow_testing import PostgresServer

from .conftest import StackFactory

pytestmark = pytest.mark.system
ORDERS = 200
# The gateway's circuit for the order service opens when it dies; a short cool-down lets the
# drill go on as soon as the service is back (the default, 10 s, would answer 503 until then).
# A quick breaker so the drill need not wait long after the restart, and a read timeout long
# enough that a busy machine answers 201s rather than 504s before the kill.
GATEWAY = {"gateway": {"GATEWAY_BREAKER_RESET_SECONDS": "1", "GATEWAY_ORDER_READ_TIMEOUT": "30"}}
ACKNOWLEDGED_BEFORE_KILL = 20


async def _create(client: httpx.AsyncClient, key: str, customer_id: str) -> httpx.Response | None:
    body = {
        "customer_id": customer_id,
        "items": [
            {"sku": "A-1", "name": "Widget", "quantity": 2, "unit_price_cents": 250},
            {"sku": "B-2", "name": "Gadget", "quantity": 1, "unit_price_cents": 1999},
        ],
        "notes": key,
    }
    try:
        return await client.post("/api/orders", json=body, headers={"Idempotency-Key": key})
    except httpx.TransportError:
        return None


async def _all_orders(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    orders: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/orders", params=params)).json()
        orders += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return orders


async def _drill(make_stack: StackFactory, **databases: str) -> None:
    stack = make_stack(env=GATEWAY, **databases)
    limits = httpx.Limits(max_connections=ORDERS)
    async with httpx.AsyncClient(
        base_url=stack.url, timeout=30, limits=limits, headers=stack.headers()
    ) as client:
        customer = await client.post(
            "/api/customers", json={"name": "Drill", "email": "drill@example.com"}
        )
        customer_id = customer.json()["id"]
        keys = [f"drill-{uuid.uuid4()}" for _ in range(ORDERS)]

        tasks = [asyncio.create_task(_create(client, key, customer_id)) for key in keys]
        created = 0
        for task in asyncio.as_completed(tasks):
            response = await task
            created += response is not None and response.status_code == 201
            if created == ACKNOWLEDGED_BEFORE_KILL:
                stack.order.kill()
                break
        responses = await asyncio.gather(*tasks)

        acknowledged = {
            key: r.json()["id"]
            for key, r in zip(keys, responses, strict=True)
            if r is not None and r.status_code == 201
        }
        assert ACKNOWLEDGED_BEFORE_KILL <= len(acknowledged) < ORDERS, (
            "the kill should land mid-batch"
        )
        refused = [r.status_code for r in responses if r is not None and r.status_code != 201]
        assert all(status in {502, 503, 504} for status in refused), refused

        stack.order.start()
        stack.gateway.wait_ready()  # its circuit to the order service has closed again
        stored = await _all_orders(client)
        stored_ids = [o["id"] for o in stored]
        assert len(stored_ids) == len(set(stored_ids))
        assert set(acknowledged.values()) <= set(stored_ids)
        for order in stored:  # committed or absent, never half-written
            assert len(order["items"]) == 2
            assert order["total_cents"] == 2 * 250 + 1999
            assert order["notes"] in keys

        retried = await asyncio.gather(
            *(_create(client, key, customer_id) for key in keys if key not in acknowledged)
        )
        assert all(r is not None and r.status_code == 201 for r in retried), [
            r.text if r is not None else None for r in retried if r is None or r.status_code != 201
        ]
        final = await _all_orders(client)
        assert len(final) == ORDERS
        assert sorted(o["notes"] for o in final) == sorted(keys)
        for key, order_id in acknowledged.items():
            assert next(o["id"] for o in final if o["notes"] == key) == order_id


def test_killed_order_service_loses_no_acknowledged_order_on_sqlite(
    make_stack: StackFactory,
) -> None:
    asyncio.run(_drill(make_stack))


@pytest.mark.postgres
def test_killed_order_service_loses_no_acknowledged_order_on_postgres(
    make_stack: StackFactory, postgres_server: PostgresServer
) -> None:
    asyncio.run(
        _drill(
            make_stack,
            customer_db=postgres_server.create_database("orderflow_drill_customer"),
            order_db=postgres_server.create_database("orderflow_drill_order"),
        )
    )

"""The default storage: a SQLite file with concurrent writers, and restarts."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from customer_service.main import create_app as create_customer_app
from customer_service.settings import CustomerSettings
from order_service.main import create_app
from order_service.settings import OrderSettings
from orderflow_testing import TestIssuer, app_client, state_per_request
from starlette.types import ASGIApp


@pytest.fixture
async def customer_app(tmp_path: Path, issuer: TestIssuer) -> AsyncIterator[ASGIApp]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'customer.db'}"
    settings = CustomerSettings(database_url=url, access_log=False, **issuer.settings())
    async with LifespanManager(state_per_request(create_customer_app(settings))) as manager:
        yield manager.app


@pytest.fixture
async def customer_id(customer_app: ASGIApp, issuer: TestIssuer) -> str:
    transport = httpx.ASGITransport(app=customer_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://customer", headers=issuer.headers("staff")
    ) as client:
        response = await client.post("/customers", json={"name": "Ada", "email": "a@example.com"})
    customer_id: str = response.json()["id"]
    return customer_id


def order_app(
    tmp_path: Path, customer_app: ASGIApp, issuer: TestIssuer
) -> AbstractAsyncContextManager[httpx.AsyncClient]:
    settings = OrderSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'order.db'}",
        access_log=False,
        **issuer.settings(),
    )
    return app_client(
        create_app(settings, customer_transport=httpx.ASGITransport(app=customer_app)),
        headers=issuer.headers("staff"),
    )


def body(customer_id: str, i: int) -> dict[str, object]:
    item = {"sku": f"S{i}", "name": "Thing", "quantity": 1 + i % 5, "unit_price_cents": 100}
    return {"customer_id": customer_id, "items": [item] * 3, "notes": f"#{i}"}


async def test_fifty_concurrent_creations_on_a_file_all_succeed(
    tmp_path: Path, customer_app: ASGIApp, customer_id: str, issuer: TestIssuer
) -> None:
    async with order_app(tmp_path, customer_app, issuer) as client:
        responses = await asyncio.gather(
            *(client.post("/orders", json=body(customer_id, i)) for i in range(50))
        )
        assert [r.status_code for r in responses] == [201] * 50, [
            r.text for r in responses if r.status_code != 201
        ]
        page = (await client.get("/orders", params={"limit": 100})).json()
        assert sorted(o["notes"] for o in page["items"]) == sorted(f"#{i}" for i in range(50))
        assert all(len(o["items"]) == 3 for o in page["items"])


async def test_two_apps_on_one_file_take_turns_without_locking_errors(
    tmp_path: Path, customer_app: ASGIApp, customer_id: str, issuer: TestIssuer
) -> None:
    """Two instances (as two processes would) each with their own writer: busy_timeout waits."""
    async with (
        order_app(tmp_path, customer_app, issuer) as first,
        order_app(tmp_path, customer_app, issuer) as second,
    ):
        responses = await asyncio.gather(
            *(
                (first if i % 2 else second).post("/orders", json=body(customer_id, i))
                for i in range(50)
            )
        )
        assert [r.status_code for r in responses] == [201] * 50
        assert (await first.get("/orders/stats")).json()["total"] == 50


async def test_orders_survive_a_restart(
    tmp_path: Path, customer_app: ASGIApp, customer_id: str, issuer: TestIssuer
) -> None:
    async with order_app(tmp_path, customer_app, issuer) as client:
        created = (await client.post("/orders", json=body(customer_id, 1))).json()
    async with order_app(tmp_path, customer_app, issuer) as client:
        assert (await client.get(f"/orders/{created['id']}")).json() == created

"""The order app in-process, in front of the real customer app in-process: no mocks."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from customer_service.main import create_app as create_customer_app
from customer_service.settings import CustomerSettings
from order_service.main import create_app as create_order_app
from order_service.settings import OrderSettings
from orderflow_testing import TestIssuer, app_client, state_per_request
from starlette.types import ASGIApp

CreateCustomer = Callable[..., Awaitable[str]]


@pytest.fixture
async def customer_app(database_url: str, issuer: TestIssuer) -> AsyncIterator[ASGIApp]:
    """The real customer service, started; it shares the test's database server."""
    settings = CustomerSettings(database_url=database_url, access_log=False, **issuer.settings())
    app = create_customer_app(settings)
    async with LifespanManager(state_per_request(app), startup_timeout=30) as manager:
        yield manager.app


@pytest.fixture
async def customer_client(
    customer_app: ASGIApp, issuer: TestIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=customer_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://customer", headers=issuer.headers("staff")
    ) as client:
        yield client


@pytest.fixture
def create_customer(customer_client: httpx.AsyncClient) -> CreateCustomer:
    counter = 0

    async def create(name: str = "Ada Lovelace") -> str:
        nonlocal counter
        counter += 1
        response = await customer_client.post(
            "/customers", json={"name": name, "email": f"customer{counter}@example.com"}
        )
        assert response.status_code == 201, response.text
        customer_id: str = response.json()["id"]
        return customer_id

    return create


@pytest.fixture
async def customer_id(create_customer: CreateCustomer) -> str:
    return await create_customer()


@pytest.fixture
async def client(
    database_url: str, customer_app: ASGIApp, issuer: TestIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the order app, whose customer checks reach the customer app in-process;
    signed in as staff."""
    app = create_order_app(
        OrderSettings(database_url=database_url, access_log=False, **issuer.settings()),
        customer_transport=httpx.ASGITransport(app=customer_app),
    )
    async with app_client(app, headers=issuer.headers("staff")) as client:
        yield client


def order_body(customer_id: str, /, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer_id": customer_id,
        "items": [
            {"sku": "SKU-1", "name": "Espresso beans", "quantity": 2, "unit_price_cents": 1250},
            {"sku": "SKU-2", "name": "Grinder", "quantity": 1, "unit_price_cents": 8999},
        ],
        "notes": "Leave at the door",
    }
    body.update(changes)
    return body


@pytest.fixture
def new_order() -> Callable[..., dict[str, Any]]:
    """``new_order(customer_id, **changes)``: a valid order body (total 11499 cents)."""
    return order_body

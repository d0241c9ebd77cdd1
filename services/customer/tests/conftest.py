from collections.abc import AsyncIterator

import httpx
import pytest
from customer_service.main import create_app
from customer_service.settings import CustomerSettings
from orderflow_testing import TestIssuer, app_client


@pytest.fixture
async def client(database_url: str, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    """The customer service in-process, on SQLite and on PostgreSQL; signed in as staff."""
    settings = CustomerSettings(database_url=database_url, access_log=False, **issuer.settings())
    async with app_client(create_app(settings), headers=issuer.headers("staff")) as client:
        yield client


async def create_customer(client: httpx.AsyncClient, name: str, email: str) -> dict[str, object]:
    response = await client.post("/customers", json={"name": name, "email": email})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body

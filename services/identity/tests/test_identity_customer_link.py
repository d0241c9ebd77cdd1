"""The demo customer is linked to the customer record with its email, whenever the customer
service comes up; the real customer app runs in-process. Both trust the test issuer, whose
key the identity service signs with (as it would sign with its configured key in production)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager
from customer_service.main import create_app as create_customer_app
from customer_service.settings import CustomerSettings
from identity_service.main import create_app
from orderflow_testing import TestIssuer, app_client, state_per_request
from starlette.types import ASGIApp

from .conftest import CUSTOMER, SettingsFactory, sign_in


@pytest.fixture
async def customer_app(database_url: str, issuer: TestIssuer) -> AsyncIterator[ASGIApp]:
    settings = CustomerSettings(database_url=database_url, access_log=False, **issuer.settings())
    async with LifespanManager(state_per_request(create_customer_app(settings))) as manager:
        yield manager.app


@pytest.fixture
def linking_settings(identity_settings: SettingsFactory, issuer: TestIssuer) -> Any:
    def make(**overrides: Any) -> Any:
        return identity_settings(
            issuer=issuer.issuer,
            signing_keys={issuer.kid: issuer.private_key_pem()},
            customer_link_retry_max_seconds=0.05,
            **overrides,
        )

    return make


class LateTransport(httpx.AsyncBaseTransport):
    """Refuses connections until ``up`` is set: a customer service that starts later."""

    def __init__(self, app: ASGIApp, *, refusals_seen: int) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.up = asyncio.Event()
        self.refused = 0
        self.refusals_seen = refusals_seen
        self.refused_enough = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up.is_set():
            self.refused += 1
            if self.refused >= self.refusals_seen:
                self.refused_enough.set()
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


async def until_ready(client: httpx.AsyncClient, attempts: int = 200) -> dict[str, Any]:
    for _ in range(attempts):
        response = await client.get("/readyz")
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"never ready: {response.text}")


async def customer_claim(client: httpx.AsyncClient) -> Any:
    response = await sign_in(client, CUSTOMER)
    return jwt.decode(response.json()["access_token"], options={"verify_signature": False})[
        "customer_id"
    ]


async def test_the_demo_customer_is_linked_to_a_record_created_for_it(
    linking_settings: Any, customer_app: ASGIApp, issuer: TestIssuer
) -> None:
    app = create_app(linking_settings(), customer_transport=httpx.ASGITransport(app=customer_app))
    async with app_client(app) as client:
        ready = await until_ready(client)
        customer_id = await customer_claim(client)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=customer_app),
        base_url="http://customer",
        headers=issuer.headers("admin"),
    ) as customers:
        record = (await customers.get(f"/customers/{customer_id}")).json()
    assert ready["checks"]["demo_customer"]["status"] == "ok"
    assert record["email"] == "customer@example.com"


async def test_an_existing_record_with_that_email_in_any_case_is_reused(
    linking_settings: Any, customer_app: ASGIApp, issuer: TestIssuer
) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=customer_app),
        base_url="http://customer",
        headers=issuer.headers("admin"),
    ) as customers:
        created = await customers.post(
            "/customers", json={"name": "Casey", "email": "Customer@Example.com"}
        )
    app = create_app(linking_settings(), customer_transport=httpx.ASGITransport(app=customer_app))
    async with app_client(app) as client:
        await until_ready(client)
        assert await customer_claim(client) == created.json()["id"]


async def test_until_the_customer_service_is_up_the_link_waits_and_retries(
    linking_settings: Any, customer_app: ASGIApp
) -> None:
    transport = LateTransport(customer_app, refusals_seen=3)
    app = create_app(linking_settings(), customer_transport=transport)
    async with app_client(app) as client:
        await asyncio.wait_for(transport.refused_enough.wait(), timeout=30)
        not_ready = await client.get("/readyz")
        unlinked = await customer_claim(client)

        transport.up.set()
        await until_ready(client)
        linked = await customer_claim(client)

    assert not_ready.status_code == 503
    assert unlinked is None
    assert linked is not None


async def test_the_link_call_carries_a_token_the_identity_service_minted_for_itself(
    identity_settings: SettingsFactory,
) -> None:
    seen: list[str] = []

    def customer_service(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        if request.method == "GET":
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        return httpx.Response(201, json={"id": "7b0c3c36-1d5a-4d6e-9d43-2f1ad9f2a001"})

    app = create_app(identity_settings(), customer_transport=httpx.MockTransport(customer_service))
    async with app_client(app) as client:
        await until_ready(client)
        jwks = (await client.get("/jwks.json")).json()

    scheme, _, token = seen[0].partition(" ")
    claims = jwt.decode(
        token,
        jwt.PyJWK(jwks["keys"][0]),
        algorithms=["ES256"],
        audience="orderflow-api",
        issuer=app.state.settings.issuer,
    )
    assert scheme == "Bearer"
    assert (claims["sub"], claims["roles"]) == ("orderflow-identity", ["admin"])
    assert claims["exp"] - claims["iat"] <= 60

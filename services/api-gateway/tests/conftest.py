"""The gateway in-process, its upstreams played by respx routers (no sockets)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx
from api_gateway.main import create_app
from api_gateway.settings import GatewaySettings
from api_gateway.transports import HttpxTransport
from orderflow_testing import TestIssuer, app_client

CUSTOMER_URL = "http://customer.test"
ORDER_URL = "http://order.test"
IDENTITY_URL = "http://identity.test"


def fast_settings(**overrides: Any) -> GatewaySettings:
    """Small limits and near-zero backoff, so failure drills take milliseconds; budgets that
    no test reaches unless it sets its own."""
    values: dict[str, Any] = {
        "rate_limit_reads": "10000/s",
        "rate_limit_writes": "10000/s",
        "access_log": False,
        "tracing": False,
        "retry_attempts": 3,
        "retry_backoff_initial": 0.001,
        "retry_backoff_max": 0.002,
        "breaker_minimum_calls": 3,
        "breaker_reset_seconds": 0.2,
        **overrides,
    }
    return GatewaySettings(**values)


def mock_transport(router: respx.MockRouter, base_url: str) -> HttpxTransport:
    return HttpxTransport(
        httpx.AsyncClient(base_url=base_url, transport=httpx.MockTransport(router.async_handler))
    )


@pytest.fixture
def customer_api() -> respx.MockRouter:
    return respx.MockRouter(base_url=CUSTOMER_URL, assert_all_called=False)


@pytest.fixture
def order_api() -> respx.MockRouter:
    return respx.MockRouter(base_url=ORDER_URL, assert_all_called=False)


@pytest.fixture
def identity_api() -> respx.MockRouter:
    """The identity service, ready unless a test says otherwise."""
    router = respx.MockRouter(base_url=IDENTITY_URL, assert_all_called=False)
    router.get("/readyz", name="readyz").respond(200, json={"status": "ready"})
    return router


GatewayFactory = Callable[..., Any]


@pytest.fixture
def gateway_with(
    customer_api: respx.MockRouter,
    order_api: respx.MockRouter,
    identity_api: respx.MockRouter,
    issuer: TestIssuer,
) -> Callable[..., Any]:
    """``async with gateway_with(max_concurrency=2) as client``: the gateway, other settings
    (and ``clock=``, the breakers' clock); the client is signed in as an admin."""

    def start(clock: Callable[[], float] = time.monotonic, **overrides: Any) -> Any:
        app = create_app(
            fast_settings(**issuer.settings(), **overrides),
            customer_transport=mock_transport(customer_api, CUSTOMER_URL),
            order_transport=mock_transport(order_api, ORDER_URL),
            identity_transport=mock_transport(identity_api, IDENTITY_URL),
            clock=clock,
        )
        return app_client(app, headers=issuer.headers("admin"))

    return start


@pytest.fixture
async def gateway(gateway_with: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_with() as client:
        yield client

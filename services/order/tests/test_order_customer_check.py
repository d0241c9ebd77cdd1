"""The customer check when the customer service cannot answer: 503 and nothing written."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from order_service.customers import CustomerDirectory
from order_service.domain import CustomerNotFoundError, CustomerServiceUnavailableError
from order_service.main import create_app
from order_service.settings import OrderSettings
from orderflow_testing import TestIssuer, app_client, free_port

NewOrder = Callable[..., dict[str, Any]]
CUSTOMER_ID = "7d3f7e0e-2f6a-4d0c-9d43-0c1b8c1f2a11"


async def test_unreachable_customer_service_is_a_503_and_nothing_is_written(
    database_url: str, new_order: NewOrder, issuer: TestIssuer
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    settings = OrderSettings(
        database_url=database_url, customer_service_url=closed, **issuer.settings()
    )
    async with app_client(create_app(settings), headers=issuer.headers("staff")) as client:
        response = await client.post(
            "/orders", json=new_order(CUSTOMER_ID), headers={"Idempotency-Key": "k"}
        )
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "1"
        problem = response.json()
        assert problem["type"] == "urn:orderflow:problem:customer-service-unavailable"
        assert "nothing was written" in problem["detail"]
        assert (await client.get("/orders/stats")).json()["total"] == 0
        # Reads do not need the customer service.
        assert (await client.get("/orders")).json() == {"items": [], "next_cursor": None}
        # Nor was the key stored: the same request may be retried once the service is back.
        again = await client.post(
            "/orders", json=new_order(CUSTOMER_ID), headers={"Idempotency-Key": "k"}
        )
        assert again.status_code == 503


def directory(handler: Callable[[httpx.Request], httpx.Response]) -> CustomerDirectory:
    settings = OrderSettings(customer_service_url="http://customer")
    return CustomerDirectory.open(settings, httpx.MockTransport(handler))


def answer(status: int, body: Any = None) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=body)


def fail(exc: type[httpx.TransportError]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc("simulated", request=request)

    return handler


async def test_an_existing_customer_passes() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": CUSTOMER_ID})

    customers = directory(handler)
    await customers.ensure_exists(CUSTOMER_ID, authorization="Bearer the-callers-token")
    await customers.close()
    assert seen[0].url == f"http://customer/customers/{CUSTOMER_ID}"
    assert seen[0].headers["authorization"] == "Bearer the-callers-token"


async def test_a_customer_not_found_problem_means_unknown_customer() -> None:
    customers = directory(
        answer(404, {"type": "urn:orderflow:problem:customer-not-found", "status": 404})
    )
    with pytest.raises(CustomerNotFoundError):
        await customers.ensure_exists(CUSTOMER_ID, authorization="Bearer t")


@pytest.mark.parametrize(
    "handler",
    [
        answer(500, {"title": "boom"}),
        answer(502),
        answer(503),
        answer(404, {"detail": "Not Found"}),  # a wrong base URL, not an unknown customer
        answer(404, "not json at all"),
        answer(401),
        fail(httpx.ConnectError),
        fail(httpx.ConnectTimeout),
        fail(httpx.ReadTimeout),
        fail(httpx.RemoteProtocolError),
    ],
    ids=[
        "500",
        "502",
        "503",
        "404-unknown-path",
        "404-not-json",
        "401",
        "connect-error",
        "connect-timeout",
        "read-timeout",
        "protocol-error",
    ],
)
async def test_anything_else_means_unavailable(
    handler: Callable[[httpx.Request], httpx.Response],
) -> None:
    customers = directory(handler)
    with pytest.raises(CustomerServiceUnavailableError):
        await customers.ensure_exists(CUSTOMER_ID, authorization="Bearer t")


def test_timeouts_come_from_settings() -> None:
    settings = OrderSettings(
        customer_service_url="http://customers.internal:9001",
        customer_connect_timeout=0.5,
        customer_read_timeout=2.5,
    )
    client = CustomerDirectory.open(settings).client
    assert (client.timeout.connect, client.timeout.read) == (0.5, 2.5)
    assert str(client.base_url) == "http://customers.internal:9001"

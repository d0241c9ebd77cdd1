"""The circuit breaker against the real stack: one client's 40 hostile requests while another
client's good ones go through leave it closed; a real outage (the service killed) still opens
it; and while the service is down, no public answer names an address or a library."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator

import pytest
from orderflow_testing import Stack

from .callers import async_caller, caller
from .cursors import token_of

pytestmark = pytest.mark.system
# The request that once opened the circuit for everyone, and its kin.
HOSTILE = [
    ("/api/customers", {"cursor": "WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzAxOjAwIiwgIngiXQ"}),
    ("/api/customers", {"cursor": "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgIlx1ZDgwMCJd"}),
    ("/api/orders", {"cursor": "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgIlx1MDAwMCJd"}),
    ("/api/orders", {"cursor": token_of(["9999-12-31T23:00:00-01:00", "x"])}),
    ("/api/customers", {"q": "\x00"}),
]
ADDRESS = re.compile(
    r"127\.0\.0\.1|localhost|::1|:\d{4,5}\b|https?://|Errno|Connect call|aiohttp|Traceback|"
    r"ssl:default|Cannot connect",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # The shipped breaker policy; a long cool-down keeps the circuit open while the answers of
    # the outage are read.
    stack = Stack(
        tmp_path_factory.mktemp("breaker"), env={"gateway": {"GATEWAY_BREAKER_RESET_SECONDS": "30"}}
    ).start()
    yield stack
    stack.stop()


async def _bad_client(stack: Stack) -> list[int]:
    async with async_caller(stack) as client:
        statuses = []
        for i in range(40):
            path, params = HOSTILE[i % len(HOSTILE)]
            statuses.append((await client.get(path, params=params)).status_code)
        return statuses


async def _good_client(stack: Stack, stop: asyncio.Event) -> list[int]:
    async with async_caller(stack) as client:
        statuses = []
        while not stop.is_set() or len(statuses) < 20:
            statuses.append((await client.get("/api/customers")).status_code)
            statuses.append((await client.get("/api/orders")).status_code)
        return statuses


async def _both(stack: Stack) -> tuple[list[int], list[int]]:
    stop = asyncio.Event()
    good = asyncio.create_task(_good_client(stack, stop))
    bad = await _bad_client(stack)
    stop.set()
    return bad, await good


def test_one_clients_hostile_requests_leave_the_circuit_closed_for_the_others(
    stack: Stack,
) -> None:
    bad, good = asyncio.run(_both(stack))

    assert all(400 <= status < 500 for status in bad), bad
    assert set(good) == {200}
    metrics = caller(stack).get("/metrics").text
    assert 'gateway_circuit_breaker_state{upstream="customer"} 0.0' in metrics
    assert 'gateway_circuit_breaker_state{upstream="order"} 0.0' in metrics


def test_a_killed_service_still_opens_it_and_no_answer_names_an_address(stack: Stack) -> None:
    api = caller(stack)
    stack.customer.kill()

    deadline = time.monotonic() + 30
    refused = api.get("/api/customers/00000000-0000-4000-8000-000000000000")
    while refused.json().get("type") != "urn:orderflow:problem:upstream-circuit-open":
        assert time.monotonic() < deadline, refused.text
        assert refused.status_code == 503, refused.text
        refused = api.get("/api/customers/00000000-0000-4000-8000-000000000000")
    assert int(refused.headers["retry-after"]) > 0

    answers = [
        refused,
        api.get("/api/customers"),
        api.post("/api/customers", json={"name": "Ada", "email": "ada@example.com"}),
        api.get("/api/orders"),
        api.get("/api/dashboard"),
        api.get("/readyz"),
        caller(stack, stack.order.url).get("/readyz"),
        api.post(
            "/api/orders",
            json={
                "customer_id": "00000000-0000-4000-8000-000000000000",
                "items": [{"sku": "A", "name": "a", "quantity": 1, "unit_price_cents": 1}],
            },
        ),
    ]
    for response in answers:
        assert not ADDRESS.search(response.text), f"{response.request.url}: {response.text}"
    dashboard = answers[4].json()
    assert dashboard["services"]["customer"]["detail"].startswith("The customer service")
    assert "customer" in answers[5].json()["detail"]
    # The log line keeps what the answer leaves out.
    assert re.search(r"127\.0\.0\.1:\d+", stack.gateway.logs())

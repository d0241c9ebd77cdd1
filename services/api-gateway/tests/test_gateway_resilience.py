"""Every way an upstream can fail, and what the gateway answers: quickly, as problem+json."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx
from api_gateway.main import create_app
from api_gateway.transports import HttpxTransport
from orderflow_testing import TestIssuer, app_client, sample

from .conftest import ORDER_URL, fast_settings, mock_transport

CUSTOMER_ID = str(uuid.uuid4())
CUSTOMER_PATH = f"/customers/{CUSTOMER_ID}"
API_CUSTOMER = f"/api/customers/{CUSTOMER_ID}"
ORDER_BODY = {
    "customer_id": CUSTOMER_ID,
    "items": [{"sku": "A", "name": "a", "quantity": 1, "unit_price_cents": 1}],
}


def assert_problem(response: httpx.Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"urn:orderflow:problem:{slug}"


async def test_a_refused_connection_is_503_after_bounded_retries(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    route = customer_api.get(CUSTOMER_PATH).mock(side_effect=httpx.ConnectError("refused"))

    response = await gateway.get(API_CUSTOMER)

    assert_problem(response, 503, "upstream-unavailable")
    assert route.call_count == 3


async def test_a_get_retried_after_a_connection_failure_succeeds(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    customer_api.get(CUSTOMER_PATH).mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json={"id": CUSTOMER_ID})]
    )

    response = await gateway.get(API_CUSTOMER)

    assert response.status_code == 200


async def test_a_bare_post_is_never_retried(
    gateway: httpx.AsyncClient, order_api: respx.MockRouter
) -> None:
    route = order_api.post("/orders").mock(side_effect=httpx.ConnectError("refused"))

    response = await gateway.post("/api/orders", json=ORDER_BODY)

    assert_problem(response, 503, "upstream-unavailable")
    assert route.call_count == 1


async def test_a_post_with_an_idempotency_key_is_retried(
    gateway: httpx.AsyncClient, order_api: respx.MockRouter
) -> None:
    route = order_api.post("/orders").mock(side_effect=httpx.ConnectError("refused"))

    response = await gateway.post(
        "/api/orders", json=ORDER_BODY, headers={"Idempotency-Key": "k-1"}
    )

    assert response.status_code == 503
    assert route.call_count == 3
    assert {c.request.headers["idempotency-key"] for c in route.calls} == {"k-1"}


async def test_a_timeout_is_504_and_not_retried(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    route = customer_api.get(CUSTOMER_PATH).mock(side_effect=httpx.ReadTimeout("slow"))

    response = await gateway.get(API_CUSTOMER)

    assert_problem(response, 504, "upstream-timeout")
    # Sent and maybe processed: only a request that never left is retried.
    assert route.call_count == 1


async def test_a_broken_answer_is_502(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    customer_api.get(CUSTOMER_PATH).mock(side_effect=httpx.RemoteProtocolError("garbage"))

    response = await gateway.get(API_CUSTOMER)

    assert_problem(response, 502, "bad-gateway")


async def test_a_5xx_passes_through_and_is_not_retried(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    route = customer_api.get(CUSTOMER_PATH).respond(500, json={"status": 500})

    response = await gateway.get(API_CUSTOMER)

    assert response.status_code == 500
    assert route.call_count == 1


class Clock:
    """The breakers' clock, moved by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_breaker_opens_fails_fast_then_probes_and_closes(
    gateway_with: Callable[..., Any], customer_api: respx.MockRouter
) -> None:
    clock = Clock()
    async with gateway_with(clock=clock) as gateway:
        await _opens_fails_fast_then_probes_and_closes(gateway, customer_api, clock)


async def _opens_fails_fast_then_probes_and_closes(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, clock: Clock
) -> None:
    route = customer_api.get(CUSTOMER_PATH).mock(side_effect=httpx.ConnectTimeout("slow"))
    await gateway.get(API_CUSTOMER)  # 3 tries, every one failed: 3 calls, the minimum

    # Open: refused at once, the upstream not called, Retry-After given.
    refused = await gateway.get(API_CUSTOMER)
    assert_problem(refused, 503, "upstream-circuit-open")
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["detail"] == "The customer service is failing; calls to it are paused."
    assert route.call_count == 3
    ready = await gateway.get("/readyz")
    assert ready.status_code == 503
    assert "customer" in ready.json()["detail"]
    assert (
        'gateway_circuit_breaker_state{upstream="customer"} 2.0'
        in (await gateway.get("/metrics")).text
    )

    # Half-open after the cool-down (0.2 s): one probe goes through; it fails, so open again.
    clock.now += 0.25
    assert (await gateway.get(API_CUSTOMER)).status_code == 503
    assert route.call_count == 4
    assert_problem(await gateway.get(API_CUSTOMER), 503, "upstream-circuit-open")

    # The upstream is back: the next probe succeeds and the circuit closes.
    route.respond(200, json={"id": CUSTOMER_ID})
    clock.now += 0.25
    assert (await gateway.get(API_CUSTOMER)).status_code == 200
    assert (await gateway.get(API_CUSTOMER)).status_code == 200
    assert (
        'gateway_circuit_breaker_state{upstream="customer"} 0.0'
        in (await gateway.get("/metrics")).text
    )


@pytest.mark.parametrize("status", [404, 422, 500, 503])
async def test_answers_of_any_status_do_not_open_the_breaker(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, status: int
) -> None:
    """An answer shows the service up: a 500 is one request's fault (ADR 9)."""
    customer_api.get(CUSTOMER_PATH).respond(status, json={"status": status})

    statuses = {(await gateway.get(API_CUSTOMER)).status_code for _ in range(10)}

    assert statuses == {status}


async def test_one_clients_failing_requests_do_not_open_it_for_the_others(
    gateway_with: Callable[..., Any], customer_api: respx.MockRouter
) -> None:
    """40 requests that break the upstream's connection, in bursts of five (which opened the
    old five-in-a-row breaker), among three times as many good ones."""
    bad_id = str(uuid.uuid4())
    customer_api.get(f"/customers/{bad_id}").mock(side_effect=httpx.ReadError("reset"))
    customer_api.get(CUSTOMER_PATH).respond(200, json={"id": CUSTOMER_ID})

    async with gateway_with(breaker_minimum_calls=20, breaker_window_seconds=60) as client:
        good: list[int] = []
        for _ in range(8):
            for _ in range(5):
                assert (await client.get(f"/api/customers/{bad_id}")).status_code == 502
            good += [(await client.get(API_CUSTOMER)).status_code for _ in range(15)]

        assert set(good) == {200}
        metrics = (await client.get("/metrics")).text
        assert 'gateway_circuit_breaker_state{upstream="customer"} 0.0' in metrics


async def test_one_upstreams_open_circuit_leaves_the_other_alone(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    customer_api.get(CUSTOMER_PATH).mock(side_effect=httpx.ConnectError("refused"))
    order_api.get("/orders/stats").respond(200, json={"total": 0})
    await gateway.get(API_CUSTOMER)  # 3 attempts: the threshold

    assert (await gateway.get(API_CUSTOMER)).status_code == 503
    order_api.get("/orders").respond(200, json={"items": [], "next_cursor": None})
    assert (await gateway.get("/api/orders")).status_code == 200


def slow_gateway(
    issuer: TestIssuer, release: asyncio.Event, both_in: asyncio.Event, **settings: Any
) -> Any:
    """A gateway whose customer service holds every call until ``release`` is set."""
    entered = 0

    async def slow_upstream(request: httpx.Request) -> httpx.Response:
        nonlocal entered
        entered += 1
        if entered == 2:
            both_in.set()
        await release.wait()
        return httpx.Response(200, json={"id": CUSTOMER_ID})

    slow = HttpxTransport(
        httpx.AsyncClient(base_url="http://c", transport=httpx.MockTransport(slow_upstream))
    )
    app = create_app(
        fast_settings(max_concurrency=2, **issuer.settings(), **settings),
        customer_transport=slow,
        order_transport=mock_transport(respx.MockRouter(base_url=ORDER_URL), ORDER_URL),
    )
    return app_client(app, headers=issuer.headers())


async def test_a_call_beyond_the_cap_waits_for_a_slot(issuer: TestIssuer) -> None:
    release, both_in = asyncio.Event(), asyncio.Event()
    async with slow_gateway(issuer, release, both_in, queue_timeout=5) as client:
        held = [asyncio.create_task(client.get(API_CUSTOMER)) for _ in range(2)]
        await asyncio.wait_for(both_in.wait(), timeout=1)
        waiting = asyncio.create_task(client.get(API_CUSTOMER))
        await asyncio.sleep(0.05)
        assert not waiting.done()

        release.set()

        assert [r.status_code for r in await asyncio.gather(*held, waiting)] == [200] * 3


async def test_a_call_that_waits_too_long_for_a_slot_is_503(issuer: TestIssuer) -> None:
    release, both_in = asyncio.Event(), asyncio.Event()
    async with slow_gateway(issuer, release, both_in, queue_timeout=0.1) as client:
        held = [asyncio.create_task(client.get(API_CUSTOMER)) for _ in range(2)]
        await asyncio.wait_for(both_in.wait(), timeout=1)

        refused = await client.get(API_CUSTOMER)

        assert_problem(refused, 503, "upstream-saturated")
        release.set()
        await asyncio.gather(*held)


async def test_with_no_queue_the_cap_refuses_at_once(issuer: TestIssuer) -> None:
    release, both_in = asyncio.Event(), asyncio.Event()
    async with slow_gateway(issuer, release, both_in, queue_timeout=0) as client:
        held = [asyncio.create_task(client.get(API_CUSTOMER)) for _ in range(2)]
        await asyncio.wait_for(both_in.wait(), timeout=1)

        refused = await asyncio.wait_for(client.get(API_CUSTOMER), timeout=0.5)

        assert_problem(refused, 503, "upstream-saturated")
        assert refused.headers["retry-after"] == "1"
        release.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200]
        assert (await client.get(API_CUSTOMER)).status_code == 200


async def test_readiness_reports_each_upstream(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    customer_api.get("/readyz").respond(200, json={"status": "ready"})
    order_api.get("/readyz").mock(side_effect=httpx.ConnectError("refused"))

    response = await gateway.get("/readyz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["customer"]["status"] == "ok"
    assert checks["customer"]["circuit"] == "closed"
    assert checks["order"]["status"] == "down"
    assert checks["order"]["reason"] == "The order service is unreachable."


async def test_metrics_count_upstream_calls_by_outcome(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    customer_api.get(CUSTOMER_PATH).mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json={})]
    )
    calls = ("gateway_upstream_requests_total", {"outcome": "200", "upstream": "customer"})
    retries = ("gateway_upstream_retries_total", {"upstream": "customer"})
    before = (await gateway.get("/metrics")).text

    await gateway.get(API_CUSTOMER)

    after = (await gateway.get("/metrics")).text
    for name, labels in (calls, retries):
        assert sample(after, name, **labels) == sample(before, name, **labels) + 1, name


async def test_the_access_log_line_carries_upstream_timings(
    gateway_with: Callable[..., Any],
    customer_api: respx.MockRouter,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import json

    customer_api.get(CUSTOMER_PATH).respond(200, json={})
    async with gateway_with(access_log=True) as client:
        await client.get(API_CUSTOMER, headers={"X-Request-ID": "log-me"})

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "{" in line]
    access = next(line for line in lines if line.get("event") == "request")
    assert access["request_id"] == "log-me"
    assert access["route"] == "/api/customers/{customer_id}"
    assert access["status"] == 200
    [call] = access["upstream"]
    assert call["service"] == "customer"
    assert call["outcome"] == "200"
    assert call["ms"] >= 0

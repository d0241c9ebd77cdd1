"""Pass-through: status, bytes and headers as the service gave them; the gateway's own edges."""

import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx

CUSTOMER_ID = str(uuid.uuid4())
CUSTOMER_BODY = (
    b'{"id":"%s","name":"Ada","email":"ada@example.com",'
    b'"created_at":"2026-11-26T12:00:00Z","updated_at":"2026-11-26T12:00:00Z"}'
) % CUSTOMER_ID.encode()


async def test_a_read_passes_the_services_bytes_through(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    customer_api.get(f"/customers/{CUSTOMER_ID}").respond(
        200, content=CUSTOMER_BODY, headers={"Content-Type": "application/json"}
    )

    response = await gateway.get(f"/api/customers/{CUSTOMER_ID}")

    assert response.status_code == 200
    assert response.content == CUSTOMER_BODY
    assert response.headers["content-type"] == "application/json"


async def test_service_errors_pass_through_unchanged(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    problem = {"type": "urn:orderflow:problem:customer-not-found", "title": "Not found"}
    customer_api.get(f"/customers/{CUSTOMER_ID}").respond(
        404, json=problem, headers={"Content-Type": "application/problem+json"}
    )

    response = await gateway.get(f"/api/customers/{CUSTOMER_ID}")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == problem


async def test_the_query_is_passed_on_as_sent(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    route = customer_api.get("/customers").respond(200, json={"items": [], "next_cursor": None})

    await gateway.get("/api/customers", params={"limit": 5, "q": "ada lovelace"})

    assert route.calls.last.request.url.query == b"limit=5&q=ada+lovelace"


async def test_bad_ids_and_limits_are_refused_at_the_edge(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    bad_id = await gateway.get("/api/customers/not-a-uuid")
    bad_limit = await gateway.get("/api/customers", params={"limit": 1000})

    assert (bad_id.status_code, bad_limit.status_code) == (422, 422)
    assert bad_id.headers["content-type"] == "application/problem+json"
    assert not customer_api.calls


async def test_created_location_is_moved_under_api(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    route = customer_api.post("/customers").respond(
        201,
        content=CUSTOMER_BODY,
        headers={"Content-Type": "application/json", "Location": f"/customers/{CUSTOMER_ID}"},
    )

    response = await gateway.post("/api/customers", json={"name": "Ada", "email": "a@e.com"})

    assert response.status_code == 201
    assert response.headers["location"] == f"/api/customers/{CUSTOMER_ID}"
    sent = route.calls.last.request
    assert json.loads(sent.content) == {"name": "Ada", "email": "a@e.com"}
    assert sent.headers["content-type"] == "application/json"


async def test_the_request_id_goes_to_the_upstream_and_back(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    route = customer_api.get(f"/customers/{CUSTOMER_ID}").respond(200, content=CUSTOMER_BODY)

    given = await gateway.get(f"/api/customers/{CUSTOMER_ID}", headers={"X-Request-ID": "r-42"})
    generated = await gateway.get(f"/api/customers/{CUSTOMER_ID}")

    assert given.headers["x-request-id"] == "r-42"
    assert route.calls[0].request.headers["x-request-id"] == "r-42"
    assert route.calls[1].request.headers["x-request-id"] == generated.headers["x-request-id"]


async def test_a_body_over_the_limit_is_refused_by_its_content_length(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    response = await gateway.post(
        "/api/customers",
        content=b"x" * (1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert not customer_api.calls


async def test_a_streamed_body_is_counted_and_cut_off(
    gateway_with: Callable[..., Any], customer_api: respx.MockRouter
) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100):
            sent += 1
            yield b"x" * 1024

    async with gateway_with(max_body_bytes=10 * 1024) as client:
        response = await client.post(
            "/api/orders", content=chunks(), headers={"Content-Type": "application/json"}
        )

    assert response.status_code == 413
    assert response.json()["type"] == "urn:orderflow:problem:body-too-large"
    assert not customer_api.calls


async def test_a_body_within_the_limit_is_forwarded(
    gateway: httpx.AsyncClient, order_api: respx.MockRouter
) -> None:
    order_api.post("/orders").respond(422, json={"status": 422})

    response = await gateway.post(
        "/api/orders",
        content=b"{" + b" " * 500_000 + b"}",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert len(order_api.calls.last.request.content) == 500_002


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [("http://localhost:5173", True), ("http://127.0.0.1:5173", True), ("http://evil", False)],
)
async def test_cors_only_for_the_frontend_origins(
    gateway: httpx.AsyncClient, origin: str, allowed: bool
) -> None:
    response = await gateway.options(
        "/api/orders",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Idempotency-Key, Content-Type",
        },
    )

    assert (response.headers.get("access-control-allow-origin") == origin) is allowed


async def test_cors_origins_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api_gateway.settings import GatewaySettings

    monkeypatch.setenv("GATEWAY_CORS_ORIGINS", "https://shop.example, https://admin.example")

    assert GatewaySettings().cors_origins == ["https://shop.example", "https://admin.example"]


async def test_openapi_documents_the_whole_public_contract(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/openapi.json")).json()
    paths = document["paths"]

    assert set(paths) >= {
        "/api/customers",
        "/api/customers/{customer_id}",
        "/api/customers/{customer_id}/orders",
        "/api/orders",
        "/api/orders/{order_id}",
        "/api/dashboard",
    }
    create_order = paths["/api/orders"]["post"]
    body_schema = create_order["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema == {"$ref": "#/components/schemas/OrderCreate"}
    assert {"201", "413", "422", "502", "503", "504"} <= set(create_order["responses"])
    schemas = document["components"]["schemas"]
    assert {"OrderCreate", "OrderItem", "CustomerCreate", "OrderDetail", "Dashboard"} <= set(
        schemas
    )
    assert "unavailable" in schemas["OrderPage"]["properties"]


TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


async def test_the_callers_trace_context_is_passed_on(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    route = customer_api.get(f"/customers/{CUSTOMER_ID}").respond(200, content=CUSTOMER_BODY)

    await gateway.get(
        f"/api/customers/{CUSTOMER_ID}",
        headers={"traceparent": TRACEPARENT, "tracestate": "vendor=1"},
    )

    sent = route.calls.last.request.headers
    assert (sent["traceparent"], sent["tracestate"]) == (TRACEPARENT, "vendor=1")


async def test_with_tracing_on_the_upstream_call_is_a_child_span_of_the_callers_trace(
    gateway_with: Callable[..., Any], customer_api: respx.MockRouter
) -> None:
    route = customer_api.get(f"/customers/{CUSTOMER_ID}").respond(200, content=CUSTOMER_BODY)

    async with gateway_with(tracing=True) as client:
        await client.get(f"/api/customers/{CUSTOMER_ID}", headers={"traceparent": TRACEPARENT})

    _, trace_id, span_id, _ = route.calls.last.request.headers["traceparent"].split("-")
    assert trace_id == TRACEPARENT.split("-")[1]
    assert span_id != TRACEPARENT.split("-")[2]


def test_tracing_is_on_by_default_only_with_an_exporter() -> None:
    from api_gateway.settings import GatewaySettings

    assert GatewaySettings().tracing_enabled is False
    assert GatewaySettings(OTEL_EXPORTER_OTLP_ENDPOINT="http://otel:4318").tracing_enabled
    assert GatewaySettings(tracing=True).tracing_enabled


@pytest.mark.parametrize(
    "headers",
    [{}, {"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}],
)
async def test_a_body_not_sent_as_json_is_415_and_goes_nowhere(
    gateway: httpx.AsyncClient,
    customer_api: respx.MockRouter,
    order_api: respx.MockRouter,
    headers: dict[str, str],
) -> None:
    body = b'{"name": "Mallory", "email": "m@example.com"}'

    responses = [
        await gateway.post("/api/customers", content=body, headers=headers),
        await gateway.patch(f"/api/customers/{CUSTOMER_ID}", content=body, headers=headers),
        await gateway.post("/api/orders", content=body, headers=headers),
    ]

    assert [r.status_code for r in responses] == [415, 415, 415]
    assert responses[0].headers["accept-post"] == "application/json"
    assert responses[1].headers["accept-patch"] == "application/json"
    assert not customer_api.calls
    assert not order_api.calls


async def test_the_clients_content_type_is_forwarded_as_it_came(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter
) -> None:
    route = customer_api.patch(f"/customers/{CUSTOMER_ID}").respond(200, json={})

    await gateway.patch(
        f"/api/customers/{CUSTOMER_ID}",
        content=b'{"name": "Ada"}',
        headers={"Content-Type": "application/merge-patch+json"},
    )

    assert route.calls.last.request.headers["content-type"] == "application/merge-patch+json"

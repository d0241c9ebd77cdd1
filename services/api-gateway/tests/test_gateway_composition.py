"""Orders with customers: one batch call per page; 200 with what is known when a service is down."""

import json
import uuid
from typing import Any

import httpx
import pytest
import respx

ADA, BOB = str(uuid.uuid4()), str(uuid.uuid4())
SUMMARIES = {
    ADA: {"id": ADA, "name": "Ada", "email": "ada@example.com"},
    BOB: {"id": BOB, "name": "Bob", "email": "bob@example.com"},
}
STATS = {"PENDING": 2, "CONFIRMED": 1, "SHIPPED": 0, "DELIVERED": 0, "CANCELLED": 1}


def order(customer_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "customer_id": customer_id,
        "status": "PENDING",
        "items": [{"sku": "A", "name": "a", "quantity": 1, "unit_price_cents": 100}],
        "total_cents": 100,
        "currency": "USD",
        "notes": None,
        "version": 1,
        "created_at": "2026-11-26T12:00:00Z",
        "updated_at": "2026-11-26T12:00:00Z",
        **fields,
    }


def batch_answer(request: httpx.Request) -> httpx.Response:
    ids = json.loads(request.content)["ids"]
    return httpx.Response(200, json={"items": [SUMMARIES[i] for i in ids if i in SUMMARIES]})


async def test_a_page_gets_its_customers_in_one_batch_call(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    orders = [order(ADA), order(BOB), order(ADA), order(str(uuid.uuid4()))]
    order_api.get("/orders").respond(200, json={"items": orders, "next_cursor": "abc"})
    batch = customer_api.post("/customers/batch").mock(side_effect=batch_answer)

    response = await gateway.get("/api/orders", params={"limit": 4})

    assert response.status_code == 200
    page = response.json()
    assert batch.call_count == 1
    assert sorted(json.loads(batch.calls.last.request.content)["ids"]) == sorted(
        {ADA, BOB, orders[3]["customer_id"]}
    )
    assert [o["customer"] for o in page["items"]] == [
        SUMMARIES[ADA],
        SUMMARIES[BOB],
        SUMMARIES[ADA],
        None,
    ]
    assert page["next_cursor"] == "abc"
    assert page["unavailable"] == []
    assert order_api.calls.last.request.url.query == b"limit=4"


async def test_an_empty_page_asks_no_customers(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    order_api.get("/orders").respond(200, json={"items": [], "next_cursor": None})

    response = await gateway.get("/api/orders")

    assert response.json() == {"items": [], "next_cursor": None, "unavailable": []}
    assert not customer_api.calls


async def test_orders_still_come_when_the_customer_service_is_down(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    order_api.get("/orders").respond(200, json={"items": [order(ADA)], "next_cursor": None})
    customer_api.post("/customers/batch").mock(side_effect=httpx.ConnectError("refused"))

    response = await gateway.get("/api/orders")

    assert response.status_code == 200
    assert response.json()["items"][0]["customer"] is None
    assert response.json()["unavailable"] == ["customer"]


async def test_order_errors_pass_through(
    gateway: httpx.AsyncClient, order_api: respx.MockRouter
) -> None:
    problem = {"type": "urn:orderflow:problem:invalid-cursor", "status": 422}
    order_api.get("/orders").respond(
        422, json=problem, headers={"Content-Type": "application/problem+json"}
    )

    response = await gateway.get("/api/orders", params={"cursor": "junk"})

    assert response.status_code == 422
    assert response.json() == problem


async def test_one_order_carries_its_customer_etag_and_availability(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    one = order(ADA, version=3)
    order_api.get(f"/orders/{one['id']}").respond(200, json=one, headers={"ETag": '"3"'})
    customer_api.post("/customers/batch").mock(side_effect=batch_answer)

    response = await gateway.get(f"/api/orders/{one['id']}")

    assert response.status_code == 200
    assert response.headers["etag"] == '"3"'
    assert response.json() == {**one, "customer": SUMMARIES[ADA], "unavailable": []}


async def test_a_status_change_sends_if_match_and_composes_the_answer(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    one = order(ADA, status="CONFIRMED", version=2)
    route = order_api.patch(f"/orders/{one['id']}").respond(200, json=one, headers={"ETag": '"2"'})
    customer_api.post("/customers/batch").mock(side_effect=httpx.ConnectError("refused"))

    response = await gateway.patch(
        f"/api/orders/{one['id']}", json={"status": "CONFIRMED"}, headers={"If-Match": '"1"'}
    )

    assert route.calls.last.request.headers["if-match"] == '"1"'
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    assert response.json()["customer"] is None
    assert response.json()["unavailable"] == ["customer"]


async def test_a_created_order_keeps_201_location_and_gets_its_customer(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    one = order(BOB)
    order_api.post("/orders").respond(
        201, json=one, headers={"Location": f"/orders/{one['id']}", "ETag": '"1"'}
    )
    customer_api.post("/customers/batch").mock(side_effect=batch_answer)

    response = await gateway.post("/api/orders", json={"customer_id": BOB, "items": one["items"]})

    assert response.status_code == 201
    assert response.headers["location"] == f"/api/orders/{one['id']}"
    assert response.json()["customer"] == SUMMARIES[BOB]


async def test_a_customers_orders_ask_both_services_once(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    customer_api.get(f"/customers/{ADA}").respond(
        200, json={**SUMMARIES[ADA], "created_at": "x", "updated_at": "x"}
    )
    orders = order_api.get("/orders").respond(
        200, json={"items": [order(ADA), order(ADA)], "next_cursor": None}
    )

    response = await gateway.get(f"/api/customers/{ADA}/orders", params={"limit": 2})

    assert response.status_code == 200
    assert [o["customer"] for o in response.json()["items"]] == [SUMMARIES[ADA]] * 2
    assert response.json()["unavailable"] == []
    assert orders.calls.last.request.url.params["customer_id"] == ADA
    assert orders.calls.last.request.url.params["limit"] == "2"
    assert not [c for c in customer_api.calls if c.request.url.path.endswith("/batch")]


async def test_an_unknown_customers_orders_are_404(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    customer_api.get(f"/customers/{ADA}").respond(
        404, json={"status": 404}, headers={"Content-Type": "application/problem+json"}
    )
    order_api.get("/orders").respond(200, json={"items": [], "next_cursor": None})

    response = await gateway.get(f"/api/customers/{ADA}/orders")

    assert response.status_code == 404


async def test_a_customers_orders_without_the_customer_service(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    customer_api.get(f"/customers/{ADA}").mock(side_effect=httpx.ReadTimeout("slow"))
    order_api.get("/orders").respond(200, json={"items": [order(ADA)], "next_cursor": None})

    response = await gateway.get(f"/api/customers/{ADA}/orders")

    assert response.status_code == 200
    assert response.json()["items"][0]["customer"] is None
    assert response.json()["unavailable"] == ["customer"]


async def test_the_dashboard_when_everything_is_up(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    customer_api.get("/customers/stats").respond(200, json={"total": 2})
    customer_api.post("/customers/batch").mock(side_effect=batch_answer)
    order_api.get("/orders/stats").respond(
        200, json={"total": 4, "by_status": STATS, "revenue_cents": 300, "currency": "EUR"}
    )
    recent = order_api.get("/orders").respond(
        200, json={"items": [order(ADA), order(BOB)], "next_cursor": None}
    )

    response = await gateway.get("/api/dashboard")

    body = response.json()
    assert response.status_code == 200
    assert body["customers"] == {"total": 2}
    assert body["orders"] == {"total": 4, "by_status": STATS}
    assert (body["revenue_cents"], body["currency"]) == (300, "EUR")
    assert [o["customer"]["name"] for o in body["recent_orders"]] == ["Ada", "Bob"]
    assert body["services"]["customer"]["status"] == "up"
    assert body["services"]["order"]["latency_ms"] >= 0
    assert body["unavailable"] == []
    assert recent.calls.last.request.url.params["limit"] == "10"


async def test_the_dashboard_without_the_order_service(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    customer_api.get("/customers/stats").respond(200, json={"total": 2})
    order_api.route().mock(side_effect=httpx.ConnectError("refused"))

    response = await gateway.get("/api/dashboard")

    body = response.json()
    assert response.status_code == 200
    assert body["customers"] == {"total": 2}
    assert (body["orders"], body["revenue_cents"], body["currency"]) == (None, None, None)
    assert body["recent_orders"] is None
    assert body["services"]["order"] == {
        "status": "down",
        "latency_ms": None,
        "detail": body["services"]["order"]["detail"],
    }
    assert body["services"]["order"]["detail"]
    assert body["unavailable"] == ["order"]


async def test_the_dashboard_with_nothing_up_is_still_an_answer(
    gateway: httpx.AsyncClient,
    customer_api: respx.MockRouter,
    order_api: respx.MockRouter,
    identity_api: respx.MockRouter,
) -> None:
    customer_api.route().mock(side_effect=httpx.ConnectError("refused"))
    order_api.route().respond(500)
    identity_api["readyz"].mock(side_effect=httpx.ConnectError("refused"))

    response = await gateway.get("/api/dashboard")

    assert response.status_code == 200
    body = response.json()
    assert body["unavailable"] == ["customer", "order"]
    assert {s["status"] for s in body["services"].values()} == {"down"}


@pytest.mark.parametrize("currency", [None, 840, "usd", "EURO", "<b>"])
async def test_the_dashboard_passes_on_no_currency_that_is_not_one(
    gateway: httpx.AsyncClient,
    customer_api: respx.MockRouter,
    order_api: respx.MockRouter,
    currency: object,
) -> None:
    customer_api.get("/customers/stats").respond(200, json={"total": 0})
    order_api.get("/orders/stats").respond(
        200, json={"total": 0, "by_status": STATS, "revenue_cents": 0, "currency": currency}
    )
    order_api.get("/orders").respond(200, json={"items": [], "next_cursor": None})

    body = (await gateway.get("/api/dashboard")).json()

    assert (body["revenue_cents"], body["currency"], body["unavailable"]) == (None, None, ["order"])


async def test_the_dashboard_survives_an_answer_of_the_wrong_shape(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    customer_api.get("/customers/stats").respond(200, json={"count": 2})
    order_api.get("/orders/stats").respond(200, content=b"<html>")
    order_api.get("/orders").respond(200, json={"orders": []})

    response = await gateway.get("/api/dashboard")

    assert response.status_code == 200
    assert response.json()["unavailable"] == ["customer", "order"]
    services = response.json()["services"]
    assert services["customer"]["detail"] == (
        "The customer service sent an answer the gateway cannot use."
    )
    assert services["order"]["detail"] == "The order service sent an answer the gateway cannot use."


async def test_the_config_is_the_order_services_and_a_problem_without_it(
    gateway: httpx.AsyncClient, order_api: respx.MockRouter
) -> None:
    route = order_api.get("/orders/config")
    route.respond(200, json={"currency": "JPY"})
    assert (await gateway.get("/api/config")).json() == {"currency": "JPY"}

    route.mock(side_effect=httpx.ConnectError("refused"))
    down = await gateway.get("/api/config")
    assert (down.status_code, down.headers["content-type"]) == (503, "application/problem+json")

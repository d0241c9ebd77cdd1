"""Who may do what to orders, decided by the order service itself (SQLite, PostgreSQL)."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from orderflow_testing import TestIssuer

from .conftest import CreateCustomer

NewOrder = Callable[..., dict[str, Any]]


@pytest.fixture
async def ada(create_customer: CreateCustomer) -> str:
    return await create_customer("Ada")


@pytest.fixture
async def grace(create_customer: CreateCustomer) -> str:
    return await create_customer("Grace")


async def place(client: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = await client.post("/orders", json=body, headers=headers)
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


async def total(client: httpx.AsyncClient, issuer: TestIssuer) -> int:
    stats = await client.get("/orders/stats", headers=issuer.headers("admin"))
    count: int = stats.json()["total"]
    return count


async def test_created_by_and_allowed_transitions_follow_the_caller(
    client: httpx.AsyncClient, issuer: TestIssuer, ada: str, new_order: NewOrder
) -> None:
    staff = issuer.headers("staff", sub="staff-1")
    order = await place(client, new_order(ada), **staff)
    assert order["created_by"] == "staff-1"
    assert order["allowed_transitions"] == ["CONFIRMED", "CANCELLED"]
    as_ada = issuer.headers("customer", customer_id=ada)
    seen = (await client.get(f"/orders/{order['id']}", headers=as_ada)).json()
    assert seen["allowed_transitions"] == ["CANCELLED"]
    await client.patch(f"/orders/{order['id']}", json={"status": "CONFIRMED"}, headers=staff)
    confirmed = (await client.get(f"/orders/{order['id']}", headers=as_ada)).json()
    assert confirmed["allowed_transitions"] == []
    page = (await client.get("/orders", headers=as_ada)).json()
    assert page["items"][0]["allowed_transitions"] == []


async def test_a_customer_orders_for_itself_only(
    client: httpx.AsyncClient, issuer: TestIssuer, ada: str, grace: str, new_order: NewOrder
) -> None:
    as_ada = issuer.headers("customer", customer_id=ada, sub="ada-sub")
    own = await place(client, new_order(ada), **as_ada)
    assert own["created_by"] == "ada-sub"
    refused = await client.post(
        "/orders", json=new_order(grace), headers={**as_ada, "Idempotency-Key": "k"}
    )
    assert refused.status_code == 403
    assert refused.json()["type"] == "urn:orderflow:problem:forbidden"
    assert await total(client, issuer) == 1
    unlinked = issuer.headers("customer", customer_id=None)
    assert (await client.post("/orders", json=new_order(ada), headers=unlinked)).status_code == 403


async def test_a_customer_sees_only_its_own_orders(
    client: httpx.AsyncClient, issuer: TestIssuer, ada: str, grace: str, new_order: NewOrder
) -> None:
    adas = await place(client, new_order(ada))
    graces = await place(client, new_order(grace))
    as_ada = issuer.headers("customer", customer_id=ada)

    page = (await client.get("/orders", headers=as_ada)).json()
    assert [o["id"] for o in page["items"]] == [adas["id"]]
    filtered = await client.get("/orders", params={"customer_id": grace}, headers=as_ada)
    assert filtered.json() == {"items": [], "next_cursor": None}
    by_status = await client.get("/orders", params={"status": "PENDING"}, headers=as_ada)
    assert [o["id"] for o in by_status.json()["items"]] == [adas["id"]]
    other = await client.get(f"/orders/{graces['id']}", headers=as_ada)
    assert other.status_code == 404
    assert other.json()["type"] == "urn:orderflow:problem:order-not-found"
    unlinked = issuer.headers("customer", customer_id=None)
    assert (await client.get("/orders", headers=unlinked)).json()["items"] == []
    stats = await client.get("/orders/stats", headers=as_ada)
    assert stats.status_code == 403


async def test_a_customer_may_only_cancel_its_own_pending_order(
    client: httpx.AsyncClient, issuer: TestIssuer, ada: str, grace: str, new_order: NewOrder
) -> None:
    as_ada = issuer.headers("customer", customer_id=ada)
    staff = issuer.headers("staff")
    pending = await place(client, new_order(ada))
    confirmed = await place(client, new_order(ada))
    await client.patch(f"/orders/{confirmed['id']}", json={"status": "CONFIRMED"}, headers=staff)
    graces = await place(client, new_order(grace))

    async def move(order: dict[str, Any], status: str) -> httpx.Response:
        return await client.patch(f"/orders/{order['id']}", json={"status": status}, headers=as_ada)

    assert (await move(pending, "CONFIRMED")).status_code == 403
    assert (await move(confirmed, "CANCELLED")).status_code == 403
    assert (await move(confirmed, "SHIPPED")).status_code == 403
    assert (await move(graces, "CANCELLED")).status_code == 404
    assert (await move(pending, "DELIVERED")).status_code == 409  # nobody may do that
    cancelled = await move(pending, "CANCELLED")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "CANCELLED"
    again = await move(pending, "CANCELLED")
    assert again.status_code == 409
    assert again.json()["allowed_transitions"] == []
    statuses = {
        o["id"]: o["status"] for o in (await client.get("/orders", headers=staff)).json()["items"]
    }
    assert statuses == {
        pending["id"]: "CANCELLED",
        confirmed["id"]: "CONFIRMED",
        graces["id"]: "PENDING",
    }


async def test_idempotency_keys_belong_to_the_caller(
    client: httpx.AsyncClient, issuer: TestIssuer, ada: str, new_order: NewOrder
) -> None:
    body = new_order(ada)
    first_caller = issuer.headers("staff", sub="staff-a")
    second_caller = issuer.headers("staff", sub="staff-b")
    first = await place(client, body, **first_caller, **{"Idempotency-Key": "same"})
    second = await client.post(
        "/orders", json=body, headers={**second_caller, "Idempotency-Key": "same"}
    )
    assert second.status_code == 201
    assert second.headers.get("idempotent-replayed") is None
    assert second.json()["id"] != first["id"]
    assert second.json()["created_by"] == "staff-b"
    # The same key with another body is a conflict only within one caller's keys.
    changed = await client.post(
        "/orders",
        json=new_order(ada, notes="x"),
        headers={**second_caller, "Idempotency-Key": "k2"},
    )
    assert changed.status_code == 201
    replay = await client.post(
        "/orders", json=body, headers={**first_caller, "Idempotency-Key": "same"}
    )
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json()["id"] == first["id"]
    assert await total(client, issuer) == 3


async def test_another_customers_order_is_never_replayed(
    client: httpx.AsyncClient, issuer: TestIssuer, ada: str, new_order: NewOrder
) -> None:
    as_ada = issuer.headers("customer", customer_id=ada, sub="ada")
    first = await place(client, new_order(ada), **as_ada, **{"Idempotency-Key": "mine"})
    intruder = issuer.headers("staff", sub="someone-else")
    other = await place(client, new_order(ada), **intruder, **{"Idempotency-Key": "mine"})
    assert other["id"] != first["id"]


async def test_services_reached_without_a_token_answer_401(
    client: httpx.AsyncClient, ada: str, new_order: NewOrder
) -> None:
    client.headers.pop("Authorization")
    for method, path in [("GET", "/orders"), ("GET", "/orders/stats"), ("POST", "/orders")]:
        response = await client.request(method, path, json=new_order(ada))
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == 'Bearer realm="orderflow"'

"""The order API in-process, on SQLite and PostgreSQL, checking customers with the real customer
service in-process."""

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from order_service.main import create_app as create_order_app
from order_service.settings import OrderSettings
from orderflow_testing import TestIssuer, app_client
from starlette.types import ASGIApp

from .conftest import order_body

PROBLEM = "application/problem+json"
STATUSES = ["PENDING", "CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"]
NewOrder = Callable[..., dict[str, Any]]


def problem_of(response: httpx.Response, status: int, slug: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if slug is not None:
        assert body["type"] == f"urn:orderflow:problem:{slug}"
    return body


def fields_of(problem: dict[str, Any]) -> set[tuple[str, str]]:
    return {(e["location"], e["field"]) for e in problem["errors"]}


async def create(client: httpx.AsyncClient, body: dict[str, Any], **headers: str) -> Any:
    response = await client.post("/orders", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def total_orders(client: httpx.AsyncClient) -> int:
    total: int = (await client.get("/orders/stats")).json()["total"]
    return total


# --- create -----------------------------------------------------------------------------------


async def test_create_returns_the_order_with_its_location_etag_and_computed_total(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    response = await client.post("/orders", json=new_order(customer_id))

    assert response.status_code == 201
    order = response.json()
    assert response.headers["location"] == f"/orders/{order['id']}"
    assert response.headers["etag"] == '"1"'
    assert "idempotent-replayed" not in response.headers
    assert uuid.UUID(order["id"])
    assert order["customer_id"] == customer_id
    assert order["status"] == "PENDING"
    assert order["total_cents"] == 2 * 1250 + 8999
    assert order["currency"] == "USD"
    assert order["notes"] == "Leave at the door"
    assert order["version"] == 1
    assert order["created_at"] == order["updated_at"]
    assert [i["sku"] for i in order["items"]] == ["SKU-1", "SKU-2"]
    assert order["items"][0] == {
        "sku": "SKU-1",
        "name": "Espresso beans",
        "quantity": 2,
        "unit_price_cents": 1250,
    }
    assert "customer" not in order  # the gateway composes customers in


async def test_created_order_reads_back_the_same(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    created = await create(client, new_order(customer_id, notes=None))
    response = await client.get(f"/orders/{created['id']}")
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert response.json() == created
    assert created["notes"] is None


async def test_many_items_keep_their_order(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    items = [
        {"sku": f"SKU-{i:03}", "name": f"Item {i}", "quantity": 1 + i % 7, "unit_price_cents": i}
        for i in range(100)
    ]
    order = await create(client, new_order(customer_id, items=items))
    assert [i["sku"] for i in order["items"]] == [f"SKU-{i:03}" for i in range(100)]
    assert order["total_cents"] == sum((1 + i % 7) * i for i in range(100))
    fetched = (await client.get(f"/orders/{order['id']}")).json()
    assert fetched["items"] == order["items"]


async def test_the_client_cannot_set_the_total_status_or_version(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    for field, value in [("total_cents", 1), ("status", "DELIVERED"), ("version", 9)]:
        response = await client.post("/orders", json=new_order(customer_id, **{field: value}))
        problem = problem_of(response, 422, "validation-error")
        assert ("body", field) in fields_of(problem)
    assert await total_orders(client) == 0


async def test_unknown_customer_is_a_422_on_customer_id_and_nothing_is_written(
    client: httpx.AsyncClient, new_order: NewOrder
) -> None:
    unknown = str(uuid.uuid4())
    response = await client.post("/orders", json=new_order(unknown))
    problem = problem_of(response, 422, "customer-not-found")
    assert problem["errors"] == [
        {
            "location": "body",
            "field": "customer_id",
            "message": f"No customer with id {unknown}.",
            "code": "customer_not_found",
        }
    ]
    assert await total_orders(client) == 0


VALID_ITEM = {"sku": "S", "name": "N", "quantity": 1, "unit_price_cents": 0}
INVALID_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("quantity 0", {"items": [{**VALID_ITEM, "quantity": 0}]}, "items.0.quantity"),
    ("quantity 1001", {"items": [{**VALID_ITEM, "quantity": 1001}]}, "items.0.quantity"),
    ("quantity as text", {"items": [{**VALID_ITEM, "quantity": "2"}]}, "items.0.quantity"),
    ("quantity fractional", {"items": [{**VALID_ITEM, "quantity": 1.5}]}, "items.0.quantity"),
    ("quantity null", {"items": [{**VALID_ITEM, "quantity": None}]}, "items.0.quantity"),
    (
        "price negative",
        {"items": [{**VALID_ITEM, "unit_price_cents": -1}]},
        "items.0.unit_price_cents",
    ),
    (
        "price too high",
        {"items": [VALID_ITEM, {**VALID_ITEM, "unit_price_cents": 100_000_001}]},
        "items.1.unit_price_cents",
    ),
    (
        "price in units",
        {"items": [{**VALID_ITEM, "unit_price_cents": 9.99}]},
        "items.0.unit_price_cents",
    ),
    ("sku empty", {"items": [{**VALID_ITEM, "sku": ""}]}, "items.0.sku"),
    ("sku blank", {"items": [{**VALID_ITEM, "sku": "   "}]}, "items.0.sku"),
    ("sku too long", {"items": [{**VALID_ITEM, "sku": "x" * 65}]}, "items.0.sku"),
    ("sku with NUL", {"items": [{**VALID_ITEM, "sku": "a\x00b"}]}, "items.0.sku"),
    (
        "name missing",
        {"items": [{k: v for k, v in VALID_ITEM.items() if k != "name"}]},
        "items.0.name",
    ),
    ("name too long", {"items": [{**VALID_ITEM, "name": "n" * 201}]}, "items.0.name"),
    ("name with NUL", {"items": [{**VALID_ITEM, "name": "\x00"}]}, "items.0.name"),
    ("item extra field", {"items": [{**VALID_ITEM, "discount": 5}]}, "items.0.discount"),
    ("no items", {"items": []}, "items"),
    ("101 items", {"items": [VALID_ITEM] * 101}, "items"),
    ("items not a list", {"items": {"sku": "S"}}, "items"),
    ("customer_id not a uuid", {"customer_id": "42"}, "customer_id"),
    ("customer_id null", {"customer_id": None}, "customer_id"),
    ("notes too long", {"notes": "n" * 2001}, "notes"),
    ("notes with NUL", {"notes": "before\x00after"}, "notes"),
    ("notes not text", {"notes": 12}, "notes"),
    ("extra field", {"coupon": "FREE"}, "coupon"),
]


@pytest.mark.parametrize(
    ("changes", "field"),
    [pytest.param(c, f, id=name) for name, c, f in INVALID_BODIES],
)
async def test_invalid_body_is_a_422_naming_the_field(
    client: httpx.AsyncClient,
    customer_id: str,
    new_order: NewOrder,
    changes: dict[str, Any],
    field: str,
) -> None:
    response = await client.post("/orders", json=new_order(customer_id, **changes))
    problem = problem_of(response, 422, "validation-error")
    assert ("body", field) in fields_of(problem), problem["errors"]
    assert await total_orders(client) == 0


async def test_missing_fields_are_each_named(client: httpx.AsyncClient) -> None:
    problem = problem_of(await client.post("/orders", json={}), 422)
    assert fields_of(problem) == {("body", "customer_id"), ("body", "items")}


async def test_malformed_json_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/orders", content=b'{"customer_id": ', headers={"content-type": "application/json"}
    )
    problem_of(response, 400, "malformed-body")


async def test_limits_are_inclusive(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    item = {"sku": "x" * 64, "name": "n" * 200, "quantity": 1000, "unit_price_cents": 100_000_000}
    order = await create(client, new_order(customer_id, items=[item] * 100, notes="n" * 2000))
    assert order["total_cents"] == 100 * 1000 * 100_000_000
    free = {"sku": "FREE", "name": "Sample", "quantity": 1, "unit_price_cents": 0}
    assert (await create(client, new_order(customer_id, items=[free])))["total_cents"] == 0


HOSTILE = [
    "Robert'); DROP TABLE orders;--",
    "' OR '1'='1",
    '"double" and \\back\\slash',
    "Zoë Ångström — Ærøskøbing, 日本語, עברית, العربية",
    "🧾🚀👩‍👩‍👧‍👦 emoji",
    "<script>alert(1)</script>",
    "%s %d {0} ${x} \\x00 not a NUL",
    "line\nbreak\ttab\rreturn",
    "\u202eright-to-left override",
    "🧾" * 200,  # the longest name, 800 bytes in UTF-8
]


async def test_hostile_strings_are_stored_verbatim(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    items = [
        {"sku": text[:64], "name": text, "quantity": 1, "unit_price_cents": 1} for text in HOSTILE
    ]
    long_notes = "🧾" * 2000  # 2000 characters, 8000 bytes in UTF-8
    created = await create(client, new_order(customer_id, items=items, notes=long_notes))
    fetched = (await client.get(f"/orders/{created['id']}")).json()
    for order in (created, fetched):
        assert [i["name"] for i in order["items"]] == HOSTILE
        assert [i["sku"] for i in order["items"]] == [t[:64] for t in HOSTILE]
        assert order["notes"] == long_notes
    for text in [*HOSTILE, "  padded notes keep their spaces  ", ""]:
        order = await create(client, new_order(customer_id, notes=text))
        assert (await client.get(f"/orders/{order['id']}")).json()["notes"] == text
    listed = (await client.get("/orders", params={"limit": 100})).json()["items"]
    assert len(listed) == len(HOSTILE) + 3  # and the table is still there


async def test_sku_and_name_are_trimmed(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    item = {"sku": "  SKU-9 ", "name": "\tTea\n", "quantity": 1, "unit_price_cents": 5}
    order = await create(client, new_order(customer_id, items=[item]))
    assert (order["items"][0]["sku"], order["items"][0]["name"]) == ("SKU-9", "Tea")


# --- read -------------------------------------------------------------------------------------


async def test_unknown_order_is_a_404(client: httpx.AsyncClient) -> None:
    missing = uuid.uuid4()
    problem = problem_of(await client.get(f"/orders/{missing}"), 404, "order-not-found")
    assert problem["detail"] == f"No order with id {missing}."


async def test_an_id_that_is_no_uuid_is_a_422(client: httpx.AsyncClient) -> None:
    problem = problem_of(await client.get("/orders/1%27%20OR%201=1"), 422)
    assert fields_of(problem) == {("path", "order_id")}


async def test_list_is_newest_first_in_stable_pages_while_orders_are_added(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    first = [(await create(client, new_order(customer_id, notes=f"#{i}")))["id"] for i in range(7)]
    page1 = (await client.get("/orders", params={"limit": 3})).json()
    assert [o["id"] for o in page1["items"]] == first[::-1][:3]
    assert page1["next_cursor"]

    later = [(await create(client, new_order(customer_id)))["id"] for _ in range(3)]

    seen = [o["id"] for o in page1["items"]]
    cursor = page1["next_cursor"]
    while cursor:
        page = (await client.get("/orders", params={"limit": 3, "cursor": cursor})).json()
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
    assert seen == first[::-1]  # no duplicate, nothing skipped, the new ones not mixed in

    fresh = (await client.get("/orders", params={"limit": 100})).json()
    assert [o["id"] for o in fresh["items"]] == later[::-1] + first[::-1]
    assert fresh["next_cursor"] is None


async def test_an_exact_last_page_has_no_cursor(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    for _ in range(2):
        await create(client, new_order(customer_id))
    page = (await client.get("/orders", params={"limit": 2})).json()
    assert len(page["items"]) == 2
    assert page["next_cursor"] is None
    assert (await client.get("/orders")).json() == page  # default limit 20


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "e30",
        "W10",
        "WyJub3QgYSBkYXRlIiwgIngiXQ",
        "x" * 513,
        "%00",
        # Forged ones that reached the query and made it fail with a 500:
        "WyIwMDAxLTAxLTAxVDAwOjAwOjAwKzAxOjAwIiwgIngiXQ",
        "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgIlx1ZDgwMCJd",
        "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiwgIlx1MDAwMCJd",
        "WyI5OTk5LTEyLTMxVDIzOjAwOjAwLTAxOjAwIiwieCJd",
    ],
)
async def test_bad_cursor_is_a_422(client: httpx.AsyncClient, cursor: str) -> None:
    problem = problem_of(await client.get("/orders", params={"cursor": cursor}), 422)
    assert ("query", "cursor") in fields_of(problem)


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten"])
async def test_limit_out_of_range_is_a_422(client: httpx.AsyncClient, limit: str) -> None:
    problem = problem_of(await client.get("/orders", params={"limit": limit}), 422)
    assert fields_of(problem) == {("query", "limit")}


async def test_filters_by_status_and_customer(
    client: httpx.AsyncClient,
    create_customer: Callable[..., Any],
    new_order: NewOrder,
) -> None:
    ada, bob = await create_customer("Ada"), await create_customer("Bob")
    ada_orders = [(await create(client, new_order(ada)))["id"] for _ in range(4)]
    bob_orders = [(await create(client, new_order(bob)))["id"] for _ in range(3)]
    for order_id in (ada_orders[0], bob_orders[1]):
        response = await client.patch(f"/orders/{order_id}", json={"status": "CONFIRMED"})
        assert response.status_code == 200

    async def ids(**params: Any) -> list[str]:
        page = (await client.get("/orders", params={"limit": 2, **params})).json()
        found = [o["id"] for o in page["items"]]
        while page["next_cursor"]:
            query = {"limit": 2, **params, "cursor": page["next_cursor"]}
            page = (await client.get("/orders", params=query)).json()
            found += [o["id"] for o in page["items"]]
        return found

    assert await ids(customer_id=ada) == ada_orders[::-1]
    assert await ids(customer_id=bob) == bob_orders[::-1]
    assert await ids(status="CONFIRMED") == [bob_orders[1], ada_orders[0]]
    assert await ids(status="PENDING", customer_id=bob) == [bob_orders[2], bob_orders[0]]
    assert await ids(status="SHIPPED") == []
    assert await ids(customer_id=str(uuid.uuid4())) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "LOST"}, "status"),
        ({"status": "pending"}, "status"),
        ({"customer_id": "x"}, "customer_id"),
    ],
)
async def test_invalid_filters_are_a_422(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    problem = problem_of(await client.get("/orders", params=params), 422)
    assert fields_of(problem) == {("query", field)}


# --- status updates ---------------------------------------------------------------------------


async def patch(
    client: httpx.AsyncClient, order_id: str, status: str, if_match: str | None = None
) -> httpx.Response:
    headers = {"If-Match": if_match} if if_match is not None else {}
    return await client.patch(f"/orders/{order_id}", json={"status": status}, headers=headers)


async def test_an_order_walks_its_lifecycle_with_etags(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    order = await create(client, new_order(customer_id))
    etag = '"1"'
    for version, status in enumerate(["CONFIRMED", "SHIPPED", "DELIVERED"], start=2):
        response = await patch(client, order["id"], status, if_match=etag)
        assert response.status_code == 200, response.text
        etag = response.headers["etag"]
        assert etag == f'"{version}"'
        body = response.json()
        assert (body["status"], body["version"]) == (status, version)
        assert body["updated_at"] > body["created_at"]
        assert body["items"] == order["items"]
        assert (await client.get(f"/orders/{order['id']}")).json() == body


async def test_a_forbidden_transition_is_a_409_naming_the_allowed_ones(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    order = await create(client, new_order(customer_id))
    problem = problem_of(await patch(client, order["id"], "SHIPPED"), 409, "invalid-transition")
    assert problem["current_status"] == "PENDING"
    assert problem["allowed_transitions"] == ["CANCELLED", "CONFIRMED"]
    assert (await patch(client, order["id"], "CANCELLED")).status_code == 200
    for status in STATUSES:
        problem = problem_of(await patch(client, order["id"], status), 409, "invalid-transition")
        assert problem["allowed_transitions"] == []
    assert (await client.get(f"/orders/{order['id']}")).json()["version"] == 2


async def test_a_stale_if_match_is_a_412_with_the_current_etag(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    order = await create(client, new_order(customer_id))
    assert (await patch(client, order["id"], "CONFIRMED", if_match='"1"')).status_code == 200
    response = await patch(client, order["id"], "SHIPPED", if_match='"1"')
    problem = problem_of(response, 412, "version-mismatch")
    assert problem["current_version"] == 2
    assert response.headers["etag"] == '"2"'
    # The precondition is judged first: a stale client learns to re-read, not that SHIPPED->X fails.
    problem_of(await patch(client, order["id"], "DELIVERED", if_match='"1"'), 412)
    assert (await client.get(f"/orders/{order['id']}")).json()["status"] == "CONFIRMED"


@pytest.mark.parametrize("if_match", ['"1"', "1", 'W/"1"', "*", '"7", "1"', ' "1" '])
async def test_if_match_forms_accepted(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder, if_match: str
) -> None:
    order = await create(client, new_order(customer_id))
    response = await patch(client, order["id"], "CONFIRMED", if_match=if_match)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("if_match", ['"abc"', '"1', "v1", '"-1"', "", '"1",,"2"', "9" * 30])
async def test_malformed_if_match_is_a_422_on_the_header(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder, if_match: str
) -> None:
    order = await create(client, new_order(customer_id))
    problem = problem_of(await patch(client, order["id"], "CONFIRMED", if_match=if_match), 422)
    assert fields_of(problem) == {("header", "If-Match")}
    assert (await client.get(f"/orders/{order['id']}")).json()["version"] == 1


async def test_update_of_an_unknown_order_is_a_404(client: httpx.AsyncClient) -> None:
    problem_of(await patch(client, str(uuid.uuid4()), "CONFIRMED"), 404, "order-not-found")
    problem_of(await patch(client, str(uuid.uuid4()), "CONFIRMED", '"1"'), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "LOST"}, "status"),
        ({"status": None}, "status"),
        ({}, "status"),
        ({"status": "CONFIRMED", "notes": "x"}, "notes"),
    ],
)
async def test_invalid_update_body_is_a_422(
    client: httpx.AsyncClient,
    customer_id: str,
    new_order: NewOrder,
    body: dict[str, Any],
    field: str,
) -> None:
    order = await create(client, new_order(customer_id))
    problem = problem_of(await client.patch(f"/orders/{order['id']}", json=body), 422)
    assert ("body", field) in fields_of(problem)


# --- idempotency ------------------------------------------------------------------------------


async def test_a_repeat_with_the_same_key_returns_the_first_order(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    body = new_order(customer_id)
    first = await client.post("/orders", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    # The same content in another key order is the same request.
    reordered = {key: body[key] for key in reversed(list(body))}
    again = await client.post("/orders", json=reordered, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["etag"] == '"1"'
    assert await total_orders(client) == 1

    other = await client.post("/orders", json=body, headers={"Idempotency-Key": "k-2"})
    assert other.json()["id"] != first.json()["id"]
    unkeyed = await client.post("/orders", json=body)
    assert unkeyed.json()["id"] not in {first.json()["id"], other.json()["id"]}
    assert await total_orders(client) == 3


async def test_the_same_key_with_another_body_is_a_422(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    await create(client, new_order(customer_id), **{"Idempotency-Key": "k"})
    response = await client.post(
        "/orders", json=new_order(customer_id, notes="changed"), headers={"Idempotency-Key": "k"}
    )
    problem = problem_of(response, 422, "idempotency-key-reused")
    assert fields_of(problem) == {("header", "Idempotency-Key")}
    assert await total_orders(client) == 1


async def test_a_replay_returns_the_order_as_it_is_now(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    body = new_order(customer_id)
    first = await create(client, body, **{"Idempotency-Key": "k"})
    assert (await patch(client, first["id"], "CONFIRMED")).status_code == 200
    again = await client.post("/orders", json=body, headers={"Idempotency-Key": "k"})
    assert (again.status_code, again.json()["id"]) == (201, first["id"])
    assert (again.json()["status"], again.headers["etag"]) == ("CONFIRMED", '"2"')


@pytest.mark.parametrize(
    "key",
    [b"", b"k" * 256, "clé".encode("latin-1"), b"tab\there"],
    ids=["empty", "too-long", "not-ascii", "control-character"],
)
async def test_invalid_idempotency_key_is_a_422(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder, key: bytes
) -> None:
    response = await client.post(
        "/orders", json=new_order(customer_id), headers=[(b"Idempotency-Key", key)]
    )
    problem = problem_of(response, 422)
    assert fields_of(problem) == {("header", "Idempotency-Key")}
    assert await total_orders(client) == 0


async def test_the_longest_printable_key_is_accepted(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    key = "".join(chr(33 + i % 94) for i in range(255))  # every visible ASCII character
    order = await create(client, new_order(customer_id), **{"Idempotency-Key": key})
    again = await client.post(
        "/orders", json=new_order(customer_id), headers={"Idempotency-Key": key}
    )
    assert again.json()["id"] == order["id"]


# --- stats ------------------------------------------------------------------------------------


async def test_stats_of_nothing_list_every_status(client: httpx.AsyncClient) -> None:
    response = await client.get("/orders/stats")
    assert response.status_code == 200
    assert response.json() == {
        "total": 0,
        "by_status": dict.fromkeys(STATUSES, 0),
        "revenue_cents": 0,
        "currency": "USD",
    }


async def test_stats_count_by_status_and_revenue_leaves_out_cancelled(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    def one(price: int) -> dict[str, Any]:
        return new_order(
            customer_id, items=[{"sku": "S", "name": "N", "quantity": 1, "unit_price_cents": price}]
        )

    a, b, c, _ = [await create(client, one(price)) for price in (100, 200, 400, 800)]
    await patch(client, a["id"], "CONFIRMED")
    await patch(client, a["id"], "SHIPPED")
    await patch(client, b["id"], "CANCELLED")
    await patch(client, c["id"], "CONFIRMED")
    assert (await client.get("/orders/stats")).json() == {
        "total": 4,
        "by_status": {"PENDING": 1, "CONFIRMED": 1, "SHIPPED": 1, "DELIVERED": 0, "CANCELLED": 1},
        "revenue_cents": 100 + 400 + 800,
        "currency": "USD",
    }


async def test_the_currency_of_orders_stats_and_config_follows_the_setting(
    database_url: str, customer_app: ASGIApp, issuer: TestIssuer, customer_id: str
) -> None:
    settings = OrderSettings(
        database_url=database_url, access_log=False, currency="EUR", **issuer.settings()
    )
    app = create_order_app(settings, customer_transport=httpx.ASGITransport(app=customer_app))
    async with app_client(app, headers=issuer.headers("staff")) as client:
        order = await create(client, order_body(customer_id))
        assert order["currency"] == "EUR"
        assert (await client.get("/orders/stats")).json()["currency"] == "EUR"
        # Any caller may ask, a customer included: it needs the currency before it orders.
        as_customer = issuer.headers("customer", customer_id=customer_id)
        config = await client.get("/orders/config", headers=as_customer)
        assert (config.status_code, config.json()) == (200, {"currency": "EUR"})


# --- the rest of the surface -----------------------------------------------------------------


async def test_health_readiness_and_openapi(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"]["status"] == "ok"
    spec = (await client.get("/openapi.json")).json()
    assert set(spec["paths"]) >= {"/orders", "/orders/stats", "/orders/{order_id}"}
    assert set(spec["paths"]["/orders/{order_id}"]["patch"]["responses"]) >= {
        "200",
        "404",
        "409",
        "412",
        "422",
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [("PATCH", "/orders/stats"), ("PATCH", "/orders/config"), ("POST", "/orders/stats")],
)
async def test_a_wrong_method_on_a_fixed_path_is_405_not_an_order_id(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path, json={"status": "CONFIRMED"})
    problem_of(response, 405)
    assert response.headers["allow"] == "GET"

"""Races, on SQLite and PostgreSQL: concurrent updates never lose one another, and repeats
of one Idempotency-Key create one order."""

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

NewOrder = Callable[..., dict[str, Any]]


async def test_sixteen_updates_of_one_version_one_wins(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    order = (await client.post("/orders", json=new_order(customer_id))).json()
    responses = await asyncio.gather(
        *(
            client.patch(
                f"/orders/{order['id']}",
                json={"status": "CONFIRMED" if i % 2 else "CANCELLED"},
                headers={"If-Match": '"1"'},
            )
            for i in range(16)
        )
    )
    assert Counter(r.status_code for r in responses) == {200: 1, 412: 15}
    winner = next(r for r in responses if r.status_code == 200).json()
    assert winner["version"] == 2
    assert (await client.get(f"/orders/{order['id']}")).json() == winner


async def test_updates_without_if_match_are_never_lost(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    """Each accepted change bumps the version exactly once; the refused ones changed nothing."""
    order = (await client.post("/orders", json=new_order(customer_id))).json()
    targets = ["CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"] * 4
    responses = await asyncio.gather(
        *(client.patch(f"/orders/{order['id']}", json={"status": s}) for s in targets)
    )
    codes = Counter(r.status_code for r in responses)
    assert set(codes) <= {200, 409}
    final = (await client.get(f"/orders/{order['id']}")).json()
    assert final["version"] == 1 + codes[200]
    accepted = sorted((r.json()["version"], r.json()["status"]) for r in responses if r.is_success)
    assert [v for v, _ in accepted] == list(range(2, 2 + codes[200]))  # a chain, no gaps
    assert accepted[-1][1] == final["status"]


async def test_sixteen_confirmations_without_if_match_confirm_once(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    order = (await client.post("/orders", json=new_order(customer_id))).json()
    responses = await asyncio.gather(
        *(client.patch(f"/orders/{order['id']}", json={"status": "CONFIRMED"}) for _ in range(16))
    )
    assert Counter(r.status_code for r in responses) == {200: 1, 409: 15}
    assert (await client.get(f"/orders/{order['id']}")).json()["version"] == 2


async def test_twelve_parallel_posts_with_one_key_create_one_order(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    body = new_order(customer_id)
    responses = await asyncio.gather(
        *(client.post("/orders", json=body, headers={"Idempotency-Key": "race"}) for _ in range(12))
    )
    assert [r.status_code for r in responses] == [201] * 12, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 11
    assert (await client.get("/orders/stats")).json()["total"] == 1


async def test_parallel_posts_with_one_key_and_different_bodies(
    client: httpx.AsyncClient, customer_id: str, new_order: NewOrder
) -> None:
    responses = await asyncio.gather(
        *(
            client.post(
                "/orders",
                json=new_order(customer_id, notes=f"variant {i % 2}"),
                headers={"Idempotency-Key": "contested"},
            )
            for i in range(12)
        )
    )
    created = [r for r in responses if r.status_code == 201]
    assert len({r.json()["id"] for r in created}) == 1
    winning_notes = created[0].json()["notes"]
    for response in responses:  # the other body is refused, the same body replayed
        expected = 201 if response.request.content.decode().count(winning_notes) else 422
        assert response.status_code == expected
    assert (await client.get("/orders/stats")).json()["total"] == 1

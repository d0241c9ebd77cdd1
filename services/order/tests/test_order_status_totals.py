"""The dashboard's figures are kept by the database with every write, on a SQLite file and on
PostgreSQL: after any mix of concurrent creations, repeats and moves they equal a recount."""

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from chassis import MEMORY_DATABASE_URL, Database
from chassis.migrations import alembic_config
from customer_service.main import create_app as create_customer_app
from customer_service.settings import CustomerSettings
from order_service import repository
from order_service.main import STORAGE, create_app
from order_service.settings import OrderSettings
from orderflow_testing import TestIssuer, app_client, state_per_request
from orderflow_testing.postgres import truncate_all
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.types import ASGIApp

NewOrder = Callable[..., dict[str, Any]]
Figures = dict[str, tuple[int, int]]


@pytest.fixture
async def customer_app(issuer: TestIssuer) -> AsyncIterator[ASGIApp]:
    settings = CustomerSettings(
        database_url=MEMORY_DATABASE_URL, access_log=False, **issuer.settings()
    )
    async with LifespanManager(state_per_request(create_customer_app(settings))) as manager:
        yield manager.app


@pytest.fixture(params=["sqlite-file", pytest.param("postgres", marks=pytest.mark.postgres)])
def stored_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database the test can open beside the app: a SQLite file, or PostgreSQL."""
    if request.param == "sqlite-file":
        yield f"sqlite+aiosqlite:///{tmp_path / 'order.db'}"
        return
    url: str = request.getfixturevalue("postgres_database")
    yield url
    asyncio.run(truncate_all(url))


@pytest.fixture
async def client(
    stored_url: str, customer_app: ASGIApp, issuer: TestIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        OrderSettings(database_url=stored_url, access_log=False, **issuer.settings()),
        customer_transport=httpx.ASGITransport(app=customer_app),
    )
    async with app_client(app, headers=issuer.headers("staff")) as client:
        yield client


async def kept_and_recounted(url: str) -> tuple[Figures, Figures]:
    db = Database(url)
    try:
        async with db.reading() as session:
            kept = await repository.count_by_status(session)
            recounted = await repository.recount_by_status(session)
    finally:
        await db.dispose()
    # A status whose orders all moved on keeps a row of zeros; a recount has no row for it.
    return {s: v for s, v in kept.items() if v != (0, 0)}, recounted


async def test_concurrent_creations_repeats_and_moves_keep_exact_figures(
    client: httpx.AsyncClient, stored_url: str, customer_id: str, new_order: NewOrder
) -> None:
    rng = random.Random(13)

    async def create(i: int) -> httpx.Response:
        body = new_order(customer_id, items=[_item(1 + i % 7, 100 * (1 + i % 3))])
        key = {"Idempotency-Key": f"key-{i % 10}"} if i % 3 == 0 else {}
        return await client.post("/orders", json=body, headers=key)

    created = await asyncio.gather(*(create(i) for i in range(60)))
    assert {r.status_code for r in created} <= {201, 422}  # a key reused with another body
    ids = sorted({r.json()["id"] for r in created if r.status_code == 201})

    moves = ["CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"]
    for _ in range(3):  # rounds of racing moves, several on the same order
        responses = await asyncio.gather(
            *(
                client.patch(f"/orders/{rng.choice(ids)}", json={"status": rng.choice(moves)})
                for _ in range(40)
            )
        )
        assert {r.status_code for r in responses} <= {200, 409}

    kept, recounted = await kept_and_recounted(stored_url)
    assert kept == recounted
    stats = (await client.get("/orders/stats")).json()
    assert stats["total"] == len(ids)
    assert stats["revenue_cents"] == sum(t for s, (_, t) in recounted.items() if s != "CANCELLED")


async def test_replays_are_not_counted(
    client: httpx.AsyncClient, stored_url: str, customer_id: str, new_order: NewOrder
) -> None:
    body = new_order(customer_id)
    first = await client.post("/orders", json=body, headers={"Idempotency-Key": "once"})
    again = await asyncio.gather(
        *(client.post("/orders", json=body, headers={"Idempotency-Key": "once"}) for _ in range(8))
    )
    assert {r.json()["id"] for r in again} == {first.json()["id"]}
    kept, recounted = await kept_and_recounted(stored_url)
    assert kept == recounted == {"PENDING": (1, 11499)}


async def test_writes_around_the_service_are_counted_too(
    client: httpx.AsyncClient, stored_url: str, customer_id: str, new_order: NewOrder
) -> None:
    """A bulk load or a hand-made fix in SQL keeps the figures too: the database keeps them."""
    kept_id = (await client.post("/orders", json=new_order(customer_id))).json()["id"]
    gone_id = (await client.post("/orders", json=new_order(customer_id))).json()["id"]
    db = Database(stored_url)
    try:
        async with db.writing() as session:
            await _insert_order(await session.connection(), "by-hand", "SHIPPED", 700)
            await session.execute(
                text("UPDATE orders SET total_cents = 5, status = 'CONFIRMED' WHERE id = :id"),
                {"id": kept_id},
            )
            await session.execute(text("DELETE FROM orders WHERE id = :id"), {"id": gone_id})
    finally:
        await db.dispose()
    kept, recounted = await kept_and_recounted(stored_url)
    assert kept == recounted == {"CONFIRMED": (1, 5), "SHIPPED": (1, 700)}


async def test_the_figures_are_read_from_the_kept_totals(
    client: httpx.AsyncClient, stored_url: str, customer_id: str, new_order: NewOrder
) -> None:
    """/orders/stats reads the kept rows, not the orders (which a recount would)."""
    await client.post("/orders", json=new_order(customer_id))
    db = Database(stored_url)
    try:
        async with db.writing() as session:
            await session.execute(
                text("UPDATE order_status_totals SET orders = 41, total_cents = 42")
            )
    finally:
        await db.dispose()
    stats = (await client.get("/orders/stats")).json()
    assert (stats["total"], stats["by_status"]["PENDING"], stats["revenue_cents"]) == (41, 41, 42)


def _item(quantity: int, price: int) -> dict[str, Any]:
    return {"sku": "SKU-9", "name": "Thing", "quantity": quantity, "unit_price_cents": price}


async def _insert_order(conn: AsyncConnection, order_id: str, status: str, total: int) -> None:
    now = datetime(2026, 11, 30, 10, tzinfo=UTC)
    await conn.execute(
        text(
            "INSERT INTO orders (id, customer_id, status, total_cents, currency, version, "
            "created_at, updated_at) VALUES (:id, 'c', :status, :total, 'USD', 1, :now, :now)"
        ),
        {"id": order_id, "status": status, "total": total, "now": now},
    )


async def test_the_upgrade_counts_existing_orders_and_the_downgrade_removes_the_totals(
    unmigrated_database_url: str,
) -> None:
    from alembic import command

    config = alembic_config(STORAGE.migrations, version_table=STORAGE.version_table)

    def migrate(step: Callable[..., None], revision: str) -> Callable[[Connection], None]:
        def run(conn: Connection) -> None:
            config.attributes["connection"] = conn
            step(config, revision)

        return run

    before_totals = "0d0e1a7c5b14"
    db = Database(unmigrated_database_url)
    try:
        async with db.write_engine.begin() as conn:
            await conn.run_sync(migrate(command.upgrade, before_totals))
            for n, (status, total) in enumerate(
                [("PENDING", 10), ("PENDING", 5), ("DELIVERED", 7), ("CANCELLED", 1)]
            ):
                await _insert_order(conn, f"o-{n}", status, total)
        async with db.write_engine.begin() as conn:
            await conn.run_sync(migrate(command.upgrade, "head"))
        async with db.reading() as session:
            assert await repository.count_by_status(session) == {
                "PENDING": (2, 15),
                "DELIVERED": (1, 7),
                "CANCELLED": (1, 1),
            }
        async with db.write_engine.begin() as conn:
            await conn.run_sync(migrate(command.downgrade, before_totals))
            # No trigger is left behind to write into a table that is gone.
            await _insert_order(conn, "o-after", "PENDING", 3)
        async with db.write_engine.begin() as conn:
            await conn.run_sync(migrate(command.upgrade, "head"))
        async with db.reading() as session:
            assert (await repository.count_by_status(session))["PENDING"] == (3, 18)
    finally:
        await db.dispose()

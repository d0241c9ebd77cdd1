"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from chassis import Database
from chassis.migrations import upgrade
from order_service.main import STORAGE
from order_service.models import Base
from sqlalchemy import Connection, inspect


def _diff(conn: Connection) -> list[Any]:
    # Only our tables: the test database may also hold the customer service's.
    def ours(name: str | None, type_: str, _: Any) -> bool:
        return type_ != "table" or name in Base.metadata.tables

    context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": ours})
    return list(compare_metadata(context, Base.metadata))


def _indexes(conn: Connection) -> dict[str, list[str | None]]:
    return {ix["name"]: ix["column_names"] for ix in inspect(conn).get_indexes("orders")}


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade(db, STORAGE.migrations, version_table=STORAGE.version_table)
        async with db.write_engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
            indexes = await conn.run_sync(_indexes)
    finally:
        await db.dispose()
    assert indexes == {
        "ix_orders_created_at_id": ["created_at", "id"],
        "ix_orders_status_created_at_id": ["status", "created_at", "id"],
        "ix_orders_customer_id_created_at_id": ["customer_id", "created_at", "id"],
    }


async def test_keys_stored_before_callers_were_recorded_survive_the_upgrade(
    unmigrated_database_url: str,
) -> None:
    """The caller migration keeps old orders and keys; the keys get an empty caller (no one
    can replay them) and two callers may then hold the same key."""
    from alembic import command
    from chassis.migrations import alembic_config
    from sqlalchemy import text

    db = Database(unmigrated_database_url)
    config = alembic_config(STORAGE.migrations, version_table=STORAGE.version_table)

    def to(revision: str) -> Callable[[Connection], None]:
        def run(conn: Connection) -> None:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)

        return run

    now = datetime(2026, 11, 30, 10, tzinfo=UTC)
    order = (
        "INSERT INTO orders (id, customer_id, status, total_cents, currency, version, "
        "created_at, updated_at) VALUES (:id, 'c', 'PENDING', 1, 'USD', 1, :now, :now)"
    )
    try:
        async with db.write_engine.begin() as conn:
            await conn.run_sync(to("0d0e1a7c5b01"))
            await conn.execute(text(order), {"id": "o-1", "now": now})
            await conn.execute(
                text(
                    "INSERT INTO idempotency_keys (key, fingerprint, order_id, created_at) "
                    "VALUES ('k', 'f', 'o-1', :now)"
                ),
                {"now": now},
            )
        async with db.write_engine.begin() as conn:
            await conn.run_sync(to("head"))
            rows = (await conn.execute(text("SELECT caller, key FROM idempotency_keys"))).all()
            created_by = (await conn.execute(text("SELECT created_by FROM orders"))).scalar()
            await conn.execute(text(order), {"id": "o-2", "now": now})
            await conn.execute(
                text(
                    "INSERT INTO idempotency_keys (caller, key, fingerprint, order_id, created_at)"
                    " VALUES ('someone', 'k', 'f', 'o-2', :now)"
                ),
                {"now": now},
            )
            count = (await conn.execute(text("SELECT count(*) FROM idempotency_keys"))).scalar()
    finally:
        await db.dispose()
    assert [tuple(row) for row in rows] == [("", "k")]
    assert created_by is None
    assert count == 2

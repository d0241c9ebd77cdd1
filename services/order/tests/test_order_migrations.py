"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

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

"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from chassis import Database
from chassis.migrations import upgrade
from identity_service.main import STORAGE
from identity_service.models import Base
from sqlalchemy import Connection


def _diff(conn: Connection) -> list[Any]:
    def ours(name: str | None, type_: str, _: Any) -> bool:
        return type_ != "table" or name in Base.metadata.tables

    context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": ours})
    return list(compare_metadata(context, Base.metadata))


# SQLite cannot reflect the lower(email) index; PostgreSQL compares it.
@pytest.mark.filterwarnings(
    "ignore:.*expression-based index:UserWarning", "ignore:.*expression-based index"
)
async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        await upgrade(db, STORAGE.migrations, version_table=STORAGE.version_table)
        async with db.write_engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await db.dispose()

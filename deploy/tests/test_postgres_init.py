"""deploy/postgres/init-databases.sh, run against a real PostgreSQL with throwaway names."""

from __future__ import annotations

import asyncio
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from orderflow_testing.postgres import postgres_admin_url
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.postgres

SCRIPT = Path(__file__).resolve().parents[1] / "postgres" / "init-databases.sh"


async def run(dsn: str, *statements: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        rows: list[asyncpg.Record] = []
        for statement in statements:
            rows = await conn.fetch(statement)
        return rows
    finally:
        await conn.close()


@pytest.fixture
def names() -> Iterator[tuple[str, str, str, str]]:
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip("ORDERFLOW_TEST_POSTGRES_URL is not set; `make test` sets it")
    url = make_url(admin)
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    suffix = uuid.uuid4().hex[:10]
    customers, orders = f"of_init_{suffix}_customers", f"of_init_{suffix}_orders"
    identities = f"of_init_{suffix}_identities"
    yield admin_dsn, customers, orders, identities
    asyncio.run(
        run(
            admin_dsn,
            *[
                f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'
                for n in (customers, orders, identities)
            ],
            *[f'DROP ROLE IF EXISTS "{n}"' for n in (customers, orders, identities)],
        )
    )


def test_each_service_gets_a_database_it_owns_and_only_that_one(
    names: tuple[str, str, str, str],
) -> None:
    admin_dsn, customers, orders, identities = names
    url = make_url(admin_dsn)
    env = {
        **os.environ,
        "PGHOST": url.host or "127.0.0.1",
        "PGPORT": str(url.port or 5432),
        "PGPASSWORD": url.password or "",
        "POSTGRES_USER": url.username or "postgres",
        "CUSTOMER_DB_NAME": customers,
        "ORDER_DB_NAME": orders,
        "CUSTOMER_DB_PASSWORD": "it's-a-test",
        "ORDER_DB_PASSWORD": "another",
        "IDENTITY_DB_NAME": identities,
        "IDENTITY_DB_PASSWORD": "a-third",
    }
    result = subprocess.run(
        ["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr

    def dsn(role: str, database: str, password: str) -> str:
        return url.set(
            drivername="postgresql", username=role, password=password, database=database
        ).render_as_string(hide_password=False)

    owner = asyncio.run(
        run(
            dsn(customers, customers, "it's-a-test"),
            "CREATE TABLE t (id int)",
            "SELECT current_user AS who",
        )
    )
    assert owner[0]["who"] == customers
    asyncio.run(run(dsn(orders, orders, "another"), "CREATE TABLE t (id int)"))

    asyncio.run(run(dsn(identities, identities, "a-third"), "CREATE TABLE t (id int)"))

    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        asyncio.run(run(dsn(orders, customers, "another"), "SELECT 1"))
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        asyncio.run(run(dsn(identities, orders, "another"), "SELECT 1"))

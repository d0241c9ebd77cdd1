"""Throwaway PostgreSQL databases for tests, on the server named by ORDERFLOW_TEST_POSTGRES_URL.

When that variable is set (``make test`` and CI always set it) the PostgreSQL tests must run: an
unreachable server fails them. Only a bare ``pytest`` without it skips them, and says so.
"""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg
from sqlalchemy.engine import make_url

ENV_VAR = "ORDERFLOW_TEST_POSTGRES_URL"


def postgres_admin_url() -> str | None:
    """The SQLAlchemy URL of a database we may CREATE DATABASE from, if tests are to use one."""
    return os.environ.get(ENV_VAR) or None


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresServer:
    """Creates uniquely named databases and drops them again."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    async def _execute(self, sql: str) -> None:
        conn = await asyncpg.connect(_dsn(self.admin_url), timeout=10)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def create_database(self, prefix: str = "orderflow_test") -> str:
        """A new, empty database; returns its SQLAlchemy (asyncpg) URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        asyncio.run(self._execute(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for name in self.created:
            asyncio.run(self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.clear()


async def truncate_all(url: str) -> None:
    """Empty every table but the migration bookkeeping, so each test starts from nothing."""
    conn = await asyncpg.connect(_dsn(url), timeout=10)
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT LIKE 'alembic%'"
        )
        if tables:
            names = ", ".join(f'"{row["tablename"]}"' for row in tables)
            await conn.execute(f"TRUNCATE {names} CASCADE")
    finally:
        await conn.close()

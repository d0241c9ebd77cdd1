"""Alembic, driven from code: each service's ``migrations/env.py`` calls :func:`run_env`,
and the app applies its migrations at start-up with :func:`upgrade`."""

from __future__ import annotations

import asyncio
import zlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, text

from .db import Database


def alembic_config(script_location: Path, *, version_table: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["version_table"] = version_table
    return config


def run_env(target_metadata: MetaData, default_url: str | None = None) -> None:
    """The body of a service's ``env.py``: online against a given connection, or from a URL."""
    config = context.config
    version_table = config.attributes.get("version_table", "alembic_version")
    connection: Connection | None = config.attributes.get("connection")

    def run(conn: Connection) -> None:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            version_table=version_table,
            render_as_batch=conn.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    if connection is not None:
        run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or default_url
    if not url:
        raise RuntimeError("no database URL: set the service's DATABASE_URL")

    async def run_from_url() -> None:
        db = Database(url)
        try:
            async with db.write_engine.connect() as conn:
                await conn.run_sync(run)
                await conn.commit()
        finally:
            await db.dispose()

    asyncio.run(run_from_url())


async def upgrade(db: Database, script_location: Path, *, version_table: str) -> None:
    """Bring the schema to head; concurrent starters (replicas) wait for each other."""
    config = alembic_config(script_location, version_table=version_table)

    def run_upgrade(conn: Connection) -> None:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")

    async with db.write_engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            lock_key = zlib.crc32(version_table.encode())
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
        await conn.run_sync(run_upgrade)
        await conn.commit()

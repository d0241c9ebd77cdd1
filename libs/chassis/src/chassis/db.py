"""The database of one service: engines, sessions and their lifecycle, on SQLite or PostgreSQL.

SQLite allows one writer at a time. Rather than let concurrent writers collide and fail with
"database is locked", writes go through a dedicated single-connection engine whose transactions
start with ``BEGIN IMMEDIATE`` (so a transaction never has to upgrade a read lock), while reads
use a pool of their own and, thanks to WAL, never wait for writers. Other processes sharing the
file are waited for by ``busy_timeout``. On PostgreSQL both roles share one pooled engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000


def naming_metadata() -> MetaData:
    """A MetaData with explicit constraint names, so migrations are stable on every backend."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection: Any, _: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    # NORMAL in WAL mode survives a killed process; only a power loss can drop the last commits.
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _begin_deferred(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the engines of one service's database; open in the app's lifespan, close on exit."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.is_memory = self.is_sqlite and self.url.database in (None, "", ":memory:")
        if self.is_sqlite and not self.is_memory and self.url.database:
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)

        if self.is_memory:
            # One connection is the whole in-memory database: keep it, and take turns with it
            # (a queue of one, not StaticPool, whose sharing would interleave transactions).
            self.write_engine = create_async_engine(
                self.url,
                poolclass=AsyncAdaptedQueuePool,
                pool_size=1,
                max_overflow=0,
                pool_recycle=-1,
                pool_timeout=30,
            )
            self.read_engine = self.write_engine
            self._install_sqlite(self.write_engine, _begin_immediate)
        elif self.is_sqlite:
            self.write_engine = create_async_engine(
                self.url, pool_size=1, max_overflow=0, pool_timeout=30
            )
            self.read_engine = create_async_engine(self.url, pool_size=pool_size, max_overflow=0)
            self._install_sqlite(self.write_engine, _begin_immediate)
            self._install_sqlite(self.read_engine, _begin_deferred)
        else:
            self.write_engine = create_async_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
            )
            self.read_engine = self.write_engine

        self._read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(self.write_engine, expire_on_commit=False)

    @staticmethod
    def _install_sqlite(engine: AsyncEngine, begin: Any) -> None:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", begin)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for queries; nothing it does is committed."""
        async with self._read_sessions() as session:
            yield session

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block exits cleanly, else rolled back."""
        async with self._write_sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        async with self.read_engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()

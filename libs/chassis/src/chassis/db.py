"""The database of one service: engines, sessions and their lifecycle, on SQLite or PostgreSQL.

SQLite allows one writer at a time. Rather than let concurrent writers collide and fail with
"database is locked", writes go through a dedicated single-connection engine whose transactions
start with ``BEGIN IMMEDIATE`` (so a transaction never has to upgrade a read lock), while reads
use a pool of their own and, thanks to WAL, never wait for writers. Other processes sharing the
file are waited for by ``busy_timeout``. On PostgreSQL both roles share one pooled engine.

Short reads (by primary key, by an index range) have a path of their own, :meth:`Database.fetch`
(docs/adr/0018-short-reads-inline-on-sqlite.md): Core statements, no ORM session. On a SQLite
file they run inline on the event loop through the stdlib driver (``sqlite+pysqlite``), which
costs microseconds where the async driver's thread round trips cost milliseconds; on PostgreSQL
they run on pooled connections in autocommit, one round trip per statement
(docs/adr/0019-postgresql-short-reads.md). Anything that may scan (a search) stays on
:meth:`Database.reading`, whose work is done off the event loop.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Executable, MetaData, Row, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry, QueuePool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 10_000

Query = Executable | tuple[Executable, Mapping[str, Any]]
"""A statement for :meth:`Database.fetch`, alone or with the values of its bound parameters (a
statement built once, with ``bindparam``, costs less each time than one built per call)."""


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


def _inline_pragmas(dbapi_connection: Any, _: ConnectionPoolEntry) -> None:
    # Autocommit at the driver: BEGIN only where fetch asks for one snapshot of several reads.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # Never wait on the event loop: a reader that meets a lock (rare in WAL mode: recovery, a
    # checkpoint's truncation) gives way to the async engine, which waits in its own thread.
    cursor.execute("PRAGMA busy_timeout = 0")
    cursor.execute("PRAGMA query_only = ON")  # nothing written from the event loop, ever
    cursor.close()


# How much less CPU the threads that may scan get when they compete with the event loop.
SCAN_THREAD_NICENESS = 10


def _renice_this_thread() -> int:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), SCAN_THREAD_NICENESS)
    except (OSError, AttributeError):
        return 0  # not Linux, where niceness is per thread: nothing changes
    return 1


def _yield_to_the_event_loop(dbapi_connection: Any, _: ConnectionPoolEntry) -> None:
    """Searches and other scans run in the read pool's threads (aiosqlite keeps one per
    connection); they should never take a core from the event loop, which serves every other
    request, short reads included. The call below runs in the connection's own thread (an SQL
    function is called by the thread that runs the statement), which lowers its priority."""
    dbapi_connection.create_function("orderflow_renice_thread", 0, _renice_this_thread)
    cursor = dbapi_connection.cursor()
    cursor.execute("SELECT orderflow_renice_thread()")
    cursor.close()


def _is_busy(exc: OperationalError) -> bool:
    text_ = str(exc.orig).lower()
    return "locked" in text_ or "busy" in text_


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
            event.listen(self.read_engine.sync_engine, "connect", _yield_to_the_event_loop)
        else:
            self.write_engine = create_async_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
            )
            self.read_engine = self.write_engine

        # Short reads (fetch): on a file, the stdlib driver inline; on PostgreSQL, a pool of its
        # own in autocommit, without a ping per checkout (a dead connection is retried once).
        self.inline_engine: Engine | None = None
        self.fetch_engine: AsyncEngine = self.read_engine
        if self.is_sqlite and not self.is_memory:
            self.inline_engine = create_engine(
                self.url.set(drivername="sqlite+pysqlite"),
                poolclass=QueuePool,
                pool_size=1,
                max_overflow=4,
            )
            event.listen(self.inline_engine, "connect", _inline_pragmas)
        elif not self.is_sqlite:
            self.fetch_engine = create_async_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=pool_size,
                isolation_level="AUTOCOMMIT",
            )

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

    async def fetch(self, *queries: Query) -> list[Sequence[Row[Any]]]:
        """The rows of each statement, in order, read in one snapshot on SQLite (on PostgreSQL
        each statement reads committed data as of its start, as in any READ COMMITTED read).

        Only for reads that cost what an index look-up costs: on a SQLite file they run on the
        event loop itself. A scan (a search, an aggregate over a table) belongs in
        :meth:`reading`."""
        statements = [q if isinstance(q, tuple) else (q, None) for q in queries]
        if self.inline_engine is not None:
            try:
                with self.inline_engine.connect() as conn:
                    if len(statements) > 1:
                        conn.connection.driver_connection.execute("BEGIN")  # type: ignore[union-attr]
                    return [conn.execute(stmt, params).all() for stmt, params in statements]
            except OperationalError as exc:
                if not _is_busy(exc):
                    raise
            # The file is locked beyond what a reader meets in WAL mode: wait in a thread.
        for attempt in (1, 2):
            try:
                async with self.fetch_engine.connect() as aconn:
                    return [
                        (await aconn.execute(stmt, params)).all() for stmt, params in statements
                    ]
            except DBAPIError as exc:
                # A pooled connection the server has closed (a restart): the pool drops it;
                # a read may be repeated on a fresh one.
                if attempt == 2 or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    def engines(self) -> list[Any]:
        """Every SQLAlchemy engine this database uses (sync ones), for listeners."""
        found = [self.write_engine.sync_engine, self.read_engine.sync_engine]
        found.append(self.fetch_engine.sync_engine)
        if self.inline_engine is not None:
            found.append(self.inline_engine)
        return list(dict.fromkeys(found))

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        async with self.read_engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()
        if self.fetch_engine is not self.read_engine:
            await self.fetch_engine.dispose()
        if self.inline_engine is not None:
            self.inline_engine.dispose()

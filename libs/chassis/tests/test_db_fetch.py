"""Database.fetch, the short-read path: inline on a SQLite file, autocommit on PostgreSQL."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from chassis import Database
from sqlalchemy import Column, Integer, MetaData, String, Table, event, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

METADATA = MetaData()
THINGS = Table("things", METADATA, Column("id", Integer, primary_key=True), Column("name", String))


async def _filled(url: str) -> Database:
    db = Database(url)
    async with db.write_engine.begin() as conn:
        await conn.run_sync(METADATA.drop_all)
        await conn.run_sync(METADATA.create_all)
        await conn.execute(insert(THINGS), [{"id": n, "name": f"thing {n}"} for n in range(5)])
    return db


@pytest.fixture
async def file_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = await _filled(f"sqlite+aiosqlite:///{tmp_path / 'things.db'}")
    yield db
    await db.dispose()


async def test_on_a_file_the_reads_run_inline_on_the_event_loop(file_db: Database) -> None:
    assert file_db.inline_engine is not None
    seen: list[str] = []
    event.listen(file_db.inline_engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    one, few = await file_db.fetch(
        select(THINGS).where(THINGS.c.id == 3),
        select(THINGS.c.name).where(THINGS.c.id < 2).order_by(THINGS.c.id),
    )
    assert [tuple(r) for r in one] == [(3, "thing 3")]
    assert [r.name for r in few] == ["thing 0", "thing 1"]
    assert len(seen) == 2  # both statements went through the stdlib driver, not aiosqlite


async def test_no_transaction_is_left_open_after_a_read(file_db: Database) -> None:
    """An open read transaction would pin the WAL: no checkpoint could ever finish."""
    assert file_db.inline_engine is not None
    await file_db.fetch(select(THINGS), select(THINGS.c.id))
    with file_db.inline_engine.connect() as conn:
        assert conn.connection.driver_connection.in_transaction is False  # type: ignore[union-attr]


async def test_nothing_is_written_from_the_event_loop(file_db: Database) -> None:
    with pytest.raises(OperationalError, match="readonly"):
        await file_db.fetch(insert(THINGS).values(id=99, name="sneaked in"))
    (rows,) = await file_db.fetch(select(THINGS).where(THINGS.c.id == 99))
    assert list(rows) == []


async def test_a_locked_file_is_waited_for_off_the_event_loop(tmp_path: Path) -> None:
    """A reader that meets a lock gives way to the async engine: the loop keeps running."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'things.db'}"
    await (await _filled(url)).dispose()
    # Another process's connection holds the file whole (exclusive locking mode, in a write).
    holder = sqlite3.connect(tmp_path / "things.db", isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE things SET name = 'renamed' WHERE id = 1")
    db = Database(url)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    try:
        reading = asyncio.create_task(db.fetch(select(THINGS.c.name).where(THINGS.c.id == 1)))
        await asyncio.sleep(0.3)
        assert not reading.done()
        holder.execute("COMMIT")
        holder.execute("PRAGMA locking_mode = NORMAL")
        holder.execute("SELECT 1 FROM things").fetchall()  # the lock goes at the next access
        holder.close()
        (rows,) = await asyncio.wait_for(reading, 15)
        assert [r.name for r in rows] == ["renamed"]
        assert ticks >= 10  # the event loop ran while the read waited
    finally:
        ticker.cancel()
        await db.dispose()


async def test_in_memory_the_one_connection_serves_fetch_too() -> None:
    db = await _filled("sqlite+aiosqlite:///:memory:")
    try:
        assert db.inline_engine is None
        (rows,) = await db.fetch(select(THINGS.c.id).order_by(THINGS.c.id.desc()).limit(1))
        assert [r.id for r in rows] == [4]
    finally:
        await db.dispose()


@pytest.mark.postgres
async def test_on_postgresql_reads_are_autocommit_and_survive_a_dropped_connection(
    postgres_database: str,
) -> None:
    db = await _filled(postgres_database)
    try:
        (first,) = await db.fetch(
            select(THINGS.c.name).where(THINGS.c.id == 2),
        )
        assert [r.name for r in first] == ["thing 2"]
        async with db.fetch_engine.connect() as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            raw = await conn.get_raw_connection()
            # Autocommit: no BEGIN went before the query, no ROLLBACK will follow it.
            assert raw.driver_connection.is_in_transaction() is False
        # The server drops the pooled connection (a restart, an idle timeout): the next read
        # meets a dead connection, and is repeated on a fresh one.
        dsn = make_url(postgres_database).set(drivername="postgresql")
        admin = await asyncpg.connect(dsn.render_as_string(hide_password=False))
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        (again,) = await db.fetch(select(THINGS.c.name).where(THINGS.c.id == 2))
        assert [r.name for r in again] == ["thing 2"]
    finally:
        async with db.write_engine.begin() as conn:
            await conn.run_sync(METADATA.drop_all)
        await db.dispose()


def _niceness_by_thread() -> dict[int, int]:
    found = {}
    for task in Path("/proc/self/task").iterdir():
        stat = (task / "stat").read_text()
        found[int(task.name)] = int(stat[stat.rindex(")") + 2 :].split()[16])  # field 19
    return found


async def test_the_threads_that_may_scan_give_way_to_the_event_loop(file_db: Database) -> None:
    """A search runs in a read pool thread at a lower priority than the loop's own thread."""
    import threading

    async with file_db.reading() as session:
        await session.execute(select(THINGS))
    niceness = _niceness_by_thread()
    assert niceness[threading.get_native_id()] == 0  # the event loop's thread is untouched
    assert 10 in niceness.values()

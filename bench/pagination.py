"""Pagination at scale: does a page of orders cost the same at 100,000 orders as at 1,000?

Fills two order databases by bulk insert (executemany), one with 1,000 orders and one with
100,000, each behind the real order app in-process (httpx over ASGITransport: routing,
validation, the database and JSON are in the figure, the network is not), and times the first
page, a page deep in the list by cursor, a get-by-id, a page filtered by status and a page
filtered by customer. Requests to the two alternate, so a busy machine weighs on both alike;
each figure is a median of many runs, and the ratio 100k/1k should stay near 1. Then it prints
the plans of the statements the app really ran, to show the index each one uses.

    uv run python bench/pagination.py                      # SQLite file, and PostgreSQL when
    ORDERFLOW_TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/pagination.py --runs 300       # that variable names a server
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from chassis import Database, encode_cursor
from order_service.domain import OrderStatus
from order_service.main import create_app
from order_service.models import Order, OrderItem
from order_service.settings import OrderSettings
from orderflow_testing import PostgresServer, TestIssuer, state_per_request
from sqlalchemy import event, insert, select

CUSTOMERS = 40  # each has >= 20 orders at 1,000, so every filtered page is a full page
ITEMS_PER_ORDER = 3
CHUNK = 5_000
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
PAGE = 20
STATUSES = list(OrderStatus)
# A shop's real mix: most orders delivered, few pending. Rare statuses are where a filter
# without its own index would have to scan; every status still fills a page at 1,000 orders.
STATUS_MIX = (
    [OrderStatus.PENDING, OrderStatus.CONFIRMED]
    + [OrderStatus.SHIPPED, OrderStatus.CANCELLED] * 2
    + [OrderStatus.DELIVERED] * 14
)


@dataclass
class Dataset:
    size: int = 0
    customer_ids: list[str] = field(
        default_factory=lambda: [str(uuid.UUID(int=i + 1)) for i in range(CUSTOMERS)]
    )


async def fill(db: Database, data: Dataset, size: int) -> float:
    """Bulk-insert orders ``data.size .. size-1`` (executemany in chunks); seconds taken."""
    start = time.perf_counter()
    rng = random.Random(size)
    async with db.write_engine.begin() as conn:
        for low in range(data.size, size, CHUNK):
            orders, items = [], []
            for n in range(low, min(low + CHUNK, size)):
                order_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                created = EPOCH + timedelta(milliseconds=n)
                orders.append(
                    {
                        "id": order_id,
                        "customer_id": data.customer_ids[n % CUSTOMERS],
                        "status": STATUS_MIX[n % len(STATUS_MIX)],
                        "total_cents": ITEMS_PER_ORDER * 500,
                        "currency": "USD",
                        "notes": f"bench order {n}",
                        "version": 1,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                items += [
                    {
                        "order_id": order_id,
                        "position": p,
                        "sku": f"SKU-{p}",
                        "name": f"Item {p}",
                        "quantity": 1,
                        "unit_price_cents": 500,
                    }
                    for p in range(ITEMS_PER_ORDER)
                ]
            # Multi-row statements: the order figures' statement triggers on PostgreSQL then
            # run once per statement, not once per order.
            for part in range(0, len(orders), 2_000):
                await conn.execute(insert(Order).values(orders[part : part + 2_000]))
            await conn.execute(insert(OrderItem), items)
    await settle(db)
    data.size = size
    return time.perf_counter() - start


async def settle(db: Database) -> None:
    """Leave the database as a long-running one would be: statistics gathered, the bulk load
    checkpointed out of SQLite's WAL, PostgreSQL's visibility map set (no autovacuum mid-run)."""
    if db.is_sqlite:
        # A plain connection: the app's engines wrap every statement in a transaction.
        def analyze_and_checkpoint() -> None:
            conn = sqlite3.connect(str(db.url.database), isolation_level=None)
            try:
                conn.execute("ANALYZE")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()

        await asyncio.to_thread(analyze_and_checkpoint)
    else:
        async with db.write_engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("VACUUM ANALYZE")


async def sample_ids(db: Database, count: int) -> list[str]:
    async with db.reading() as session:
        every = (await session.scalars(select(Order.id))).all()
    return list(every[:: max(1, len(every) // count)][:count])


async def deep_cursors(db: Database, count: int) -> list[str]:
    """Cursors pointing into the older half of the list, spread over it."""
    async with db.reading() as session:
        stmt = select(Order.created_at, Order.id).order_by(Order.created_at.desc(), Order.id.desc())
        rows = (await session.execute(stmt)).all()
    half = rows[len(rows) // 2 :]
    step = max(1, len(half) // count)
    return [encode_cursor(created_at, order_id) for created_at, order_id in half[::step][:count]]


Query = Callable[[], Awaitable[httpx.Response]]


async def timed(query: Query) -> float:
    start = time.perf_counter()
    response = await query()
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.text
    return elapsed


async def compare_ms(small: Query, large: Query, runs: int) -> tuple[float, float]:
    """Medians of ``small`` and ``large``, run in alternation so that whatever else the machine
    does at the time weighs on both alike."""
    for _ in range(max(5, runs // 10)):  # warm caches and pools
        await small()
        await large()
    small_times, large_times = [], []
    for run in range(runs):
        if run % 2:
            small_times.append(await timed(small))
            large_times.append(await timed(large))
        else:
            large_times.append(await timed(large))
            small_times.append(await timed(small))
    return statistics.median(small_times) * 1000, statistics.median(large_times) * 1000


def queries(
    client: httpx.AsyncClient, ids: list[str], cursors: list[str], data: Dataset
) -> dict[str, Query]:
    id_cycle, cursor_cycle = itertools.cycle(ids), itertools.cycle(cursors)
    customer_cycle = itertools.cycle(random.Random(7).sample(data.customer_ids, CUSTOMERS))
    status_cycle = itertools.cycle(STATUSES)
    return {
        "first page": lambda: client.get("/orders", params={"limit": PAGE}),
        "deep page (cursor)": lambda: client.get(
            "/orders", params={"limit": PAGE, "cursor": next(cursor_cycle)}
        ),
        "get by id": lambda: client.get(f"/orders/{next(id_cycle)}"),
        "status page": lambda: client.get(
            "/orders", params={"limit": PAGE, "status": next(status_cycle)}
        ),
        "customer page": lambda: client.get(
            "/orders", params={"limit": PAGE, "customer_id": next(customer_cycle)}
        ),
        "stats (kept totals)": lambda: client.get("/orders/stats"),
    }


async def plans(client: httpx.AsyncClient, db: Database, data: Dataset) -> list[str]:
    """The plan of every statement the app runs for one request of each kind."""
    captured: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        captured.append((statement, parameters))

    engine = db.read_engine.sync_engine
    ids, cursors = await sample_ids(db, 1), await deep_cursors(db, 1)
    lines: list[str] = []
    explain = "EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN "
    for name, query in queries(client, ids, cursors, data).items():
        captured.clear()
        event.listen(engine, "before_cursor_execute", capture)
        await query()
        event.remove(engine, "before_cursor_execute", capture)
        lines.append(f"-- {name}")
        async with db.read_engine.connect() as conn:
            for statement, parameters in captured:
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                lines.append("   " + " ".join(statement.split())[:110] + " ...")
                result = await conn.exec_driver_sql(explain + statement, parameters)
                for row in result.all():
                    lines.append(("     " + str(row[-1]))[:110])
    return lines


@asynccontextmanager
async def order_app(url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Database]]:
    """The real order app, started (migrations included), and a client reaching it in-process,
    signed in as staff (one token: after the first request its check is a cache look-up)."""
    with TestIssuer() as issuer:
        settings = OrderSettings(
            database_url=url, access_log=False, log_level="WARNING", **issuer.settings()
        )
        app = create_app(settings)
        async with LifespanManager(state_per_request(app), startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://order", headers=issuer.headers("staff")
            ) as client:
                yield client, app.state.db


async def bench_backend(
    label: str, urls: tuple[str, str], sizes: tuple[int, int], runs: int
) -> None:
    async with order_app(urls[0]) as (small, small_db), order_app(urls[1]) as (large, large_db):
        sets, data = [], Dataset()
        for size, client, db in ((sizes[0], small, small_db), (sizes[1], large, large_db)):
            data = Dataset()
            seconds = await fill(db, data, size)
            print(f"[{label}] {size:,} orders bulk-inserted in {seconds:.1f}s", flush=True)
            ids, cursors = await sample_ids(db, 200), await deep_cursors(db, 200)
            sets.append(queries(client, ids, cursors, data))
        results = {name: await compare_ms(sets[0][name], sets[1][name], runs) for name in sets[0]}
        plan_lines = await plans(large, large_db, data)

    print(f"\n### {label}: median ms per request, {runs} alternating runs each\n")
    print(f"| request | {sizes[0]:,} orders | {sizes[1]:,} orders | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for name, (small_ms, large_ms) in results.items():
        print(f"| {name} | {small_ms:.2f} | {large_ms:.2f} | {large_ms / small_ms:.2f} |")
    print(f"\n{label} plans at {sizes[1]:,} orders:\n```")
    print("\n".join(plan_lines))
    print("```", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1_000, 100_000])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    args = parser.parse_args()
    sizes = (args.sizes[0], args.sizes[1])
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"load average {os.getloadavg()[0]:.1f} at start"
    )

    if args.backend in ("sqlite", "all"):
        with tempfile.TemporaryDirectory() as tmp:
            urls = (
                f"sqlite+aiosqlite:///{Path(tmp) / 'small.db'}",
                f"sqlite+aiosqlite:///{Path(tmp) / 'large.db'}",
            )
            await bench_backend("SQLite file", urls, sizes, args.runs)

    admin_url = os.environ.get("ORDERFLOW_TEST_POSTGRES_URL")
    if args.backend in ("postgres", "all") and admin_url:
        server = PostgresServer(admin_url)
        try:
            urls = (
                await asyncio.to_thread(server.create_database, "orderflow_bench_small"),
                await asyncio.to_thread(server.create_database, "orderflow_bench_large"),
            )
            await bench_backend("PostgreSQL", urls, sizes, args.runs)
        finally:
            await asyncio.to_thread(server.drop_all)
    elif args.backend == "postgres":
        raise SystemExit("set ORDERFLOW_TEST_POSTGRES_URL to benchmark PostgreSQL")


if __name__ == "__main__":
    asyncio.run(main())

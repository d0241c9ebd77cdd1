"""``python -m bench.scale``: search and the dashboard as the data grows.

    uv run python -m bench.scale            # the full run (make bench-scale), ~10 min loaded
    uv run python -m bench.scale --smoke    # seconds: proves it runs (make bench-smoke)

Two customer databases, 1,000 and 100,000 customers, and two order databases, 1,000 and
1,000,000 orders, each made by the services' own migrations and filled by bulk inserts through
their own tables (orders without items: the figures never read them). Each sits behind the
real app in-process (httpx over ASGITransport: routing, validation, the database and JSON are
in the figure, the network is not). Requests to the small and the big one alternate, so the
machine's other load weighs on both alike; each figure is a median, and the ratio big/small is
what the targets speak of (search and dashboard within 1.5x). On a SQLite file, and on
PostgreSQL too when ORDERFLOW_TEST_POSTGRES_URL names a server (not in the smoke run).

Searches: the 8 characters of one customer's email that only it has (one hit at both sizes),
a text every customer has ("example.com", a full page at once), and two characters nobody has
(no trigram: the scan, read to the end). The dashboard: ``GET /orders/stats``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from chassis import Database
from orderflow_testing import PostgresServer, TestIssuer, postgres_admin_url, state_per_request
from sqlalchemy import insert

from . import data

# Rows per INSERT statement: one multi-row statement each (within 32,766 parameters), as a real
# bulk load does, so PostgreSQL's statement triggers run once per chunk, not once per order.
CHUNK = 2_000
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
STATUSES = ["DELIVERED"] * 12 + ["SHIPPED", "CONFIRMED", "PENDING", "PENDING", "CANCELLED"]


@dataclass(frozen=True)
class Sizes:
    customers: tuple[int, int]
    orders: tuple[int, int]
    runs: int


FULL = Sizes(customers=(1_000, 100_000), orders=(1_000, 1_000_000), runs=200)
SMOKE = Sizes(customers=(100, 2_000), orders=(100, 5_000), runs=10)

Query = Callable[[], Awaitable[httpx.Response]]


def load_orders(url: str, count: int) -> float:
    """Bulk-insert ``count`` orders, in chunks, in one transaction; seconds taken."""
    from order_service.models import Order

    def rows() -> Iterator[dict[str, Any]]:
        rng = random.Random(count)
        for n in range(count):
            at = EPOCH + timedelta(seconds=n)
            yield {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "customer_id": str(uuid.UUID(int=n % 500 + 1)),
                "status": STATUSES[n % len(STATUSES)],
                "total_cents": 100 + n % 9_900,
                "currency": "USD",
                "notes": None,
                "version": 1,
                "created_at": at,
                "updated_at": at,
            }

    async def insert_all() -> None:
        db = Database(url)
        try:
            async with db.write_engine.begin() as conn:
                chunk: list[dict[str, Any]] = []
                for row in rows():
                    chunk.append(row)
                    if len(chunk) == CHUNK:
                        await conn.execute(insert(Order.__table__).values(chunk))
                        chunk = []
                if chunk:
                    await conn.execute(insert(Order.__table__).values(chunk))
        finally:
            await db.dispose()

    start = time.perf_counter()
    asyncio.run(insert_all())
    return time.perf_counter() - start


def settle(url: str) -> None:
    """Statistics gathered and the bulk load out of SQLite's WAL, as on a database in use."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
        try:
            conn.execute("ANALYZE")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        return

    async def vacuum() -> None:
        db = Database(url)
        try:
            async with db.write_engine.connect() as conn:
                autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.exec_driver_sql("VACUUM ANALYZE")
        finally:
            await db.dispose()

    asyncio.run(vacuum())


@asynccontextmanager
async def served(service: str, url: str, issuer: TestIssuer) -> AsyncIterator[httpx.AsyncClient]:
    """The service's real app on ``url``, in-process, and a staff client of it."""
    if service == "customer":
        from customer_service.main import create_app as create_customer_app
        from customer_service.settings import CustomerSettings

        app = create_customer_app(
            CustomerSettings(
                database_url=url, access_log=False, log_level="WARNING", **issuer.settings()
            )
        )
    else:
        from order_service.main import create_app as create_order_app
        from order_service.settings import OrderSettings

        app = create_order_app(
            OrderSettings(
                database_url=url, access_log=False, log_level="WARNING", **issuer.settings()
            )
        )
    async with LifespanManager(state_per_request(app), startup_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", headers=issuer.headers("staff")
        ) as client:
            yield client


async def timed(query: Query) -> tuple[float, Any]:
    start = time.perf_counter()
    response = await query()
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.text
    return elapsed, response.json()


async def compare(small: Query, big: Query, runs: int) -> dict[str, Any]:
    """Medians of ``small`` and ``big`` in ms, run in alternation, and big/small."""
    for _ in range(max(3, runs // 20)):
        await small()
        await big()
    times: dict[str, list[float]] = {"small": [], "big": []}
    answers: dict[str, Any] = {}
    for run in range(runs):
        order = (("small", small), ("big", big)) if run % 2 else (("big", big), ("small", small))
        for name, query in order:
            elapsed, answers[name] = await timed(query)
            times[name].append(elapsed)
    small_ms = statistics.median(times["small"]) * 1000
    big_ms = statistics.median(times["big"]) * 1000
    return {
        "small_ms": round(small_ms, 3),
        "big_ms": round(big_ms, 3),
        "ratio": round(big_ms / small_ms, 2),
        "answers": answers,
    }


def searches(one_email_piece: str) -> dict[str, dict[str, str]]:
    return {
        "one customer (8 characters of its email)": {"q": one_email_piece},
        'every customer ("example.com")': {"q": "example.com"},
        'two characters nobody has ("zz")': {"q": "zz"},
    }


async def measure(
    backend: str, urls: dict[str, tuple[str, str]], piece: str, sizes: Sizes, issuer: TestIssuer
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    async with AsyncExitStack() as stack:
        small_c, big_c = [
            await stack.enter_async_context(served("customer", url, issuer))
            for url in urls["customer"]
        ]
        for name, params in searches(piece).items():
            result = compare(
                lambda p=params: small_c.get("/customers", params={**p, "limit": 20}),
                lambda p=params: big_c.get("/customers", params={**p, "limit": 20}),
                sizes.runs,
            )
            rows.append({"backend": backend, "request": f"search: {name}", **await result})
        small_o, big_o = [
            await stack.enter_async_context(served("order", url, issuer)) for url in urls["order"]
        ]
        result = compare(
            lambda: small_o.get("/orders/stats"), lambda: big_o.get("/orders/stats"), sizes.runs
        )
        rows.append({"backend": backend, "request": "dashboard: GET /orders/stats", **await result})
    return rows


def check(rows: list[dict[str, Any]], sizes: Sizes) -> list[str]:
    """What the smoke run asserts: the bench measured what it says it did."""
    problems = []
    for row in rows:
        small, big = row["answers"]["small"], row["answers"]["big"]
        if row["request"].startswith("search: one"):
            if not (len(small["items"]) == len(big["items"]) == 1):
                problems.append(f"{row['backend']} {row['request']}: not one hit at each size")
        elif row["request"].startswith("dashboard") and (
            (small["total"], big["total"]) != sizes.orders
        ):
            problems.append(f"{row['backend']} dashboard: totals {small['total']}, {big['total']}")
    return problems


def table(rows: list[dict[str, Any]], sizes: Sizes) -> str:
    (cs, cb), (os_, ob) = sizes.customers, sizes.orders
    lines = [
        "| backend | request | small (ms) | big (ms) | big / small |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['backend']} | {row['request']} | {row['small_ms']} | {row['big_ms']} "
            f"| {row['ratio']} |"
        )
    lines.append(
        f"\nsmall/big: {cs:,}/{cb:,} customers for searches, {os_:,}/{ob:,} orders for the "
        "dashboard; medians of alternating requests, in-process."
    )
    return "\n".join(lines)


def prepare(
    workdir: Path, backend: str, sizes: Sizes, server: PostgresServer | None
) -> tuple[dict[str, tuple[str, str]], str, dict[str, float]]:
    urls: dict[str, list[str]] = {"customer": [], "order": []}
    load_s: dict[str, float] = {}
    piece = ""
    for service, counts in (("customer", sizes.customers), ("order", sizes.orders)):
        for count in counts:
            if server is None:
                url = f"sqlite+aiosqlite:///{workdir / f'{service}-{count}.db'}"
            else:
                url = server.create_database("orderflow_bench")
            data.migrate(service, url)
            start = time.perf_counter()
            if service == "customer":
                ids = data.load_customers(url, count)
                piece = ids[sizes.customers[0] // 2][:8]  # in both: same seed, same first ids
                load_s[f"{count} customers"] = round(time.perf_counter() - start, 1)
            else:
                load_s[f"{count} orders"] = round(load_orders(url, count), 1)
            settle(url)
            urls[service].append(url)
    print(f"{backend}: loaded in seconds {load_s}", flush=True)
    return {k: (v[0], v[1]) for k, v in urls.items()}, piece, load_s


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="a few seconds, tiny data")
    parser.add_argument("--runs", type=int, help="requests of each kind at each size")
    parser.add_argument(
        "--backend", choices=["sqlite", "postgresql"], action="append", help="only this one"
    )
    args = parser.parse_args()
    sizes = SMOKE if args.smoke else FULL
    if args.runs:
        sizes = Sizes(sizes.customers, sizes.orders, args.runs)
    backends = ["sqlite"]
    admin_url = postgres_admin_url()
    if admin_url and not args.smoke:
        backends.append("postgresql")
    if args.backend:
        backends = [b for b in backends if b in args.backend]
    rows: list[dict[str, Any]] = []
    with TestIssuer() as issuer, tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for backend in backends:
            server = PostgresServer(admin_url) if backend == "postgresql" and admin_url else None
            try:
                urls, piece, _ = prepare(Path(tmp), backend, sizes, server)
                measured = asyncio.run(measure(backend, urls, piece, sizes, issuer))
                print(table(measured, sizes), flush=True)  # each backend as soon as it is done
                rows += measured
            finally:
                if server is not None:
                    server.drop_all()
    load = os.getloadavg()[0]
    print(f"\nload average (1 min) at the end: {load:.2f} on {os.cpu_count()} CPUs")
    problems = check(rows, sizes)
    if problems:
        raise SystemExit("bench.scale: " + "; ".join(problems))


if __name__ == "__main__":
    main()

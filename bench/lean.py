"""The lean references of the data-path benchmark: the same reads, done the least costly way.

A FastAPI app with pydantic response models and no middleware (no auth, logs, metrics or
problem handlers), reading the services' own database files with the stdlib ``sqlite3``
module inline on the event loop, one connection per database; or, with ``LEAN_PG_DSN``,
PostgreSQL through one asyncpg pool. Each answers with the same row shape as the service:

    GET /customers/{id}        one customer
    GET /orders/{id}           one order with its items (allowed_transitions as for staff)
    GET /orders?limit=20       the newest page of orders with their items, and its cursor

It is not a service (no access rules, no errors worth the name); ``bench.datapath`` measures
the real services beside it to tell the cost of their data path from the cost of the stack.

    LEAN_PORT=9100 LEAN_CUSTOMER_DB=customer.db LEAN_ORDER_DB=order.db python -m bench.lean
    LEAN_PORT=9101 LEAN_PG_DSN=postgresql://postgres@127.0.0.1/db python -m bench.lean
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import uvicorn
from chassis.pagination import encode_cursor
from fastapi import FastAPI, HTTPException
from order_service.domain import OrderStatus, caller_transitions
from pydantic import BaseModel

CUSTOMER_COLUMNS = "id, name, email, created_by, created_at, updated_at"
ORDER_COLUMNS = (
    "id, customer_id, status, total_cents, currency, notes, version, created_by, "
    "created_at, updated_at"
)
ITEM_COLUMNS = "order_id, sku, name, quantity, unit_price_cents"


class CustomerRead(BaseModel):
    id: str
    name: str
    email: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class OrderItemRead(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_price_cents: int


class OrderRead(BaseModel):
    id: str
    customer_id: str
    status: OrderStatus
    items: list[OrderItemRead]
    total_cents: int
    currency: str
    notes: str | None
    version: int
    allowed_transitions: list[OrderStatus]
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class OrderPage(BaseModel):
    items: list[OrderRead]
    next_cursor: str | None


def _utc(value: Any) -> datetime:
    """SQLite holds ``YYYY-MM-DD HH:MM:SS.ffffff`` (UTC); asyncpg gives an aware datetime."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _customer(row: Any) -> CustomerRead:
    return CustomerRead(
        id=row[0],
        name=row[1],
        email=row[2],
        created_by=row[3],
        created_at=_utc(row[4]),
        updated_at=_utc(row[5]),
    )


def _order(row: Any, items: list[Any]) -> OrderRead:
    status = OrderStatus(row[2])
    allowed = caller_transitions(status, staff=True)
    return OrderRead(
        id=row[0],
        customer_id=row[1],
        status=status,
        items=[
            OrderItemRead(sku=i[1], name=i[2], quantity=i[3], unit_price_cents=i[4]) for i in items
        ],
        total_cents=row[3],
        currency=row[4],
        notes=row[5],
        version=row[6],
        allowed_transitions=[s for s in OrderStatus if s in allowed],
        created_by=row[7],
        created_at=_utc(row[8]),
        updated_at=_utc(row[9]),
    )


def sqlite_app(customer_db: str, order_db: str) -> FastAPI:
    def connect(path: str) -> sqlite3.Connection:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 10000")
        return conn

    customers = connect(customer_db)
    orders = connect(order_db)
    app = FastAPI()

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/customers/{customer_id}", response_model=CustomerRead)
    async def get_customer(customer_id: str) -> CustomerRead:
        row = customers.execute(
            f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = ?", (customer_id,)
        ).fetchone()
        if row is None:
            raise HTTPException(404)
        return _customer(row)

    @app.get("/orders/{order_id}", response_model=OrderRead)
    async def get_order(order_id: str) -> OrderRead:
        row = orders.execute(f"SELECT {ORDER_COLUMNS} FROM orders WHERE id = ?", (order_id,))
        found = row.fetchone()
        if found is None:
            raise HTTPException(404)
        items = orders.execute(
            f"SELECT {ITEM_COLUMNS} FROM order_items WHERE order_id = ? ORDER BY position",
            (order_id,),
        ).fetchall()
        return _order(found, items)

    @app.get("/orders", response_model=OrderPage)
    async def list_orders(limit: int = 20) -> OrderPage:
        rows = orders.execute(
            f"SELECT {ORDER_COLUMNS} FROM orders ORDER BY created_at DESC, id DESC LIMIT ?",
            (limit + 1,),
        ).fetchall()
        page = rows[:limit]
        by_order: dict[str, list[Any]] = {r[0]: [] for r in page}
        if page:
            marks = ",".join("?" * len(page))
            for item in orders.execute(
                f"SELECT {ITEM_COLUMNS} FROM order_items WHERE order_id IN ({marks}) "
                "ORDER BY order_id, position",
                list(by_order),
            ):
                by_order[item[0]].append(item)
        last = page[-1] if page else None
        cursor = encode_cursor(_utc(last[8]), last[0]) if last and len(rows) > limit else None
        return OrderPage(items=[_order(r, by_order[r[0]]) for r in page], next_cursor=cursor)

    return app


def postgres_app(dsn: str) -> FastAPI:
    import asyncpg

    pool: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool["pg"] = await asyncpg.create_pool(dsn, min_size=1, max_size=10)
        try:
            yield
        finally:
            await pool["pg"].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/customers/{customer_id}", response_model=CustomerRead)
    async def get_customer(customer_id: str) -> CustomerRead:
        row = await pool["pg"].fetchrow(
            f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1", customer_id
        )
        if row is None:
            raise HTTPException(404)
        return _customer(row)

    return app


def main() -> None:
    dsn = os.environ.get("LEAN_PG_DSN")
    app = (
        postgres_app(dsn)
        if dsn
        else sqlite_app(os.environ["LEAN_CUSTOMER_DB"], os.environ["LEAN_ORDER_DB"])
    )
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["LEAN_PORT"]),
        log_level="warning",
        access_log=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()

"""Queries on the order tables; the caller owns the session and its transaction.

Short reads are Core statements for ``Database.fetch`` (no session: on a SQLite file they run
inline on the event loop): each is an index look-up or an index range of at most a page.
"""

from collections.abc import Collection
from datetime import datetime
from typing import Any, cast

from chassis import Query, keyset
from sqlalchemy import CursorResult, Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .domain import OrderStatus
from .models import IdempotencyKey, Order, OrderItem, StatusTotal

ORDERS = Order.__table__


async def get(session: AsyncSession, *, order_id: str) -> Order | None:
    return await session.get(Order, order_id, populate_existing=True)


_BY_ID = select(ORDERS).where(Order.id == bindparam("order_id"))
_ITEMS_OF = (
    select(
        OrderItem.order_id,
        OrderItem.sku,
        OrderItem.name,
        OrderItem.quantity,
        OrderItem.unit_price_cents,
    )
    .where(OrderItem.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(OrderItem.order_id, OrderItem.position)
)


def by_id(order_id: str) -> Query:
    """One order's row by primary key (its items: :func:`items_of`)."""
    return _BY_ID, {"order_id": order_id}


def items_of(order_ids: Collection[str]) -> Query:
    """The items of these orders, by the primary key's range, each order's in position order."""
    return _ITEMS_OF, {"order_ids": list(order_ids)}


def page(
    *, status: OrderStatus | None, customer_id: str | None, cursor: str | None, limit: int
) -> Select[Any]:
    """Order rows newest first; one more than ``limit`` when another page follows. Every
    filter has an index that ends in ``(created_at, id)``: a page is one index range."""
    stmt = select(ORDERS)
    if status is not None:
        stmt = stmt.where(Order.status == status)
    if customer_id is not None:
        stmt = stmt.where(Order.customer_id == customer_id)
    return keyset(stmt, created_at=Order.created_at, id_=Order.id, cursor=cursor, limit=limit)


def add(session: AsyncSession, *, order: Order) -> None:
    session.add(order)


async def update_status(
    session: AsyncSession,
    *,
    order_id: str,
    from_version: int,
    status: OrderStatus,
    updated_at: datetime,
) -> bool:
    """Compare-and-set: change the order only if it is still at ``from_version``."""
    stmt = (
        update(Order)
        .where(Order.id == order_id, Order.version == from_version)
        .values(status=status, version=from_version + 1, updated_at=updated_at)
        .execution_options(synchronize_session="evaluate")
    )
    result = cast(CursorResult[tuple[()]], await session.execute(stmt))
    return result.rowcount == 1


async def get_idempotency_key(
    session: AsyncSession, *, caller: str, key: str
) -> IdempotencyKey | None:
    return await session.get(IdempotencyKey, (caller, key), populate_existing=True)


def add_idempotency_key(session: AsyncSession, *, idempotency_key: IdempotencyKey) -> None:
    session.add(idempotency_key)


async def count_by_status(session: AsyncSession) -> dict[OrderStatus, tuple[int, int]]:
    """``{status: (orders, sum of total_cents)}``, read from the totals the database keeps with
    every write (a few rows, however many orders there are)."""
    rows = await session.execute(
        select(StatusTotal.status, StatusTotal.orders, StatusTotal.total_cents)
    )
    return {status: (int(count), int(total)) for status, count, total in rows}


async def recount_by_status(session: AsyncSession) -> dict[OrderStatus, tuple[int, int]]:
    """The same figures counted from every order: what the kept totals always equal."""
    stmt = select(Order.status, func.count(), func.coalesce(func.sum(Order.total_cents), 0))
    rows = await session.execute(stmt.group_by(Order.status))
    return {status: (int(count), int(total)) for status, count, total in rows}

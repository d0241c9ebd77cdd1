"""Queries on the order tables; the caller owns the session and its transaction."""

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from chassis import keyset
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .domain import OrderStatus
from .models import IdempotencyKey, Order, StatusTotal


async def get(session: AsyncSession, *, order_id: str) -> Order | None:
    return await session.get(Order, order_id, populate_existing=True)


async def get_all(
    session: AsyncSession,
    *,
    status: OrderStatus | None,
    customer_id: str | None,
    cursor: str | None,
    limit: int,
) -> Sequence[Order]:
    """Newest first; one row more than ``limit`` when another page follows."""
    stmt = select(Order)
    if status is not None:
        stmt = stmt.where(Order.status == status)
    if customer_id is not None:
        stmt = stmt.where(Order.customer_id == customer_id)
    stmt = keyset(stmt, created_at=Order.created_at, id_=Order.id, cursor=cursor, limit=limit)
    return (await session.scalars(stmt)).all()


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

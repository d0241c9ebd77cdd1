"""Queries on the customer tables; the caller owns the session and its transaction."""

from collections.abc import Sequence

from chassis import keyset
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Customer


async def get(session: AsyncSession, *, customer_id: str) -> Customer | None:
    return await session.get(Customer, customer_id)


async def get_many(session: AsyncSession, *, ids: Sequence[str]) -> Sequence[Customer]:
    if not ids:
        return []
    return (await session.scalars(select(Customer).where(Customer.id.in_(set(ids))))).all()


def _like_escaped(text: str) -> str:
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def get_all(
    session: AsyncSession, *, q: str | None, cursor: str | None, limit: int
) -> Sequence[Customer]:
    """Newest first; one row more than ``limit`` when another page follows."""
    stmt = select(Customer)
    if q:
        pattern = _like_escaped(q)
        stmt = stmt.where(
            or_(
                func.lower(Customer.name).like(pattern, escape="\\"),
                func.lower(Customer.email).like(pattern, escape="\\"),
            )
        )
    stmt = keyset(stmt, created_at=Customer.created_at, id_=Customer.id, cursor=cursor, limit=limit)
    return (await session.scalars(stmt)).all()


async def count(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count()).select_from(Customer))) or 0

"""Queries on the identity tables; the caller owns the session and its transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Client, RefreshToken, User


async def get_user(session: AsyncSession, *, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def get_user_by_email(session: AsyncSession, *, email: str) -> User | None:
    stmt = select(User).where(func.lower(User.email) == email.lower())
    return (await session.scalars(stmt)).first()


async def get_client(session: AsyncSession, *, client_id: str) -> Client | None:
    return await session.get(Client, client_id)


async def get_refresh_token(session: AsyncSession, *, token_hash: str) -> RefreshToken | None:
    stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash)
    return (await session.scalars(stmt)).first()


async def claim_for_rotation(session: AsyncSession, *, token_id: str, now: datetime) -> bool:
    """Mark the token rotated unless someone did first; True if this call did.

    One conditional UPDATE: of two refreshes racing with one token, exactly one wins, on
    PostgreSQL (the loser's UPDATE re-reads the row after the winner commits) as on SQLite
    (writers take turns)."""
    result = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.id == token_id,
            RefreshToken.rotated_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(rotated_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


async def revoke_family(session: AsyncSession, *, family_id: str, now: datetime) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )

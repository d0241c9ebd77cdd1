"""Queries on the customer tables; the caller owns the session and its transaction.

Short reads are Core statements for ``Database.fetch`` (no session: on a SQLite file they run
inline on the event loop); anything that may scan stays on a session of ``Database.reading``.
"""

from collections.abc import Sequence

from chassis import Query, keyset
from sqlalchemy import ColumnElement, Select, bindparam, func, literal_column, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Customer

CUSTOMERS = Customer.__table__
_BY_ID = select(CUSTOMERS).where(CUSTOMERS.c.id == bindparam("customer_id"))


def by_id(customer_id: str) -> Query:
    """One customer by primary key, as a row of every column."""
    return _BY_ID, {"customer_id": customer_id}


async def get(session: AsyncSession, *, customer_id: str) -> Customer | None:
    return await session.get(Customer, customer_id)


async def get_many(session: AsyncSession, *, ids: Sequence[str]) -> Sequence[Customer]:
    if not ids:
        return []
    return (await session.scalars(select(Customer).where(Customer.id.in_(set(ids))))).all()


# SQLite's search index finds the rows that contain a text of three characters or more (it
# indexes every three-character sequence). Beyond this many hits a text is common enough that
# walking the newest customers finds a page sooner than sorting every hit.
TRIGRAM = 3
MAX_INDEX_HITS = 2_000


def _like_escaped(value: str) -> str:
    return "%" + value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matches(q: str) -> ColumnElement[bool]:
    """What a search means: ``q`` within the name or the email, whatever the case."""
    pattern = _like_escaped(q)
    return or_(
        func.lower(Customer.name).like(pattern, escape="\\"),
        func.lower(Customer.email).like(pattern, escape="\\"),
    )


async def get_all(
    session: AsyncSession, *, q: str | None, cursor: str | None, limit: int
) -> Sequence[Customer]:
    """Newest first; one row more than ``limit`` when another page follows.

    ``q`` is always judged by :func:`matches`; an index only narrows the rows it looks at (on
    PostgreSQL the planner uses the trigram indexes on the same expressions by itself)."""
    stmt = select(Customer)
    if q:
        stmt = stmt.where(matches(q))
        if session.get_bind().dialect.name == "sqlite":
            stmt = await _narrowed_by_search_index(session, stmt, q)
    stmt = keyset(stmt, created_at=Customer.created_at, id_=Customer.id, cursor=cursor, limit=limit)
    return (await session.scalars(stmt)).all()


async def _narrowed_by_search_index(
    session: AsyncSession, stmt: Select[Customer], q: str
) -> Select[Customer]:
    """Only the rows the FTS5 index says may contain ``q``: every match is among them (the
    index folds case at least as far as ``lower()`` does), and :func:`matches` still decides.
    A text too short for trigrams, or with too many hits, is left to the scan."""
    needle = q.lower()
    if len(needle) < TRIGRAM:
        return stmt
    phrase = '"' + needle.replace('"', '""') + '"'  # one FTS5 string: the text, literally
    hits = (
        await session.scalars(
            text("SELECT rowid FROM customer_search WHERE customer_search MATCH :phrase LIMIT :n"),
            {"phrase": phrase, "n": MAX_INDEX_HITS + 1},
        )
    ).all()
    if len(hits) > MAX_INDEX_HITS:
        return stmt
    return stmt.where(literal_column("customers.rowid").in_(hits))


async def count(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count()).select_from(Customer))) or 0

"""Customer use cases: each one transaction, domain errors out."""

import uuid
from collections.abc import Sequence

from chassis import Database, page_of, utcnow
from sqlalchemy.exc import IntegrityError

from . import repository
from .domain import CustomerNotFoundError, EmailTakenError
from .models import Customer
from .schemas import CustomerCreate, CustomerUpdate


async def get(db: Database, *, customer_id: str) -> Customer:
    async with db.reading() as session:
        customer = await repository.get(session, customer_id=customer_id)
    if customer is None:
        raise CustomerNotFoundError(customer_id)
    return customer


async def get_all(
    db: Database, *, q: str | None, cursor: str | None, limit: int
) -> tuple[list[Customer], str | None]:
    async with db.reading() as session:
        rows = await repository.get_all(session, q=q, cursor=cursor, limit=limit)
    return page_of(rows, limit=limit, key=lambda c: (c.created_at, c.id))


async def get_many(db: Database, *, ids: Sequence[str]) -> Sequence[Customer]:
    async with db.reading() as session:
        return await repository.get_many(session, ids=ids)


async def count(db: Database) -> int:
    async with db.reading() as session:
        return await repository.count(session)


async def create(db: Database, *, customer_in: CustomerCreate) -> Customer:
    now = utcnow()
    customer = Customer(
        id=str(uuid.uuid4()),
        name=customer_in.name,
        email=customer_in.email,
        created_at=now,
        updated_at=now,
    )
    try:
        async with db.writing() as session:
            session.add(customer)
    except IntegrityError as exc:
        # The unique index on lower(email) decides, even between two racing creates.
        raise EmailTakenError(customer_in.email) from exc
    return customer


async def update(db: Database, *, customer_id: str, customer_in: CustomerUpdate) -> Customer:
    changes = customer_in.model_dump(exclude_unset=True)
    try:
        async with db.writing() as session:
            customer = await repository.get(session, customer_id=customer_id)
            if customer is None:
                raise CustomerNotFoundError(customer_id)
            if changes:
                for field, value in changes.items():
                    setattr(customer, field, value)
                customer.updated_at = utcnow()
    except IntegrityError as exc:
        raise EmailTakenError(changes["email"]) from exc
    return customer

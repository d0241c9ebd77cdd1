"""Customer use cases: each one transaction, domain errors out."""

import uuid
from collections.abc import Sequence

from chassis import Database, Principal, page_of, utcnow
from sqlalchemy.exc import IntegrityError

from . import repository
from .domain import AccessDeniedError, CustomerNotFoundError, EmailTakenError, may_read
from .models import Customer
from .schemas import CustomerCreate, CustomerRead, CustomerUpdate


async def get(db: Database, *, caller: Principal, customer_id: str) -> CustomerRead:
    if not _may_read(caller, customer_id):
        raise CustomerNotFoundError(customer_id)  # never says that someone else's exists
    (rows,) = await db.fetch(repository.by_id(customer_id))
    if not rows:
        raise CustomerNotFoundError(customer_id)
    return CustomerRead.model_validate(rows[0])


async def get_all(
    db: Database, *, caller: Principal, q: str | None, cursor: str | None, limit: int
) -> tuple[list[Customer], str | None]:
    _check_staff(caller, "list or search customers")
    async with db.reading() as session:
        rows = await repository.get_all(session, q=q, cursor=cursor, limit=limit)
    return page_of(rows, limit=limit, key=lambda c: (c.created_at, c.id))


async def get_many(db: Database, *, caller: Principal, ids: Sequence[str]) -> Sequence[Customer]:
    """The customers among ``ids`` that exist and that the caller may see."""
    if not caller.is_staff:
        ids = [i for i in ids if _may_read(caller, i)]
    async with db.reading() as session:
        return await repository.get_many(session, ids=ids)


async def count(db: Database, *, caller: Principal) -> int:
    _check_staff(caller, "count customers")
    async with db.reading() as session:
        return await repository.count(session)


async def create(db: Database, *, caller: Principal, customer_in: CustomerCreate) -> Customer:
    _check_staff(caller, "create customers")
    now = utcnow()
    customer = Customer(
        id=str(uuid.uuid4()),
        name=customer_in.name,
        email=customer_in.email,
        created_by=caller.sub,
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


async def update(
    db: Database, *, caller: Principal, customer_id: str, customer_in: CustomerUpdate
) -> Customer:
    if not _may_read(caller, customer_id):
        raise CustomerNotFoundError(customer_id)
    _check_staff(caller, "change customers")  # a customer reads its own record, never edits it
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


def _may_read(caller: Principal, customer_id: str) -> bool:
    return may_read(customer_id, staff=caller.is_staff, own_customer_id=caller.customer_id)


def _check_staff(caller: Principal, action: str) -> None:
    if not caller.is_staff:
        raise AccessDeniedError(f"Only staff may {action}.")

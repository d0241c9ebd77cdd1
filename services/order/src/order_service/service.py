"""Order use cases: each one transaction, domain errors out."""

import uuid
from collections.abc import Sequence, Set
from typing import Any

from chassis import Database, Principal, page_of, spans, utcnow
from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError

from . import repository
from .customers import CustomerDirectory
from .domain import (
    AccessDeniedError,
    IdempotencyKeyReusedError,
    LineItem,
    OrderNotFoundError,
    OrderStatus,
    VersionMismatchError,
    check_caller_transition,
    may_see,
    order_total,
    request_fingerprint,
)
from .models import IdempotencyKey, Order, OrderItem
from .schemas import OrderCreate, OrderRead, OrderStats

# Every lost compare-and-set means another update won, and the lifecycle allows at most three
# changes of one order; so a few attempts always end in success or a refusal.
MAX_UPDATE_ATTEMPTS = len(OrderStatus)


async def get(db: Database, *, caller: Principal, order_id: str) -> OrderRead:
    """The order with its items, read in one snapshot (``allowed_transitions`` left empty)."""
    rows, items = await db.fetch(repository.by_id(order_id), repository.items_of([order_id]))
    if not rows or not _may_see(caller, rows[0].customer_id):
        raise OrderNotFoundError(order_id)  # never says that someone else's exists
    return _order_read(rows[0], items)


async def get_all(
    db: Database,
    *,
    caller: Principal,
    status: OrderStatus | None,
    customer_id: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[OrderRead], str | None]:
    """A page of the orders the caller may see: a customer's filter is always its own id, so
    asking for another customer's orders answers an empty page."""
    if not caller.is_staff:
        if caller.customer_id is None or customer_id not in (None, caller.customer_id):
            return [], None
        customer_id = caller.customer_id
    (rows,) = await db.fetch(
        repository.page(status=status, customer_id=customer_id, cursor=cursor, limit=limit)
    )
    orders, next_cursor = page_of(rows, limit=limit, key=lambda o: (o.created_at, o.id))
    items: dict[str, list[Row[Any]]] = {order.id: [] for order in orders}
    if orders:
        # The items never change once written with their order: a second read agrees.
        (item_rows,) = await db.fetch(repository.items_of(list(items)))
        for item in item_rows:
            items[item.order_id].append(item)
    return [_order_read(order, items[order.id]) for order in orders], next_cursor


def _order_read(row: Row[Any], items: Sequence[Row[Any]]) -> OrderRead:
    return OrderRead.model_validate({**row._mapping, "items": items})


async def create(
    db: Database,
    *,
    caller: Principal,
    customers: CustomerDirectory,
    order_in: OrderCreate,
    currency: str,
    idempotency_key: str | None = None,
) -> tuple[Order, bool]:
    """Create a PENDING order; returns ``(order, replayed)``.

    With an ``idempotency_key`` already stored for the same body, the stored order is returned
    and nothing is created; for another body, :class:`IdempotencyKeyReusedError`. The key is
    written in the order's transaction, and its primary key settles races between repeats.
    Keys are the caller's own: another caller's identical key is another order.
    """
    customer_id = str(order_in.customer_id)
    if not may_see(customer_id, staff=caller.is_staff, own_customer_id=caller.customer_id):
        raise AccessDeniedError("A customer may place orders only for itself.")
    fingerprint = request_fingerprint(order_in.model_dump(mode="json"))
    if idempotency_key is not None:
        earlier = await _replay(db, caller=caller.sub, key=idempotency_key, fingerprint=fingerprint)
        if earlier is not None:
            return earlier, True

    # Asked before the transaction opens: no write lock is held while we wait on the network.
    # The caller's own token goes along: the customer service decides what it may see.
    await customers.ensure_exists(customer_id, authorization=caller.authorization)

    order = _new_order(order_in, currency=currency, created_by=caller.sub)
    try:
        async with db.writing() as session:
            repository.add(session, order=order)
            if idempotency_key is not None:
                await session.flush()  # the order exists before the key that refers to it
                repository.add_idempotency_key(
                    session,
                    idempotency_key=IdempotencyKey(
                        caller=caller.sub,
                        key=idempotency_key,
                        fingerprint=fingerprint,
                        order_id=order.id,
                        created_at=order.created_at,
                    ),
                )
    except IntegrityError:
        if idempotency_key is None:
            raise
        # A concurrent repeat stored the key first: ours was rolled back, theirs stands.
        earlier = await _replay(db, caller=caller.sub, key=idempotency_key, fingerprint=fingerprint)
        if earlier is None:
            raise
        return earlier, True
    return order, False


def _new_order(order_in: OrderCreate, *, currency: str, created_by: str) -> Order:
    lines = [LineItem(**item.model_dump()) for item in order_in.items]
    now = utcnow()
    return Order(
        id=str(uuid.uuid4()),
        customer_id=str(order_in.customer_id),
        status=OrderStatus.PENDING,
        items=[
            OrderItem(
                position=position,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price_cents=line.unit_price_cents,
            )
            for position, line in enumerate(lines)
        ],
        total_cents=order_total(lines),
        currency=currency,
        notes=order_in.notes,
        version=1,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )


async def _replay(db: Database, *, caller: str, key: str, fingerprint: str) -> Order | None:
    """The order an earlier request of this caller with this key created, if any."""
    attributes = {"orderflow.idempotency_key": key}
    with spans.span("idempotency key lookup", attributes=attributes) as span:
        async with db.reading() as session:
            stored = await repository.get_idempotency_key(session, caller=caller, key=key)
            if stored is None:
                return None
            if stored.fingerprint != fingerprint:
                raise IdempotencyKeyReusedError()
            order = await repository.get(session, order_id=stored.order_id)
        if order is None:  # the key's foreign key cascades: only a race with a purge gets here
            return None
        span.event("idempotent_replay", order_id=order.id)
        return order


async def update_status(
    db: Database,
    *,
    caller: Principal,
    order_id: str,
    status: OrderStatus,
    if_match: Set[int] | None = None,
) -> Order:
    """Move the order to ``status`` if the lifecycle allows it.

    ``if_match``: the versions the client may change (from ``If-Match``); another current
    version is a :class:`VersionMismatchError`. Without it the change still never overwrites a
    concurrent one: it is a compare-and-set on the version read, retried on the new state.
    """
    seen_version = 0
    for _ in range(MAX_UPDATE_ATTEMPTS):
        async with db.writing() as session:
            order = await repository.get(session, order_id=order_id)
            if order is None or not _may_see(caller, order.customer_id):
                raise OrderNotFoundError(order_id)
            if if_match is not None and order.version not in if_match:
                raise VersionMismatchError(order.version)
            check_caller_transition(order.status, status, staff=caller.is_staff)
            seen_version = order.version
            if await repository.update_status(
                session,
                order_id=order_id,
                from_version=order.version,
                status=status,
                updated_at=utcnow(),
            ):
                return order
    # Unreachable while the argument above holds; a refusal beats looping if it ever breaks.
    raise VersionMismatchError(seen_version + 1)


async def stats(db: Database, *, caller: Principal, currency: str) -> OrderStats:
    """Counts by status and revenue (in ``currency``, the deployment's), from the totals the
    database keeps with every write (staff)."""
    if not caller.is_staff:
        raise AccessDeniedError("Only staff may see the order figures.")
    async with db.reading() as session:
        by_status = await repository.count_by_status(session)
    counts = {status: by_status.get(status, (0, 0))[0] for status in OrderStatus}
    revenue = sum(
        total for status, (_, total) in by_status.items() if status != OrderStatus.CANCELLED
    )
    return OrderStats(
        total=sum(counts.values()), by_status=counts, revenue_cents=revenue, currency=currency
    )


def _may_see(caller: Principal, customer_id: str) -> bool:
    return may_see(customer_id, staff=caller.is_staff, own_customer_id=caller.customer_id)

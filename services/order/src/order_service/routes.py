"""The order service's HTTP API: thin, typed, documented."""

import uuid
from typing import Annotated

from chassis import DEFAULT_LIMIT, CursorQuery, DatabaseDep, LimitQuery, Page, problem_responses
from fastapi import APIRouter, Path, Query, Response, status

from . import service as order_service
from .deps import CustomersDep, IdempotencyKeyHeader, IfMatchDep, SettingsDep
from .domain import OrderStatus
from .models import Order
from .schemas import OrderCreate, OrderRead, OrderStats, OrderStatusUpdate

router = APIRouter(prefix="/orders", tags=["orders"])
OrderId = Annotated[uuid.UUID, Path(description="The order's id")]
REPLAYED_HEADER = "Idempotent-Replayed"


def _read(order: Order, response: Response) -> OrderRead:
    response.headers["ETag"] = f'"{order.version}"'
    return OrderRead.model_validate(order)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderRead,
    responses=problem_responses(422, 503),
)
async def create_order(
    order_in: OrderCreate,
    db: DatabaseDep,
    customers: CustomersDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> OrderRead:
    """Create a PENDING order for an existing customer; the total is computed here.

    With an ``Idempotency-Key`` a repeat of the same body returns the first order (again 201,
    with ``Idempotent-Replayed: true``) and creates nothing; the same key with another body is
    a 422. 503 when the customer service cannot confirm the customer: nothing is written.
    """
    order, replayed = await order_service.create(
        db,
        customers=customers,
        order_in=order_in,
        currency=settings.currency,
        idempotency_key=idempotency_key,
    )
    response.headers["Location"] = f"/orders/{order.id}"
    if replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return _read(order, response)


@router.get("", response_model=Page[OrderRead], responses=problem_responses(422))
async def list_orders(
    db: DatabaseDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    status: Annotated[OrderStatus | None, Query(description="Only orders in this status")] = None,
    customer_id: Annotated[uuid.UUID | None, Query(description="Only this customer's")] = None,
) -> Page[OrderRead]:
    """A page of orders, newest first, optionally of one status and/or one customer."""
    items, next_cursor = await order_service.get_all(
        db,
        status=status,
        customer_id=str(customer_id) if customer_id else None,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[OrderRead.model_validate(o) for o in items], next_cursor=next_cursor)


@router.get("/stats", response_model=OrderStats)
async def get_order_stats(db: DatabaseDep) -> OrderStats:
    """Orders by status (all five, zero included) and revenue, counted by the database."""
    return await order_service.stats(db)


@router.get("/{order_id}", response_model=OrderRead, responses=problem_responses(404, 422))
async def get_order(order_id: OrderId, db: DatabaseDep, response: Response) -> OrderRead:
    """One order; its ``ETag`` is the version to send back in ``If-Match``."""
    order = await order_service.get(db, order_id=str(order_id))
    return _read(order, response)


@router.patch(
    "/{order_id}",
    response_model=OrderRead,
    responses=problem_responses(404, 409, 412, 422),
)
async def update_order_status(
    order_id: OrderId,
    update: OrderStatusUpdate,
    db: DatabaseDep,
    if_match: IfMatchDep,
    response: Response,
) -> OrderRead:
    """Move the order along its lifecycle.

    ``If-Match: "<version>"`` makes the change conditional: 412 if the order has changed since
    (the current ETag is returned). 409 if the lifecycle forbids the move. Without ``If-Match``
    the change is still applied atomically on the version it was checked against.
    """
    order = await order_service.update_status(
        db, order_id=str(order_id), status=update.status, if_match=if_match
    )
    return _read(order, response)

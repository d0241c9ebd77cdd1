"""The order service's HTTP API: thin, typed, documented."""

import uuid
from typing import Annotated

from chassis import (
    DEFAULT_LIMIT,
    CallerDep,
    CursorQuery,
    DatabaseDep,
    LimitQuery,
    Page,
    Principal,
    problem_responses,
    require_roles,
)
from chassis.access import AUTH_RESPONSES
from chassis.auth import ROLES
from fastapi import APIRouter, Depends, Path, Query, Response, status

from . import service as order_service
from .deps import CustomersDep, IdempotencyKeyHeader, IfMatchDep, SettingsDep
from .domain import OrderStatus, caller_transitions
from .models import Order
from .schemas import OrderConfig, OrderCreate, OrderRead, OrderStats, OrderStatusUpdate

# Every route needs a caller with an OrderFlow role; each use case decides the rest.
router = APIRouter(
    prefix="/orders",
    tags=["orders"],
    dependencies=[Depends(require_roles(*ROLES))],
    responses=AUTH_RESPONSES,
)
OrderId = Annotated[uuid.UUID, Path(description="The order's id")]
REPLAYED_HEADER = "Idempotent-Replayed"


def _view(order: Order | OrderRead, caller: Principal) -> OrderRead:
    """The order as this caller sees it: ``allowed_transitions`` are the moves it may make."""
    view = order if isinstance(order, OrderRead) else OrderRead.model_validate(order)
    allowed = caller_transitions(view.status, staff=caller.is_staff)
    view.allowed_transitions = [s for s in OrderStatus if s in allowed]
    return view


def _read(order: Order | OrderRead, caller: Principal, response: Response) -> OrderRead:
    response.headers["ETag"] = f'"{order.version}"'
    return _view(order, caller)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderRead,
    responses=problem_responses(422, 503),
)
async def create_order(
    order_in: OrderCreate,
    db: DatabaseDep,
    caller: CallerDep,
    customers: CustomersDep,
    settings: SettingsDep,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> OrderRead:
    """Create a PENDING order for an existing customer; the total is computed here. A
    customer may order only for itself (403 otherwise, nothing written).

    With an ``Idempotency-Key`` a repeat of the same body returns the first order (again 201,
    with ``Idempotent-Replayed: true``) and creates nothing; the same key with another body is
    a 422; keys are per caller. 503 when the customer service cannot confirm the customer:
    nothing is written.
    """
    order, replayed = await order_service.create(
        db,
        caller=caller,
        customers=customers,
        order_in=order_in,
        currency=settings.currency,
        idempotency_key=idempotency_key,
    )
    response.headers["Location"] = f"/orders/{order.id}"
    if replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return _read(order, caller, response)


@router.get("", response_model=Page[OrderRead], responses=problem_responses(422))
async def list_orders(
    db: DatabaseDep,
    caller: CallerDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    status: Annotated[OrderStatus | None, Query(description="Only orders in this status")] = None,
    customer_id: Annotated[uuid.UUID | None, Query(description="Only this customer's")] = None,
) -> Page[OrderRead]:
    """A page of orders, newest first, optionally of one status and/or one customer. A
    customer sees only its own: filtering by another customer answers an empty page."""
    items, next_cursor = await order_service.get_all(
        db,
        caller=caller,
        status=status,
        customer_id=str(customer_id) if customer_id else None,
        cursor=cursor,
        limit=limit,
    )
    return Page(items=[_view(o, caller) for o in items], next_cursor=next_cursor)


@router.get("/stats", response_model=OrderStats)
async def get_order_stats(db: DatabaseDep, caller: CallerDep, settings: SettingsDep) -> OrderStats:
    """Orders by status (all five, zero included) and revenue with its currency, counted by
    the database (staff)."""
    return await order_service.stats(db, caller=caller, currency=settings.currency)


@router.get("/config", response_model=OrderConfig)
async def get_order_config(settings: SettingsDep) -> OrderConfig:
    """What any caller needs before placing an order: the currency it will be priced in."""
    return OrderConfig(currency=settings.currency)


@router.get("/{order_id}", response_model=OrderRead, responses=problem_responses(404, 422))
async def get_order(
    order_id: OrderId, db: DatabaseDep, caller: CallerDep, response: Response
) -> OrderRead:
    """One order; its ``ETag`` is the version to send back in ``If-Match``. A customer may
    read only its own (404 for any other)."""
    order = await order_service.get(db, caller=caller, order_id=str(order_id))
    return _read(order, caller, response)


@router.patch(
    "/{order_id}",
    response_model=OrderRead,
    responses=problem_responses(404, 409, 412, 422),
)
async def update_order_status(
    order_id: OrderId,
    update: OrderStatusUpdate,
    db: DatabaseDep,
    caller: CallerDep,
    if_match: IfMatchDep,
    response: Response,
) -> OrderRead:
    """Move the order along its lifecycle.

    ``If-Match: "<version>"`` makes the change conditional: 412 if the order has changed since
    (the current ETag is returned). 409 if the lifecycle forbids the move. Without ``If-Match``
    the change is still applied atomically on the version it was checked against. A customer
    may only cancel its own PENDING order: another move the lifecycle allows is a 403.
    """
    order = await order_service.update_status(
        db, caller=caller, order_id=str(order_id), status=update.status, if_match=if_match
    )
    return _read(order, caller, response)

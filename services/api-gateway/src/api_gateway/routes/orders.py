"""/api/orders: the order service's answers with each order's customer filled in."""

from __future__ import annotations

import uuid
from typing import Annotated

from chassis import DEFAULT_LIMIT, CursorQuery, LimitQuery
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status

from ..auth import AUTH_RESPONSES, require_caller
from ..body import RawBody
from ..clients import CustomerClient
from ..composition import compose_order, compose_page
from ..deps import UpstreamsDep, body_headers, errors, query_string
from ..openapi import json_body
from ..proxy import composed, forward
from ..schemas import OrderCreate, OrderDetail, OrderPage, OrderStatus, OrderStatusUpdate
from ..upstream import UpstreamResponse

router = APIRouter(
    prefix="/api/orders",
    tags=["orders"],
    dependencies=[Depends(require_caller)],
    responses=AUTH_RESPONSES,
)
OrderId = Annotated[uuid.UUID, Path(description="The order's id")]


async def _with_customer(customers: CustomerClient, response: UpstreamResponse) -> Response:
    if response.status >= 300:
        return forward(response)
    return composed(response, await compose_order(customers, response.json()))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderDetail,
    responses=errors(400, 413, 422),
    openapi_extra=json_body(OrderCreate),
)
async def create_order(
    body: RawBody,
    request: Request,
    upstreams: UpstreamsDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            description="1..255 printable ASCII characters, unique per intended order. A repeat "
            "with the same key and body returns the first order (`Idempotent-Replayed: true`) "
            "and creates nothing; the same key with another body is a 422",
        ),
    ] = None,
) -> Response:
    """Place an order (``PENDING``); 422 if the customer does not exist, 503 if the customer
    service cannot be reached to check (nothing is written then). A customer may order only
    for itself (403); idempotency keys are the caller's own."""
    headers = body_headers(request, "Idempotency-Key")
    response = await upstreams.orders.create(body=body, headers=headers)
    return await _with_customer(upstreams.customers, response)


@router.get("", response_model=OrderPage, responses=errors(422))
async def list_orders(
    request: Request,
    upstreams: UpstreamsDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    status: Annotated[OrderStatus | None, Query(description="Only orders in this status")] = None,
    customer_id: Annotated[uuid.UUID | None, Query(description="Only this customer's")] = None,
) -> Response:
    """A page of orders, newest first, each with its customer (one look-up for the page). A
    customer sees only its own orders: a ``customer_id`` of another gives an empty page."""
    response = await upstreams.orders.get_all(query=query_string(request))
    if response.status != 200:
        return forward(response)
    return composed(response, await compose_page(upstreams.customers, response.json()))


@router.get("/{order_id}", response_model=OrderDetail, responses=errors(404, 422))
async def get_order(order_id: OrderId, upstreams: UpstreamsDep) -> Response:
    """One order with its customer; ``ETag`` carries its version for a later ``If-Match``. A
    customer may read only its own (404 for any other)."""
    response = await upstreams.orders.get(order_id=str(order_id))
    return await _with_customer(upstreams.customers, response)


@router.patch(
    "/{order_id}",
    response_model=OrderDetail,
    responses=errors(400, 404, 409, 412, 413, 422),
    openapi_extra=json_body(OrderStatusUpdate),
)
async def update_order_status(
    order_id: OrderId,
    body: RawBody,
    request: Request,
    upstreams: UpstreamsDep,
    if_match: Annotated[
        str | None,
        Header(description='The version you saw, as the ETag gave it: "3"; 412 if stale'),
    ] = None,
) -> Response:
    """Move an order along its lifecycle; 409 if the lifecycle forbids the step, 403 if it
    allows it but not to this caller (a customer may only cancel its own PENDING order)."""
    headers = body_headers(request, "If-Match")
    response = await upstreams.orders.update(order_id=str(order_id), body=body, headers=headers)
    return await _with_customer(upstreams.customers, response)

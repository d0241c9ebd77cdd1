"""/api/customers: passed through to the customer service byte for byte, but for the
customer's orders, which need both services."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from chassis import DEFAULT_LIMIT, CursorQuery, LimitQuery, Text
from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from ..auth import AUTH_RESPONSES, require_caller, require_staff
from ..body import RawBody
from ..client import gather_settled
from ..composition import CUSTOMER, attach
from ..deps import UpstreamsDep, body_headers, errors, query_string
from ..openapi import json_body
from ..proxy import composed, forward
from ..schemas import Customer, CustomerCreate, CustomerPage, CustomerUpdate, OrderPage
from ..upstream import UpstreamError, UpstreamResponse

router = APIRouter(
    prefix="/api/customers",
    tags=["customers"],
    dependencies=[Depends(require_caller)],
    responses=AUTH_RESPONSES,
)
CustomerId = Annotated[uuid.UUID, Path(description="The customer's id")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=Customer,
    responses=errors(400, 409, 413, 422),
    openapi_extra=json_body(CustomerCreate),
)
async def create_customer(body: RawBody, request: Request, upstreams: UpstreamsDep) -> Response:
    """Create a customer (admin, staff); 409 if the email is taken, whatever its case."""
    return forward(await upstreams.customers.create(body=body, headers=body_headers(request)))


@router.get(
    "", response_model=CustomerPage, responses=errors(422), dependencies=[Depends(require_staff)]
)
async def list_customers(
    request: Request,
    upstreams: UpstreamsDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    q: Annotated[
        Text | None, Query(max_length=200, description="Part of the name or email, any case")
    ] = None,
) -> Response:
    """A page of customers, newest first, optionally matching ``q``; admin and staff only."""
    return forward(await upstreams.customers.get_all(query=query_string(request)))


@router.get("/{customer_id}", response_model=Customer, responses=errors(404, 422))
async def get_customer(customer_id: CustomerId, upstreams: UpstreamsDep) -> Response:
    """One customer; a customer may read only its own record (404 for any other)."""
    return forward(await upstreams.customers.get(customer_id=str(customer_id)))


@router.patch(
    "/{customer_id}",
    response_model=Customer,
    responses=errors(400, 404, 409, 413, 422),
    openapi_extra=json_body(CustomerUpdate),
)
async def update_customer(
    customer_id: CustomerId, body: RawBody, request: Request, upstreams: UpstreamsDep
) -> Response:
    """Change a customer's name or email (admin, staff)."""
    return forward(
        await upstreams.customers.update(
            customer_id=str(customer_id), body=body, headers=body_headers(request)
        )
    )


@router.get("/{customer_id}/orders", response_model=OrderPage, responses=errors(404, 422))
async def list_customer_orders(
    customer_id: CustomerId,
    upstreams: UpstreamsDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Response:
    """A page of this customer's orders, newest first; 404 if there is no such customer.

    Both services are asked at once. If the customer service is down the orders still come,
    with ``customer: null`` and ``unavailable: ["customer"]``.
    """
    params: dict[str, Any] = {"customer_id": str(customer_id), "limit": limit}
    if cursor is not None:
        params["cursor"] = cursor
    customer, orders = await gather_settled(
        upstreams.customers.get(customer_id=str(customer_id)),
        upstreams.orders.get_all(query=urlencode(params)),
    )
    if isinstance(orders, UpstreamError):
        raise orders
    assert isinstance(orders, UpstreamResponse)
    unavailable: list[str] = []
    summary: dict[str, Any] | None = None
    if isinstance(customer, UpstreamError):
        unavailable.append(CUSTOMER)
    elif customer.status != 200:
        return forward(customer)
    else:
        found = customer.json()
        summary = {"id": found["id"], "name": found["name"], "email": found["email"]}
    if orders.status != 200:
        return forward(orders)
    page = orders.json()
    attach(page["items"], {str(customer_id): summary} if summary else {})
    page["unavailable"] = unavailable
    return composed(orders, page)

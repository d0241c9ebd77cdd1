"""The customer service's HTTP API: thin, typed, documented."""

import uuid
from typing import Annotated

from chassis import (
    DEFAULT_LIMIT,
    CallerDep,
    CursorQuery,
    DatabaseDep,
    LimitQuery,
    Page,
    Text,
    problem_responses,
    require_roles,
)
from chassis.access import AUTH_RESPONSES
from chassis.auth import ROLES
from fastapi import APIRouter, Depends, Path, Query, Response, status

from . import service as customer_service
from .schemas import (
    CustomerBatch,
    CustomerBatchRequest,
    CustomerCreate,
    CustomerRead,
    CustomerStats,
    CustomerSummary,
    CustomerUpdate,
)

# Every route needs a caller with an OrderFlow role; each use case decides the rest.
router = APIRouter(
    prefix="/customers",
    tags=["customers"],
    dependencies=[Depends(require_roles(*ROLES))],
    responses=AUTH_RESPONSES,
)
CustomerId = Annotated[uuid.UUID, Path(description="The customer's id")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CustomerRead,
    responses=problem_responses(409, 422),
)
async def create_customer(
    customer_in: CustomerCreate, db: DatabaseDep, caller: CallerDep, response: Response
) -> CustomerRead:
    """Create a customer (staff); the email must not be taken, whatever its case."""
    customer = await customer_service.create(db, caller=caller, customer_in=customer_in)
    response.headers["Location"] = f"/customers/{customer.id}"
    return CustomerRead.model_validate(customer)


@router.get("", response_model=Page[CustomerRead], responses=problem_responses(422))
async def list_customers(
    db: DatabaseDep,
    caller: CallerDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    q: Annotated[
        Text | None, Query(max_length=200, description="Part of the name or email, any case")
    ] = None,
) -> Page[CustomerRead]:
    """A page of customers, newest first, optionally matching ``q`` (staff)."""
    items, next_cursor = await customer_service.get_all(
        db, caller=caller, q=q, cursor=cursor, limit=limit
    )
    return Page(items=[CustomerRead.model_validate(c) for c in items], next_cursor=next_cursor)


@router.post("/batch", response_model=CustomerBatch, responses=problem_responses(422))
async def get_customers_batch(
    request: CustomerBatchRequest, db: DatabaseDep, caller: CallerDep
) -> CustomerBatch:
    """Summaries of up to 100 customers in one query; ids unknown, or not the caller's to
    see, are left out."""
    customers = await customer_service.get_many(db, caller=caller, ids=request.ids)
    return CustomerBatch(items=[CustomerSummary.model_validate(c) for c in customers])


@router.get("/stats", response_model=CustomerStats)
async def get_customer_stats(db: DatabaseDep, caller: CallerDep) -> CustomerStats:
    """How many customers there are, counted by the database (staff)."""
    return CustomerStats(total=await customer_service.count(db, caller=caller))


@router.get("/{customer_id}", response_model=CustomerRead, responses=problem_responses(404, 422))
async def get_customer(customer_id: CustomerId, db: DatabaseDep, caller: CallerDep) -> CustomerRead:
    """One customer; a customer may read only its own (404 for any other)."""
    return await customer_service.get(db, caller=caller, customer_id=str(customer_id))


@router.patch(
    "/{customer_id}", response_model=CustomerRead, responses=problem_responses(404, 409, 422)
)
async def update_customer(
    customer_id: CustomerId, customer_in: CustomerUpdate, db: DatabaseDep, caller: CallerDep
) -> CustomerRead:
    """Change a customer's name or email (staff)."""
    customer = await customer_service.update(
        db, caller=caller, customer_id=str(customer_id), customer_in=customer_in
    )
    return CustomerRead.model_validate(customer)

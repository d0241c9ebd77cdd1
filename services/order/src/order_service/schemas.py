"""The order service's API models."""

import uuid
from datetime import datetime
from typing import Annotated

from chassis import NoNul
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .domain import OrderStatus

MAX_ITEMS = 100
MAX_QUANTITY = 1000
MAX_UNIT_PRICE_CENTS = 100_000_000

Sku = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    NoNul,
    Field(examples=["SKU-1042"]),
]
ItemName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    NoNul,
    Field(examples=["Espresso beans, 1 kg"]),
]
Notes = Annotated[str, StringConstraints(max_length=2000), NoNul]


class OrderItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Sku
    name: ItemName
    quantity: int = Field(ge=1, le=MAX_QUANTITY, strict=True, examples=[2])
    unit_price_cents: int = Field(
        ge=0, le=MAX_UNIT_PRICE_CENTS, strict=True, description="Integer minor units"
    )


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: uuid.UUID
    items: list[OrderItemIn] = Field(min_length=1, max_length=MAX_ITEMS)
    notes: Notes | None = None


class OrderStatusUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: OrderStatus


class OrderItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sku: str
    name: str
    quantity: int
    unit_price_cents: int


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    customer_id: str
    status: OrderStatus
    items: list[OrderItemRead]
    total_cents: int = Field(description="Sum of quantity * unit_price_cents, computed here")
    currency: str
    notes: str | None
    version: int = Field(description="Bumped by every change; sent as the ETag")
    allowed_transitions: list[OrderStatus] = Field(
        default_factory=list,
        description="The statuses the caller may move this order to now, in lifecycle order",
    )
    created_by: str | None = Field(
        description="The sub of the caller who placed it (null if made before that was kept)"
    )
    created_at: datetime
    updated_at: datetime


class OrderStats(BaseModel):
    total: int
    by_status: dict[OrderStatus, int] = Field(description="Every status, zero included")
    revenue_cents: int = Field(description="Sum of total_cents of orders not CANCELLED")
    currency: str = Field(description="The currency of revenue_cents, the deployment's")


class OrderConfig(BaseModel):
    """What a client needs before it places an order."""

    currency: str = Field(description="ISO 4217 code new orders are priced in (ORDER_CURRENCY)")

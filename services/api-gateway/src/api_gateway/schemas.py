"""The public API's models: what /docs shows and the frontend's types are generated from.

The gateway does not validate request bodies against these: the owning service does, and its
422 passes through. They document the contract; the services' tests and the gateway's contract
tests keep the two in step.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

Name = Annotated[
    str,
    Field(min_length=1, max_length=200, description="Trimmed", examples=["Ada Lovelace"]),
]
Email = Annotated[
    str,
    Field(
        max_length=320,
        json_schema_extra={"format": "email"},
        description="Stored as given, unique whatever its case",
        examples=["ada@example.com"],
    ),
]


class Input(BaseModel):
    """A request body: unknown members are refused (422)."""

    model_config = ConfigDict(extra="forbid")


class CustomerCreate(Input):
    name: Name
    email: Email


class CustomerUpdate(Input):
    """Only the members present change; neither may be null."""

    name: Name | SkipJsonSchema[None] = None
    email: Email | SkipJsonSchema[None] = None


class CustomerSummary(BaseModel):
    id: str
    name: str
    email: str


CREATED_BY_DESCRIPTION = "The sub of the caller who created it; null if made before that was kept"


class Customer(CustomerSummary):
    created_by: str | None = Field(description=CREATED_BY_DESCRIPTION)
    created_at: datetime
    updated_at: datetime


class CustomerPage(BaseModel):
    """Newest first; pass ``next_cursor`` back as ``cursor`` for the next page."""

    items: list[Customer]
    next_cursor: str | None


class OrderStatus(enum.StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class OrderItem(BaseModel):
    sku: str
    name: str
    quantity: int
    unit_price_cents: int


class OrderItemIn(Input):
    sku: str = Field(min_length=1, max_length=64, examples=["SKU-1042"])
    name: str = Field(min_length=1, max_length=200, examples=["Espresso beans, 1 kg"])
    quantity: int = Field(ge=1, le=1000)
    unit_price_cents: int = Field(ge=0, le=100_000_000, description="Integer minor units")


class OrderCreate(Input):
    customer_id: uuid.UUID
    items: list[OrderItemIn] = Field(min_length=1, max_length=100)
    notes: str | None = Field(default=None, max_length=2000)


class OrderStatusUpdate(Input):
    status: OrderStatus


Upstream = Literal["customer", "order"]
UNAVAILABLE_DESCRIPTION = "Services whose data is missing from this answer; empty when complete."


class Order(BaseModel):
    id: str
    customer_id: str
    customer: CustomerSummary | None = Field(
        description="The customer's summary; null when the customer service could not be asked"
    )
    status: OrderStatus
    items: list[OrderItem]
    total_cents: int
    currency: str
    notes: str | None
    version: int
    allowed_transitions: list[OrderStatus] = Field(
        description="The statuses the caller may move this order to now, in lifecycle order"
    )
    created_by: str | None = Field(description=CREATED_BY_DESCRIPTION)
    created_at: datetime
    updated_at: datetime


class OrderDetail(Order):
    """One order on its own (GET, POST, PATCH): says itself what it is missing."""

    unavailable: list[Upstream] = Field(description=UNAVAILABLE_DESCRIPTION)


class OrderPage(BaseModel):
    """A page of orders with their customers; ``unavailable`` covers the whole page."""

    items: list[Order]
    next_cursor: str | None
    unavailable: list[Upstream] = Field(description=UNAVAILABLE_DESCRIPTION)


class CustomerTotals(BaseModel):
    total: int


class OrderTotals(BaseModel):
    total: int
    by_status: dict[OrderStatus, int]


class TokenRequest(BaseModel):
    """The token request's form fields (RFC 6749); which ones depends on ``grant_type``."""

    grant_type: Literal["password", "refresh_token", "client_credentials"]
    username: str | None = Field(default=None, description="password grant: the user's email")
    password: str | None = Field(default=None, description="password grant")
    refresh_token: str | None = Field(
        default=None,
        description="refresh_token grant; the browser leaves it out and sends its cookie",
    )
    client_id: str | None = Field(
        default=None,
        description="`orderflow-web` for the browser; a client_credentials client's id",
    )
    client_secret: str | None = Field(
        default=None, description="client_credentials, unless sent by HTTP Basic instead"
    )


class TokenResponse(BaseModel):
    """RFC 6749 section 5.1. The browser's refresh token comes as an HttpOnly cookie instead."""

    access_token: str = Field(description="An ES256 JWT for `Authorization: Bearer`")
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds the access token is valid (at most 900)")
    refresh_token: str | None = Field(
        default=None, description="Opaque; spent by its first use, which returns the next one"
    )


class TokenError(BaseModel):
    """RFC 6749 section 5.2."""

    error: Literal["invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type"]
    error_description: str | None = None


class LogoutRequest(BaseModel):
    refresh_token: str | None = Field(default=None, description="Or the browser's cookie")


class Me(BaseModel):
    """The caller, as its access token says."""

    sub: str
    email: str | None
    name: str | None
    roles: list[Literal["admin", "staff", "customer"]]
    customer_id: uuid.UUID | None


class Discovery(BaseModel):
    """OpenID Connect discovery: the issuer, its token endpoint and its keys."""

    model_config = ConfigDict(extra="allow")

    issuer: str
    token_endpoint: str
    jwks_uri: str
    grant_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str]


class Jwk(BaseModel):
    model_config = ConfigDict(extra="allow")

    kty: str
    kid: str
    alg: str | None = None
    use: str | None = None


class Jwks(BaseModel):
    """The issuer's public signing keys (RFC 7517)."""

    keys: list[Jwk]


class ServiceHealth(BaseModel):
    status: Literal["up", "down"]
    latency_ms: float | None
    detail: str | None


class Services(BaseModel):
    customer: ServiceHealth
    order: ServiceHealth
    identity: ServiceHealth


class Dashboard(BaseModel):
    """What the dashboard shows; each part is null when the service that owns it is down."""

    customers: CustomerTotals | None
    orders: OrderTotals | None
    revenue_cents: int | None = Field(description="Sum of total_cents of orders not CANCELLED")
    currency: str | None = Field(description="The currency of revenue_cents (ISO 4217)")
    recent_orders: list[Order] | None = Field(description="The 10 newest orders")
    services: Services
    unavailable: list[Upstream] = Field(description=UNAVAILABLE_DESCRIPTION)


class Config(BaseModel):
    """What a client needs to know about this deployment."""

    currency: str = Field(description="ISO 4217 code new orders are priced in", examples=["USD"])

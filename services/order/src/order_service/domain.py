"""Order rules and errors, free of any framework: the lifecycle, totals and request fingerprints.

Who may do what: admin and staff every order and every move the lifecycle allows; a customer
(its token names its ``customer_id``) sees only its own orders (another's is "not found"),
places orders only for itself, and may only cancel its own ``PENDING`` order.

Errors the service layer raises, each turned into a problem at the edge (``main.PROBLEMS``)::

    AccessDeniedError                403  the caller's role does not allow this
    OrderNotFoundError               404  no order with that id, or not one this caller may see
    InvalidTransitionError           409  the lifecycle forbids the requested status change
    VersionMismatchError             412  If-Match names a version that is no longer current
    CustomerNotFoundError            422  the customer service does not know the customer_id
    IdempotencyKeyReusedError        422  an Idempotency-Key already used with another body
    CustomerServiceUnavailableError  503  the customer service could not say (nothing written)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class OrderStatus(StrEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


_TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


def allowed_transitions(status: OrderStatus) -> frozenset[OrderStatus]:
    """The statuses an order in ``status`` may move to; empty for a final status."""
    return _TRANSITIONS[status]


# What a customer may do to its own order: cancel it while nobody has confirmed it yet.
_CUSTOMER_TRANSITIONS: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.CANCELLED}),
}


def caller_transitions(status: OrderStatus, *, staff: bool) -> frozenset[OrderStatus]:
    """The statuses this caller may move an order in ``status`` to (its own order, for a
    customer): every step of the lifecycle for staff, a customer only a cancel while PENDING."""
    if staff:
        return _TRANSITIONS[status]
    return _CUSTOMER_TRANSITIONS.get(status, frozenset())


def check_caller_transition(current: OrderStatus, new: OrderStatus, *, staff: bool) -> None:
    """409 (:class:`InvalidTransitionError`) when the lifecycle forbids the move for anyone,
    403 (:class:`AccessDeniedError`) when it allows it but not to this caller."""
    permitted = caller_transitions(current, staff=staff)
    if new not in allowed_transitions(current):
        raise InvalidTransitionError(current, new, permitted)
    if new not in permitted:
        raise AccessDeniedError("A customer may only cancel its own order while it is PENDING.")


def may_see(customer_id: str, *, staff: bool, own_customer_id: str | None) -> bool:
    """Staff see every order; a customer only those of the customer its token names."""
    return staff or (own_customer_id is not None and own_customer_id == customer_id)


def is_final(status: OrderStatus) -> bool:
    return not _TRANSITIONS[status]


def check_transition(current: OrderStatus, new: OrderStatus) -> None:
    """Raise :class:`InvalidTransitionError` unless the lifecycle allows ``current → new``."""
    if new not in _TRANSITIONS[current]:
        raise InvalidTransitionError(current, new)


@dataclass(frozen=True, slots=True)
class LineItem:
    sku: str
    name: str
    quantity: int
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


def order_total(items: Iterable[LineItem]) -> int:
    """The order's total in integer minor units; never taken from the client."""
    return sum(item.total_cents for item in items)


def request_fingerprint(payload: Mapping[str, Any]) -> str:
    """A stable hash of a validated request body: same content, same fingerprint, whatever
    the key order or whitespace of the JSON the client sent."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class OrderNotFoundError(Exception):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"No order with id {order_id}.")


class InvalidTransitionError(Exception):
    def __init__(
        self,
        current: OrderStatus,
        new: OrderStatus,
        allowed: Iterable[OrderStatus] | None = None,
    ) -> None:
        self.current = current
        self.allowed = sorted(allowed_transitions(current) if allowed is None else allowed)
        super().__init__(
            f"An order in status {current} cannot move to {new}; "
            f"allowed: {', '.join(self.allowed) or 'none (final status)'}."
        )


class VersionMismatchError(Exception):
    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            f"The order has changed: its current version is {current_version}. "
            "Fetch it again and retry with the new ETag."
        )


class CustomerNotFoundError(Exception):
    def __init__(self, customer_id: str) -> None:
        super().__init__(f"No customer with id {customer_id}.")


class CustomerServiceUnavailableError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The customer service could not confirm the customer ({reason}); "
            "nothing was written. Retry later."
        )


class IdempotencyKeyReusedError(Exception):
    def __init__(self) -> None:
        super().__init__("This Idempotency-Key was already used with a different request body.")


class AccessDeniedError(Exception):
    """The caller may not do this (its role, or not its own order)."""

"""The order rules alone: no database, no HTTP."""

import itertools

import pytest
from order_service.domain import (
    InvalidTransitionError,
    LineItem,
    OrderStatus,
    allowed_transitions,
    check_transition,
    is_final,
    order_total,
    request_fingerprint,
)

P, C, S, D, X = (
    OrderStatus.PENDING,
    OrderStatus.CONFIRMED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.CANCELLED,
)
ALLOWED = {(P, C), (C, S), (S, D), (P, X), (C, X)}


@pytest.mark.parametrize(("current", "new"), list(itertools.product(OrderStatus, repeat=2)))
def test_every_transition_is_allowed_exactly_when_the_lifecycle_says(
    current: OrderStatus, new: OrderStatus
) -> None:
    if (current, new) in ALLOWED:
        check_transition(current, new)
        assert new in allowed_transitions(current)
    else:
        with pytest.raises(InvalidTransitionError):
            check_transition(current, new)
        assert new not in allowed_transitions(current)


def test_allowed_transitions_table() -> None:
    assert allowed_transitions(P) == {C, X}
    assert allowed_transitions(C) == {S, X}
    assert allowed_transitions(S) == {D}
    assert allowed_transitions(D) == frozenset()
    assert allowed_transitions(X) == frozenset()


def test_only_delivered_and_cancelled_are_final() -> None:
    assert {s for s in OrderStatus if is_final(s)} == {D, X}


def test_the_longest_path_has_three_changes() -> None:
    # service.update_status relies on it to bound its compare-and-set retries.
    def longest(status: OrderStatus) -> int:
        return max((1 + longest(n) for n in allowed_transitions(status)), default=0)

    assert max(longest(s) for s in OrderStatus) == 3


def test_invalid_transition_names_what_is_allowed() -> None:
    with pytest.raises(InvalidTransitionError) as caught:
        check_transition(S, X)
    assert caught.value.current is S
    assert caught.value.allowed == ["DELIVERED"]
    assert "SHIPPED" in str(caught.value)


def test_order_total_is_the_sum_of_quantity_times_unit_price() -> None:
    items = [LineItem("A", "a", 3, 199), LineItem("B", "b", 1, 0), LineItem("C", "c", 1000, 7)]
    assert order_total(items) == 3 * 199 + 0 + 7000
    assert order_total([]) == 0


def test_order_total_is_exact_at_the_largest_order() -> None:
    items = [LineItem(f"S{i}", "n", 1000, 100_000_000) for i in range(100)]
    assert order_total(items) == 10_000_000_000_000  # integer cents: no float rounding


def test_fingerprint_ignores_key_order_and_is_a_sha256() -> None:
    a = {"customer_id": "c", "items": [{"sku": "x", "quantity": 1}], "notes": None}
    b = {"notes": None, "items": [{"quantity": 1, "sku": "x"}], "customer_id": "c"}
    assert request_fingerprint(a) == request_fingerprint(b)
    assert len(request_fingerprint(a)) == 64


@pytest.mark.parametrize(
    "changed",
    [
        {"customer_id": "d", "items": [{"sku": "x", "quantity": 1}], "notes": None},
        {"customer_id": "c", "items": [{"sku": "x", "quantity": 2}], "notes": None},
        {"customer_id": "c", "items": [{"sku": "x", "quantity": 1}], "notes": ""},
        {"customer_id": "c", "items": [{"sku": "x", "quantity": 1}] * 2, "notes": None},
    ],
)
def test_fingerprint_changes_with_any_content(changed: dict[str, object]) -> None:
    base = {"customer_id": "c", "items": [{"sku": "x", "quantity": 1}], "notes": None}
    assert request_fingerprint(changed) != request_fingerprint(base)


def test_fingerprint_of_unicode_is_stable() -> None:
    body = {"notes": "Zoë 🧾 日本"}
    assert request_fingerprint(body) == request_fingerprint(dict(body))

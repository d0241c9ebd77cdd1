"""The Lab's fault table: what a fault may be, what each call draws, when it ends."""

from __future__ import annotations

import pytest
from api_gateway.lab.faults import Fault, FaultTable, Injection, UnknownServiceError
from prometheus_client import REGISTRY


def changes(service: str, action: str) -> float:
    value = REGISTRY.get_sample_value(
        "gateway_lab_fault_changes_total", {"upstream": service, "action": action}
    )
    return value or 0.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def table(clock: Clock, *rand: float) -> FaultTable:
    values = iter(rand)
    return FaultTable(
        ["customer", "order"], clock=clock, wall_clock=lambda: 0.0, rand=lambda: next(values)
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"delay_ms": -1},
        {"delay_ms": 30_001},
        {"delay_percent": 100.5},
        {"abort_percent": -1},
        {"abort_status": 404, "abort_percent": 10},
        {"abort_status": 501, "abort_percent": 10},
        {"abort_percent": 50},  # an abort needs a status
        {"ttl_s": 0},
        {"ttl_s": 3601},
    ],
)
def test_a_fault_out_of_bounds_is_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"must|needs"):
        Fault(**fields)  # type: ignore[arg-type]


def test_a_fault_applies_to_its_share_of_calls(clock: Clock) -> None:
    # Each call draws for the delay, then for the abort: 0.3 < 50 %, 0.7 >= 50 %.
    faults = table(clock, 0.3, 0.7, 0.7, 0.3, 0.7, 0.7)
    faults.put(
        "customer", Fault(delay_ms=200, delay_percent=50, abort_status=503, abort_percent=50)
    )

    assert faults.draw("customer") == Injection(delay_s=0.2, abort_status=None)
    assert faults.draw("customer") == Injection(delay_s=0.0, abort_status=503)
    assert faults.draw("customer") is None
    assert faults.draw("order") is None, "a fault is in front of one upstream only"


def test_zero_and_a_hundred_percent_are_never_and_always(clock: Clock) -> None:
    faults = table(clock, *([0.999_999] * 4))
    faults.put("order", Fault(delay_ms=10, delay_percent=0, abort_status=500, abort_percent=100))

    assert faults.draw("order") == Injection(delay_s=0.0, abort_status=500)
    assert faults.draw("order") == Injection(delay_s=0.0, abort_status=500)


def test_a_fault_ends_by_itself_after_its_ttl(clock: Clock) -> None:
    faults = table(clock, *([0.0] * 10))
    before = changes("customer", "expired")
    active = faults.put("customer", Fault(abort_status=502, abort_percent=100, ttl_s=60))

    clock.now += 59.5
    assert faults.draw("customer") is not None
    assert faults.remaining(active) == pytest.approx(0.5)
    clock.now += 0.5
    assert faults.draw("customer") is None
    assert faults.get("customer") is None
    assert faults.all() == []
    assert changes("customer", "expired") == before + 1


def test_setting_again_replaces_and_restarts_the_ttl(clock: Clock) -> None:
    faults = table(clock)
    faults.put("customer", Fault(delay_ms=100, delay_percent=100, ttl_s=10))
    clock.now += 9
    faults.put("customer", Fault(delay_ms=300, delay_percent=100, ttl_s=10))
    clock.now += 9

    active = faults.get("customer")
    assert active is not None
    assert active.fault.delay_ms == 300


def test_changes_are_counted(clock: Clock) -> None:
    faults = table(clock)
    counts = changes("order", "set"), changes("order", "cleared")

    faults.put("order", Fault(delay_ms=1, delay_percent=1))
    assert faults.remove("order") is True
    assert faults.remove("order") is False

    assert (changes("order", "set"), changes("order", "cleared")) == (counts[0] + 1, counts[1] + 1)


def test_unknown_services_are_refused(clock: Clock) -> None:
    faults = table(clock)
    with pytest.raises(UnknownServiceError):
        faults.put("payments", Fault())
    with pytest.raises(UnknownServiceError):
        faults.remove("payments")

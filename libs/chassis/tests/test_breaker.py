"""The breaker on a fake clock: every time in these tests is one the test set."""

import pytest
from chassis.breaker import CircuitBreaker, CircuitOpenError, CircuitState, SlidingWindow


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def breaker_on(clock: FakeClock, **options: object) -> CircuitBreaker:
    values: dict[str, object] = {
        "failure_rate": 0.5,
        "minimum_calls": 10,
        "window": 10.0,
        "buckets": 10,
        "reset_timeout": 5.0,
        **options,
    }
    return CircuitBreaker("customer", clock=clock, **values)  # type: ignore[arg-type]


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.before_call()
        breaker.on_failure()


def succeed(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.before_call()
        breaker.on_success()


def test_failures_below_the_minimum_number_of_calls_never_open_it(clock: FakeClock) -> None:
    breaker = breaker_on(clock)

    fail(breaker, 9)  # every call failed, but too few to judge

    assert breaker.state is CircuitState.CLOSED
    assert breaker.failure_rate() == 1.0


def test_opens_when_the_rate_reaches_the_threshold_and_refuses_at_once(clock: FakeClock) -> None:
    changes: list[tuple[str, CircuitState]] = []
    breaker = breaker_on(clock, on_state_change=lambda n, s: changes.append((n, s)))
    succeed(breaker, 5)
    fail(breaker, 4)
    assert breaker.state is CircuitState.CLOSED  # 4 of 9

    fail(breaker, 1)  # 5 of 10: 50 %

    assert breaker.state is CircuitState.OPEN
    assert changes == [("customer", CircuitState.OPEN)]
    clock.now += 2
    with pytest.raises(CircuitOpenError) as refused:
        breaker.before_call()
    assert refused.value.retry_after == pytest.approx(3)


def test_one_callers_failures_among_many_successes_leave_it_closed(clock: FakeClock) -> None:
    """The forged-cursor outage: 40 failing requests from one client while others succeed."""
    breaker = breaker_on(clock, minimum_calls=20)
    for _ in range(40):
        fail(breaker, 1)
        succeed(breaker, 2)
        clock.now += 0.1

    assert breaker.state is CircuitState.CLOSED
    assert breaker.failure_rate() == pytest.approx(1 / 3)


def test_old_calls_slide_out_of_the_window(clock: FakeClock) -> None:
    breaker = breaker_on(clock)
    succeed(breaker, 10)
    clock.now += 10.5  # every success has left the window

    fail(breaker, 9)

    assert breaker.calls_in_window() == 9
    assert breaker.state is CircuitState.CLOSED
    fail(breaker, 1)
    assert breaker.state is CircuitState.OPEN


def test_failures_spread_thin_over_time_never_add_up(clock: FakeClock) -> None:
    breaker = breaker_on(clock, minimum_calls=5)
    for _ in range(50):
        fail(breaker, 1)
        clock.now += 3.0  # at most 4 calls are ever in the 10 s window

    assert breaker.state is CircuitState.CLOSED


def test_half_open_lets_one_probe_through_and_closes_on_success(clock: FakeClock) -> None:
    breaker = breaker_on(clock, minimum_calls=1)
    fail(breaker, 1)
    clock.now += 5

    assert breaker.state is CircuitState.HALF_OPEN
    breaker.before_call()  # the probe
    with pytest.raises(CircuitOpenError):
        breaker.before_call()  # others wait for its answer
    breaker.on_success()

    assert breaker.state is CircuitState.CLOSED
    assert breaker.calls_in_window() == 0  # the outage's failures are forgotten
    breaker.before_call()


def test_a_failed_probe_opens_again_for_a_full_cool_down(clock: FakeClock) -> None:
    breaker = breaker_on(clock, minimum_calls=1)
    fail(breaker, 1)
    clock.now += 6
    breaker.before_call()
    breaker.on_failure()

    assert breaker.state is CircuitState.OPEN
    assert breaker.retry_after() == pytest.approx(5)


def test_a_late_answer_to_a_call_made_before_opening_changes_nothing(clock: FakeClock) -> None:
    breaker = breaker_on(clock, minimum_calls=1)
    breaker.before_call()  # in flight...
    fail(breaker, 1)  # ...while another call opens the circuit
    breaker.on_failure()
    breaker.on_success()

    assert breaker.state is CircuitState.OPEN
    assert breaker.retry_after() == pytest.approx(5)


def test_an_abandoned_probe_frees_its_slot(clock: FakeClock) -> None:
    breaker = breaker_on(clock, minimum_calls=1, reset_timeout=0)
    fail(breaker, 1)
    breaker.before_call()
    breaker.on_abandon()
    breaker.before_call()


def test_the_window_counts_by_bucket(clock: FakeClock) -> None:
    window = SlidingWindow(10.0, 10, clock)
    window.record(failed=True)
    clock.now += 1
    window.record(failed=False)
    clock.now += 9  # the first bucket slides out, the second stays

    assert window.counts() == (1, 0)
    clock.now += 100
    assert window.counts() == (0, 0)


@pytest.mark.parametrize(
    "options",
    [{"failure_rate": 0}, {"failure_rate": 1.5}, {"minimum_calls": 0}, {"window": 0}],
)
def test_refuses_nonsense_settings(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"must|needs"):
        CircuitBreaker("c", **options)  # type: ignore[arg-type]

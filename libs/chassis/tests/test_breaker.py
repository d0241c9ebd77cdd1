import pytest
from chassis.breaker import CircuitBreaker, CircuitOpenError, CircuitState


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        breaker.before_call()
        breaker.on_failure()


def test_opens_after_consecutive_failures_and_refuses_at_once(clock: FakeClock) -> None:
    changes: list[tuple[str, CircuitState]] = []
    breaker = CircuitBreaker(
        "customer",
        failure_threshold=3,
        reset_timeout=10,
        clock=clock,
        on_state_change=lambda n, s: changes.append((n, s)),
    )
    fail(breaker, 2)
    assert breaker.state is CircuitState.CLOSED

    fail(breaker, 1)

    assert breaker.state is CircuitState.OPEN
    assert changes == [("customer", CircuitState.OPEN)]
    clock.now += 4
    with pytest.raises(CircuitOpenError) as refused:
        breaker.before_call()
    assert refused.value.retry_after == pytest.approx(6)


def test_a_success_resets_the_count(clock: FakeClock) -> None:
    breaker = CircuitBreaker("c", failure_threshold=3, clock=clock)
    fail(breaker, 2)
    breaker.before_call()
    breaker.on_success()
    fail(breaker, 2)
    assert breaker.state is CircuitState.CLOSED


def test_half_open_lets_one_probe_through_and_closes_on_success(clock: FakeClock) -> None:
    breaker = CircuitBreaker("c", failure_threshold=1, reset_timeout=5, clock=clock)
    fail(breaker, 1)
    clock.now += 5

    assert breaker.state is CircuitState.HALF_OPEN
    breaker.before_call()  # the probe
    with pytest.raises(CircuitOpenError):
        breaker.before_call()  # others wait for its answer
    breaker.on_success()

    assert breaker.state is CircuitState.CLOSED
    breaker.before_call()


def test_a_failed_probe_opens_again_for_a_full_cool_down(clock: FakeClock) -> None:
    breaker = CircuitBreaker("c", failure_threshold=1, reset_timeout=5, clock=clock)
    fail(breaker, 1)
    clock.now += 6
    breaker.before_call()
    breaker.on_failure()

    assert breaker.state is CircuitState.OPEN
    assert breaker.retry_after() == pytest.approx(5)


def test_an_abandoned_probe_frees_its_slot(clock: FakeClock) -> None:
    breaker = CircuitBreaker("c", failure_threshold=1, reset_timeout=0, clock=clock)
    fail(breaker, 1)
    breaker.before_call()
    breaker.on_abandon()
    breaker.before_call()


def test_refuses_nonsense_settings() -> None:
    with pytest.raises(ValueError, match="positive"):
        CircuitBreaker("c", failure_threshold=0)

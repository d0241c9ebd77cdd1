import pytest
from chassis.retry import RetryPolicy, call_with_retries


class Flaky:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionRefusedError("refused")
        return "ok"


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_retries_until_success_with_growing_capped_backoff() -> None:
    time = FakeTime()
    call = Flaky(failures=3)
    policy = RetryPolicy(attempts=4, backoff_initial=0.1, backoff_max=0.25, budget=10)

    result = await call_with_retries(
        call, policy=policy, retry_on=(OSError,), sleep=time.sleep, clock=time.clock
    )

    assert result == "ok"
    assert call.calls == 4
    assert len(time.sleeps) == 3
    assert all(0 <= s <= c for s, c in zip(time.sleeps, [0.1, 0.2, 0.25], strict=True))


async def test_gives_up_after_the_last_attempt() -> None:
    time = FakeTime()
    call = Flaky(failures=5)
    retries: list[int] = []

    with pytest.raises(ConnectionRefusedError):
        await call_with_retries(
            call,
            policy=RetryPolicy(attempts=3, budget=10),
            retry_on=(OSError,),
            on_retry=lambda attempt, exc, delay: retries.append(attempt),
            sleep=time.sleep,
            clock=time.clock,
        )
    assert call.calls == 3
    assert retries == [1, 2]


async def test_gives_up_when_the_time_budget_would_be_exceeded() -> None:
    time = FakeTime()
    call = Flaky(failures=5)
    policy = RetryPolicy(attempts=10, backoff_initial=1.0, backoff_max=1.0, budget=0.5)

    with pytest.raises(ConnectionRefusedError):
        await call_with_retries(
            call, policy=policy, retry_on=(OSError,), sleep=time.sleep, clock=time.clock
        )
    # Full jitter may pick a short wait, but never one that ends past the budget.
    assert sum(time.sleeps) <= 0.5


async def test_other_errors_are_not_retried() -> None:
    async def broken() -> None:
        raise ValueError("bug")

    with pytest.raises(ValueError, match="bug"):
        await call_with_retries(broken, policy=RetryPolicy(), retry_on=(OSError,))


def test_backoff_is_full_jitter_under_an_exponential_ceiling() -> None:
    policy = RetryPolicy(backoff_initial=0.1, backoff_max=1.0)
    assert policy.backoff(1, rand=lambda: 1.0) == pytest.approx(0.1)
    assert policy.backoff(3, rand=lambda: 1.0) == pytest.approx(0.4)
    assert policy.backoff(9, rand=lambda: 1.0) == pytest.approx(1.0)
    assert policy.backoff(9, rand=lambda: 0.0) == 0.0

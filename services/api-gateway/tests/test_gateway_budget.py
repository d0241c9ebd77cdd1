"""The buffer budget: bytes of upstream answers the gateway holds at once."""

import asyncio

import pytest
from api_gateway.budget import BufferBudget


async def test_takes_what_is_free_at_once_and_queues_the_rest_in_order() -> None:
    budget = BufferBudget(100)
    assert await budget.acquire(60) == 60

    first = asyncio.create_task(budget.acquire(50))
    second = asyncio.create_task(budget.acquire(10))
    await asyncio.sleep(0)
    assert not first.done()
    assert not second.done()  # first come, first served: it does not jump the queue

    budget.release(60)
    assert await first == 50
    assert await second == 10
    assert budget.available == 40


async def test_an_answer_larger_than_the_budget_takes_all_of_it() -> None:
    budget = BufferBudget(100)

    assert await budget.acquire(10_000) == 100
    assert budget.available == 0


async def test_a_wait_that_times_out_leaves_the_budget_as_it_was() -> None:
    budget = BufferBudget(100)
    await budget.acquire(100)

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0):
            await budget.acquire(1)

    budget.release(100)
    assert budget.available == 100
    assert await budget.acquire(100) == 100


def test_held_bytes_outside_a_request_are_given_back_at_once() -> None:
    budget = BufferBudget(100)
    budget.available = 40

    budget.hold(60)

    assert budget.available == 100

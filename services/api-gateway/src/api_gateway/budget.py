"""A bound on the memory the gateway spends on upstream answers, however many clients ask.

One ``GET /api/orders?limit=100`` of large orders is megabytes from the order service; the
gateway reads it whole, parses it, composes it and serialises it again, and keeps the result
until the client has read it (a slow client keeps it longer). Many of those at once, and the
gateway's memory is whatever the clients choose. So every upstream body is paid for, before it
is read, from one budget of bytes per process (``GATEWAY_MAX_BUFFERED_BYTES``), and the payment
is returned only when the client's answer has been sent in full. A call that cannot be paid for
within ``GATEWAY_QUEUE_TIMEOUT`` is a 503 with ``Retry-After``: the gateway sheds load instead
of growing.
"""

from __future__ import annotations

import asyncio
from collections import deque
from contextvars import ContextVar

from starlette.types import ASGIApp, Receive, Scope, Send

_held: ContextVar[list[int] | None] = ContextVar("held_buffer_bytes", default=None)


class BufferBudget:
    """A semaphore counted in bytes; waiters are served first come, first served."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self.available = capacity
        self._waiters: deque[tuple[int, asyncio.Future[None]]] = deque()

    async def acquire(self, size: int) -> int:
        """Take ``size`` bytes (at most the whole budget) and say how many were taken; waits
        until they are free (bound the wait with ``asyncio.timeout``)."""
        size = min(size, self.capacity)
        if not self._waiters and size <= self.available:
            self.available -= size
            return size
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (size, waiter)
        self._waiters.append(entry)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.release(size)  # granted just as we gave up: hand it on
            else:
                self._waiters.remove(entry)
                self._wake()
            raise
        return size

    def release(self, size: int) -> None:
        self.available = min(self.capacity, self.available + min(size, self.capacity))
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self._waiters[0][0] <= self.available:
            size, waiter = self._waiters.popleft()
            self.available -= size
            waiter.set_result(None)

    def hold(self, size: int) -> None:
        """Keep ``size`` bytes taken until the current request's answer is sent."""
        held = _held.get()
        if held is None:
            self.release(size)  # no request to wait for (a probe outside one)
        else:
            held.append(size)


class ReleaseBuffersMiddleware:
    """Returns what a request's upstream bodies took once its answer has gone out in full."""

    def __init__(self, app: ASGIApp, *, budget: BufferBudget) -> None:
        self.app = app
        self.budget = budget

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: list[int] = []
        token = _held.set(held)
        try:
            await self.app(scope, receive, send)
        finally:
            _held.reset(token)
            self.budget.release(sum(held))

"""The two ways the gateway reaches an upstream, both behind :class:`~.upstream.Transport`.

- :class:`AiohttpTransport` in production: one pooled ``aiohttp.ClientSession`` per upstream,
  opened in the app's lifespan and closed at shutdown. It costs a quarter of the CPU of
  ``httpx.AsyncClient`` per proxied request on this kind of machine (ADR 3).
- :class:`HttpxTransport` wraps any ``httpx.AsyncClient``: tests give it ``ASGITransport`` to
  run the real services in-process, or ``MockTransport``/respx to play a failing upstream.
"""

from __future__ import annotations

import asyncio

import aiohttp
import httpx
from chassis.http import KEEPALIVE_SECONDS

from .budget import BufferBudget
from .upstream import (
    UpstreamBadResponseError,
    UpstreamConnectError,
    UpstreamResponse,
    UpstreamSaturatedError,
    UpstreamTimeoutError,
)


class AiohttpTransport:
    """One pooled session to one upstream; build it in the running loop (the app's lifespan)."""

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_connections: int = 100,
        max_response_bytes: int = 16 * 1024 * 1024,
        budget: BufferBudget | None = None,
        budget_timeout: float = 1.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_response_bytes = max_response_bytes
        self.budget = budget
        self.budget_timeout = budget_timeout
        self._timeout = aiohttp.ClientTimeout(
            total=connect_timeout + read_timeout,
            sock_connect=connect_timeout,
            sock_read=read_timeout,
        )
        connector = aiohttp.TCPConnector(
            limit=max_connections, keepalive_timeout=KEEPALIVE_SECONDS, ttl_dns_cache=300
        )
        self.session = aiohttp.ClientSession(
            connector=connector, timeout=self._timeout, auto_decompress=False
        )

    async def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> UpstreamResponse:
        try:
            async with self.session.request(
                method, self.base_url + path, headers=headers, data=body, allow_redirects=False
            ) as response:
                payload = await self._read(response)
                return UpstreamResponse(response.status, response.headers, payload)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            raise UpstreamConnectError(f"cannot connect to {self.base_url}: {exc}") from exc
        except TimeoutError as exc:
            raise UpstreamTimeoutError(f"no answer from {self.base_url} in time") from exc
        except aiohttp.ClientError as exc:
            raise UpstreamBadResponseError(f"{self.base_url} broke off: {exc!r}") from exc

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        """The body, paid for from the budget before it is read (budget.py)."""
        size = response.content_length
        if size is not None and size > self.max_response_bytes:
            raise UpstreamBadResponseError(f"an answer of {size} bytes, over the limit")
        if self.budget is not None:
            try:
                async with asyncio.timeout(self.budget_timeout):
                    taken = await self.budget.acquire(
                        self.max_response_bytes if size is None else size
                    )
            except TimeoutError:
                raise UpstreamSaturatedError("the gateway's buffer budget") from None
            self.budget.hold(taken)
        if size is not None:
            return await response.read()
        chunks, total = [], 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            total += len(chunk)
            if total > self.max_response_bytes:
                raise UpstreamBadResponseError("an answer over the limit")
            chunks.append(chunk)
        return b"".join(chunks)

    async def aclose(self) -> None:
        await self.session.close()


class HttpxTransport:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> UpstreamResponse:
        try:
            response = await self.client.request(method, path, headers=headers, content=body)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise UpstreamConnectError(f"cannot connect: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise UpstreamTimeoutError(f"no answer in time: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise UpstreamBadResponseError(f"broke off: {exc!r}") from exc
        return UpstreamResponse(response.status_code, response.headers, response.content)

    async def aclose(self) -> None:
        await self.client.aclose()

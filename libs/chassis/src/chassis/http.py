"""Outgoing HTTP between services: one pooled client per upstream, carrying the request id."""

from __future__ import annotations

import httpx

from .request_id import outgoing_headers

# Below uvicorn's 5 s keep-alive on our services, for every client of one (httpx here, the
# gateway's aiohttp pools): the client drops an idle connection before the server closes it, so
# a request is never written into a socket being closed (that race gave a 503 "Server
# disconnected without sending a response" on about 1 write in 1,000 under load).
KEEPALIVE_SECONDS = 4.0


async def _add_request_id(request: httpx.Request) -> None:
    for name, value in outgoing_headers().items():
        request.headers.setdefault(name, value)


def create_client(
    base_url: str,
    *,
    timeout: float,
    connect_timeout: float | None = None,
    max_connections: int = 100,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """A client for one upstream, to open once in the lifespan and close on shutdown."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=connect_timeout or timeout),
        limits=httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=20,
            keepalive_expiry=KEEPALIVE_SECONDS,
        ),
        transport=transport,
        event_hooks={"request": [_add_request_id]},
    )

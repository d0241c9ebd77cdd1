"""Apps in-process: the real ASGI app, its lifespan run, reached through httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send


@asynccontextmanager
async def app_client(
    app: FastAPI,
    base_url: str = "http://testserver",
    *,
    headers: Mapping[str, str] | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """Start ``app`` (migrations included), yield a client to it, shut it down afterwards.
    ``headers`` go with every request (``TestIssuer.headers()`` for a signed-in caller)."""
    async with LifespanManager(state_per_request(app), startup_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(
            transport=transport, base_url=base_url, headers=headers
        ) as client:
            yield client


def state_per_request(app: ASGIApp) -> ASGIApp:
    """Each request gets its own copy of the lifespan state, as the ASGI spec and uvicorn give
    it (asgi-lifespan hands every request the same dict): what one request stores there, the
    caller it verified for instance, is never seen by another."""

    async def with_own_state(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan" and "state" in scope:
            scope = {**scope, "state": dict(scope["state"])}
        await app(scope, receive, send)

    return with_own_state

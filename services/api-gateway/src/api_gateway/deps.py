"""Dependencies of the public routes."""

from __future__ import annotations

from typing import Annotated

from chassis import problem_responses
from fastapi import Depends, Request

from .gateway import Upstreams
from .ratelimit import Limiter

UPSTREAM_ERRORS = (502, 503, 504)


async def get_upstreams(request: Request) -> Upstreams:
    """The upstream clients, opened once in the lifespan."""
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


UpstreamsDep = Annotated[Upstreams, Depends(get_upstreams)]


async def get_limiter(request: Request) -> Limiter | None:
    """The budgets, or None when they are off."""
    limiter: Limiter | None = request.app.state.limiter
    return limiter


LimiterDep = Annotated[Limiter | None, Depends(get_limiter)]


def query_string(request: Request) -> str:
    """The query as the client sent it, passed on without being rebuilt."""
    raw: bytes = request.scope["query_string"]
    return raw.decode("latin-1")


def body_headers(request: Request, *names: str) -> dict[str, str]:
    """The client's Content-Type, as it sent it (never one the gateway made up: the chassis has
    checked it against the operation), and the named headers the client sent."""
    headers = {}
    for name in ("Content-Type", *names):
        value = request.headers.get(name)
        if value is not None:
            headers[name] = value
    return headers


def errors(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI problem responses: ``statuses``, a spent budget (429) and what any upstream
    call may answer.

    400 is a body that is not JSON at all, 413 one over the size limit, 415 one not sent as
    JSON."""
    return problem_responses(*statuses, 429, *UPSTREAM_ERRORS)

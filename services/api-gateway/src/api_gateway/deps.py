"""Dependencies of the public routes."""

from __future__ import annotations

from typing import Annotated

from chassis import problem_responses
from fastapi import Depends, Request

from .gateway import Upstreams

UPSTREAM_ERRORS = (502, 503, 504)


async def get_upstreams(request: Request) -> Upstreams:
    """The upstream clients, opened once in the lifespan."""
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


UpstreamsDep = Annotated[Upstreams, Depends(get_upstreams)]


def query_string(request: Request) -> str:
    """The query as the client sent it, passed on without being rebuilt."""
    raw: bytes = request.scope["query_string"]
    return raw.decode("latin-1")


def body_headers(request: Request, *names: str) -> dict[str, str]:
    """Content-Type (JSON unless said otherwise) and the named headers the client sent."""
    headers = {"Content-Type": request.headers.get("content-type", "application/json")}
    for name in names:
        value = request.headers.get(name)
        if value is not None:
            headers[name] = value
    return headers


def errors(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI problem responses: ``statuses`` plus what any upstream call may answer.

    400 is a body that is not JSON at all, 413 one over the size limit."""
    return problem_responses(*statuses, *UPSTREAM_ERRORS)

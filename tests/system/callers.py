"""The one way the edge tests call a real stack: every request goes through :func:`caller`, so
what the API asks of a caller (an ``Authorization`` header, once identity is in) is added here
and nowhere else."""

from __future__ import annotations

import httpx
from orderflow_testing import Stack


def auth_headers(stack: Stack) -> dict[str, str]:
    """What a caller with every right sends: ``Stack.headers()`` where the stack has it."""
    headers = getattr(stack, "headers", None)
    return dict(headers()) if callable(headers) else {}


def caller(stack: Stack, base_url: str | None = None, **options: object) -> httpx.Client:
    """A client of the gateway (or of ``base_url``, a service of the stack reached directly)."""
    return httpx.Client(
        base_url=base_url or stack.url,
        headers=auth_headers(stack),
        timeout=30,
        **options,  # type: ignore[arg-type]
    )


def async_caller(stack: Stack, base_url: str | None = None, **options: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url or stack.url,
        headers=auth_headers(stack),
        timeout=30,
        **options,  # type: ignore[arg-type]
    )

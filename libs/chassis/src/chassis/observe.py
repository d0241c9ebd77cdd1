"""One pass per request for what every request needs: its id, its metrics, its log line."""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import spans
from .logging import access_logger
from .metrics import LATENCY, REQUESTS, route_template
from .request_id import (
    HEADER_KEY,
    authorization_var,
    pick_request_id,
    pick_trace_context,
    request_id_var,
    trace_context_var,
)

QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# The metric children of each (method, route, status) seen, so a request costs no .labels()
# lookups; bounded, since a client chooses the method (what is not kept is looked up as before).
MAX_KEPT_SERIES = 1024
_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}
REQUEST_ID_ATTRIBUTE = "orderflow.request_id"

log_fields_var: ContextVar[dict[str, object] | None] = ContextVar("log_fields", default=None)


class ObservabilityMiddleware:
    """Pure ASGI middleware (no BaseHTTPMiddleware), so streaming bodies pass straight through.

    - ``X-Request-ID``: taken from the caller when well-formed, generated otherwise, bound to
      every log line of the request, returned on the response and, when tracing, set on the
      request's span; it and the trace context are what ``outgoing_headers`` passes on.
    - Metrics: a count and a latency observation by method, route template and status.
    - Access log: one line per request (probes excepted) with method, path, route, status and
      duration; ``upstream`` timings are added by code that calls other services.
    """

    def __init__(self, app: ASGIApp, *, access_log_enabled: bool = True) -> None:
        self.app = app
        self.access_log_enabled = access_log_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = pick_request_id(scope)
        token = request_id_var.set(request_id)
        trace_token = trace_context_var.set(pick_trace_context(scope))
        caller_token = authorization_var.set(None)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        fields: dict[str, object] = {}
        fields_token = log_fields_var.set(fields)
        if spans.enabled():
            spans.current().set(**{REQUEST_ID_ATTRIBUTE: request_id})
        id_header = (HEADER_KEY, request_id.encode())
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0] != HEADER_KEY]
                message["headers"] = [*headers, id_header]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            duration = time.perf_counter() - start
            route = route_template(scope)
            method = scope["method"]
            count, latency = _children(method, route, status)
            count.inc()
            latency.observe(duration)
            if self.access_log_enabled and scope["path"] not in QUIET_PATHS:
                access_logger().info(
                    "request",
                    method=method,
                    path=scope["path"],
                    route=route,
                    status=status,
                    duration_ms=round(duration * 1000, 2),
                    **fields,
                )
            structlog.contextvars.unbind_contextvars("request_id")
            request_id_var.reset(token)
            trace_context_var.reset(trace_token)
            authorization_var.reset(caller_token)
            log_fields_var.reset(fields_token)


def _children(method: str, route: str, status: int) -> tuple[Any, Any]:
    key = (method, route, status)
    children = _series.get(key)
    if children is None:
        children = (
            REQUESTS.labels(method, route, str(status)),
            LATENCY.labels(method, route, str(status)),
        )
        if len(_series) < MAX_KEPT_SERIES:
            _series[key] = children
    return children


def add_log_fields(**fields: object) -> None:
    """Add fields to the access-log line of the request being served, e.g. ``user``."""
    current = log_fields_var.get()
    if current is not None:
        current.update(fields)


def append_log_field(name: str, item: object) -> bool:
    """Append ``item`` to the list ``name`` of the request's access-log line (``upstream``);
    False when no request is being served (a readiness probe's call, a background task)."""
    current = log_fields_var.get()
    if current is None:
        return False
    items = current.setdefault(name, [])
    assert isinstance(items, list)
    items.append(item)
    return True

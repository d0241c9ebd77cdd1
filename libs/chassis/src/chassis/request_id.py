"""X-Request-ID: accepted from the caller or generated, bound to logs, returned, passed on.

:func:`outgoing_headers` is the one way context goes to the next hop: the request id; the
caller's bearer token, once verified (each service decides for itself what it may see); and
the W3C trace context (``traceparent``, ``tracestate``): the current span's where this process
makes spans, else the caller's as it came, so a trace crosses a component that traces nothing.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.types import Scope

from . import spans

REQUEST_ID_HEADER = "X-Request-ID"
HEADER_KEY = REQUEST_ID_HEADER.lower().encode()
# A caller's id is kept only when it is safe to echo into headers and logs.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

TRACE_HEADERS = {b"traceparent": "traceparent", b"tracestate": "tracestate"}

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
trace_context_var: ContextVar[dict[str, str] | None] = ContextVar("trace_context", default=None)
authorization_var: ContextVar[str | None] = ContextVar("authorization", default=None)


def current_request_id() -> str | None:
    """The id of the request this task is serving, if any."""
    return request_id_var.get()


def outgoing_headers() -> dict[str, str]:
    """Headers that carry the current request id, caller and trace context to the next hop."""
    request_id = request_id_var.get()
    headers = {REQUEST_ID_HEADER: request_id} if request_id else {}
    authorization = authorization_var.get()
    if authorization is not None:
        headers["Authorization"] = authorization
    if not spans.inject(headers):
        trace_context = trace_context_var.get()
        if trace_context:
            headers.update(trace_context)
    return headers


def pick_request_id(scope: Scope) -> str:
    for key, value in scope.get("headers", ()):
        if key == HEADER_KEY:
            candidate: str = value.decode("latin-1")
            if _VALID_ID.match(candidate):
                return candidate
            break
    return uuid.uuid4().hex


def pick_trace_context(scope: Scope) -> dict[str, str] | None:
    """The caller's ``traceparent`` and ``tracestate`` headers, if it sent any."""
    found: dict[str, str] | None = None
    for key, value in scope.get("headers", ()):
        name = TRACE_HEADERS.get(key)
        if name is not None:
            found = found or {}
            found[name] = value.decode("latin-1")
    return found

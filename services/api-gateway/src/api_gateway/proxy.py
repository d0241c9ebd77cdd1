"""Upstream answers as gateway responses: the bytes as they came, or JSON the gateway composed."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response

from .upstream import UpstreamResponse

PASSED_HEADERS = (
    "content-type",
    "etag",
    "location",
    "retry-after",
    "idempotent-replayed",
    "www-authenticate",  # a service's own refusal (401, 403) keeps its RFC 6750 challenge
)
API_PREFIX = "/api"


def passed_headers(response: UpstreamResponse) -> dict[str, str]:
    """The upstream headers a client may need, ``Location`` moved under ``/api``."""
    headers = {}
    for name in PASSED_HEADERS:
        value = response.headers.get(name)
        if value is not None:
            headers[name] = value
    location = headers.get("location")
    if location is not None and location.startswith("/"):
        headers["location"] = API_PREFIX + location
    return headers


def forward(response: UpstreamResponse) -> Response:
    """The upstream's status, body bytes and headers, untouched: nothing parsed."""
    return Response(response.body, status_code=response.status, headers=passed_headers(response))


def json_response(
    data: Any, *, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(data), status_code=status_code, headers=headers, media_type="application/json"
    )


def composed(response: UpstreamResponse, data: Any) -> Response:
    """``data`` in place of the upstream's body, with its status and headers."""
    headers = passed_headers(response)
    headers.pop("content-type", None)
    return json_response(data, status_code=response.status, headers=headers)

"""What the gateway sends upstream and gets back, and how a call can fail.

::

    UpstreamError
     ├── UpstreamUnavailableError      503: nothing usable came back; worth trying later
     │    ├── UpstreamConnectError    the request was never sent (refused, connect timeout)
     │    ├── UpstreamCircuitOpenError     not even tried: the upstream keeps failing
     │    └── UpstreamSaturatedError       not even tried: too many calls already in flight
     ├── UpstreamTimeoutError          504: sent, but no answer in time
     └── UpstreamBadResponseError      502: the connection broke or the answer made no sense
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import orjson


@dataclass(slots=True)
class UpstreamResponse:
    status: int
    headers: Mapping[str, str]
    """Case-insensitive, as the transport gives them."""
    body: bytes

    def json(self) -> Any:
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise UpstreamBadResponseError("the upstream answered with invalid JSON") from exc


class Transport(Protocol):
    """Sends one request to one upstream; raises only :class:`UpstreamError` subclasses."""

    async def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> UpstreamResponse: ...

    async def aclose(self) -> None: ...


class UpstreamError(Exception):
    status = 502
    problem_headers: dict[str, str] | None = None


class UpstreamUnavailableError(UpstreamError):
    status = 503


class UpstreamConnectError(UpstreamUnavailableError):
    pass


class UpstreamCircuitOpenError(UpstreamUnavailableError):
    def __init__(self, upstream: str, retry_after: float) -> None:
        super().__init__(f"The {upstream} service is failing; calls to it are paused.")
        self.problem_headers = {"Retry-After": str(max(1, math.ceil(retry_after)))}


class UpstreamSaturatedError(UpstreamUnavailableError):
    def __init__(self, upstream: str) -> None:
        super().__init__(f"Too many calls to the {upstream} service are in flight.")
        self.problem_headers = {"Retry-After": "1"}


class UpstreamTimeoutError(UpstreamError):
    status = 504


class UpstreamBadResponseError(UpstreamError):
    status = 502


PROBLEMS: dict[type[Exception], tuple[int, str]] = {
    UpstreamConnectError: (503, "upstream-unavailable"),
    UpstreamCircuitOpenError: (503, "upstream-circuit-open"),
    UpstreamSaturatedError: (503, "upstream-saturated"),
    UpstreamUnavailableError: (503, "upstream-unavailable"),
    UpstreamTimeoutError: (504, "upstream-timeout"),
    UpstreamBadResponseError: (502, "bad-gateway"),
}

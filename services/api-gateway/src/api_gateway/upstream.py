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
from chassis import AsProblem


@dataclass(slots=True)
class UpstreamResponse:
    status: int
    headers: Mapping[str, str]
    """Case-insensitive, as the transport gives them."""
    body: bytes
    upstream: str = "upstream"
    """The service that answered (set by the client that made the call)."""

    def json(self) -> Any:
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise UpstreamBadResponseError(
                "the answer is not valid JSON", upstream=self.upstream
            ) from exc

    def unusable(self, reason: str) -> UpstreamBadResponseError:
        """The error for an answer the gateway cannot use, naming this upstream."""
        return UpstreamBadResponseError(reason, upstream=self.upstream)


class Transport(Protocol):
    """Sends one request to one upstream; raises only :class:`UpstreamError` subclasses."""

    async def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> UpstreamResponse: ...

    async def aclose(self) -> None: ...


class UpstreamError(Exception):
    """``str()`` says what happened, addresses and library messages included: it is for the
    logs. :func:`describe` is what a client may read. ``upstream`` names the service; the
    :class:`~api_gateway.client.UpstreamClient` that made the call sets it."""

    def __init__(self, message: str, *, upstream: str = "upstream") -> None:
        super().__init__(message)
        self.upstream = upstream


class UpstreamUnavailableError(UpstreamError):
    pass


class UpstreamConnectError(UpstreamUnavailableError):
    pass


class UpstreamCircuitOpenError(UpstreamUnavailableError):
    def __init__(self, upstream: str, retry_after: float) -> None:
        super().__init__(
            f"the circuit of {upstream} is open for {retry_after:.1f}s more", upstream=upstream
        )
        self.retry_after = retry_after


class UpstreamSaturatedError(UpstreamUnavailableError):
    def __init__(self, upstream: str) -> None:
        super().__init__(f"every slot to {upstream} is taken", upstream=upstream)


class UpstreamTimeoutError(UpstreamError):
    pass


class UpstreamBadResponseError(UpstreamError):
    pass


_PUBLIC = (
    (UpstreamCircuitOpenError, "The {} service is failing; calls to it are paused."),
    (UpstreamSaturatedError, "Too many calls to the {} service are in flight."),
    (UpstreamConnectError, "The {} service is unreachable."),
    (UpstreamTimeoutError, "The {} service did not answer in time."),
    (UpstreamBadResponseError, "The {} service sent an answer the gateway cannot use."),
    (UpstreamError, "The {} service is unavailable."),
)


def describe(exc: UpstreamError) -> str:
    """What a client may be told about a failed call: the service and what happened, never an
    address, a host name or a library's message (those stay in the log line)."""
    text = next(text for kind, text in _PUBLIC if isinstance(exc, kind))
    return text.format(exc.upstream)


def _retry_after(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


PROBLEMS: dict[type[Exception], AsProblem] = {
    UpstreamConnectError: AsProblem(503, "upstream-unavailable", detail=describe),
    UpstreamCircuitOpenError: AsProblem(
        503,
        "upstream-circuit-open",
        detail=describe,
        headers=lambda e: _retry_after(e.retry_after),
    ),
    UpstreamSaturatedError: AsProblem(
        503, "upstream-saturated", detail=describe, headers=lambda _: _retry_after(1)
    ),
    UpstreamUnavailableError: AsProblem(503, "upstream-unavailable", detail=describe),
    UpstreamTimeoutError: AsProblem(504, "upstream-timeout", detail=describe),
    UpstreamBadResponseError: AsProblem(502, "bad-gateway", detail=describe),
}

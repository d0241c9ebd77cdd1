"""Request bodies: an operation takes only the media types its OpenAPI document names.

A body whose ``Content-Type`` is missing or is not one the operation declares is refused with
415 before anything reads it as data, so nothing is written. JSON (``application/json``, and
any ``application/*+json``) is what operations take; one that declares another type in its
``requestBody`` takes that instead, e.g. ``application/x-www-form-urlencoded`` for an OAuth
token endpoint (``Form`` parameters declare it themselves). The rule matters beyond tidiness: a
web page may send a cross-site ``text/plain`` or form body without asking first (no CORS
preflight), and a server that reads it as JSON anyway has let that page write.

The size of every body is bounded by :class:`BodyLimitMiddleware` (``max_body_bytes``, 413),
and the time a client may take to send it by the server (:mod:`chassis.server`).
"""

from __future__ import annotations

from http import HTTPStatus

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import ProblemError, problem_response

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
# The header that tells a client what it may send instead (RFC 5789 for PATCH, LDP for POST).
ACCEPT_HEADERS = {"POST": "Accept-Post", "PATCH": "Accept-Patch"}


def declared_media_types(route: APIRoute) -> frozenset[str]:
    """The media types ``route`` takes a body in; empty when it takes none."""
    content = (route.openapi_extra or {}).get("requestBody", {}).get("content")
    if content:
        return frozenset(str(media_type).lower() for media_type in content)
    if route.body_field is None:
        return frozenset()
    return frozenset({str(getattr(route.body_field.field_info, "media_type", JSON)).lower()})


def media_type_of(content_type: str | None) -> str | None:
    """``type/subtype`` of a Content-Type value, lower case; None when absent or malformed."""
    if not content_type:
        return None
    media_type, _, params = content_type.partition(";")
    media_type = media_type.strip().lower()
    if media_type.count("/") != 1 or not all(media_type.split("/")):
        return None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        # JSON is UTF-8 (RFC 8259); a body that says otherwise is not what we would read.
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return None
    return media_type


def accepts(declared: frozenset[str], media_type: str | None) -> bool:
    if media_type is None:
        return False
    if media_type in declared:
        return True
    return (
        JSON in declared and media_type.startswith("application/") and media_type.endswith("+json")
    )


def unsupported_media_type(method: str, declared: frozenset[str]) -> ProblemError:
    names = ", ".join(sorted(declared))
    header = ACCEPT_HEADERS.get(method)
    return ProblemError(
        415,
        f"The request body must be sent as {names}, with its Content-Type header saying so.",
        slug="unsupported-media-type",
        title=HTTPStatus(415).phrase,
        headers={header: names} if header else None,
    )


async def require_declared_media_type(request: Request) -> None:
    """An app-wide dependency: runs before the body is validated or any handler code."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = declared_media_types(route)
    if declared and not accepts(declared, media_type_of(request.headers.get("content-type"))):
        raise unsupported_media_type(request.method, declared)


class BodyLimitMiddleware:
    """413 for a body over ``max_bytes``: at once when its Content-Length says so, else as soon
    as the bytes received pass it (a missing or lying Content-Length does not help). The app
    then sees the client as gone, and nothing it reads is ever more than the limit."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        refused = started = False

        async def limited_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    if not started:
                        await self._refuse(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is the answer; whatever the app makes of "gone" is not
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413,
            f"The request body is larger than {self.max_bytes} bytes.",
            slug="body-too-large",
            title="Request body too large",
            instance=scope["path"],
            headers={"Connection": "close"},  # the rest of it is not worth reading
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None

"""Response headers that protect the people whose data an answer holds.

- ``X-Content-Type-Options: nosniff`` on every answer: a browser takes the declared type at its
  word, so JSON that holds a customer's name is never run as a script or shown as HTML.
- A query string that is not UTF-8 once percent-decoded (``?q=%ED%A0%80``, a lone surrogate)
  is a 400, not silently read as U+FFFD and searched for.
- ``Cache-Control: no-store`` on answers under the private paths (customers, orders, the
  dashboard, identity): no browser, proxy or shared cache keeps a copy of personal data. An
  answer that set its own ``Cache-Control`` keeps it.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import FieldError, problem_response

NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, private_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.private_paths = tuple(p.rstrip("/") for p in private_paths)

    def is_private(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.private_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = self.is_private(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if NOSNIFF[0] not in names:
                    headers.append(NOSNIFF)
                if private and NO_STORE[0] not in names:
                    headers.append(NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Utf8QueryMiddleware:
    """400 for a query string whose percent-decoded bytes are not UTF-8."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query: bytes = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if b"%" in query or not query.isascii():
            try:
                unquote_to_bytes(query.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                response = problem_response(
                    400,
                    "The query string is not valid UTF-8.",
                    slug="malformed-query",
                    title="Malformed query string",
                    instance=scope["path"],
                    errors=[
                        FieldError(
                            location="query",
                            field="query",
                            message="not valid UTF-8",
                            code="invalid_encoding",
                        )
                    ],
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

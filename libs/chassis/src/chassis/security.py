"""Response headers that protect the people whose data an answer holds.

- ``X-Content-Type-Options: nosniff`` on every answer: a browser takes the declared type at its
  word, so JSON that holds a customer's name is never run as a script or shown as HTML.
- ``Cache-Control: no-store`` on answers under the private paths (customers, orders, the
  dashboard, identity): no browser, proxy or shared cache keeps a copy of personal data. An
  answer that set its own ``Cache-Control`` keeps it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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

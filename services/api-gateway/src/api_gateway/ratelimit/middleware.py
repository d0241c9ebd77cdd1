"""The budget of every ``/api`` request, judged after the caller is known (the chassis's
``AuthMiddleware``) and before any route, so a refused request costs no upstream call."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .callers import address_key, client_address
from .limiter import Limiter, headers, refusal, refusal_response

LIMITED_PREFIX = "/api/"
READ_METHODS = frozenset({"GET", "HEAD"})


class RateLimitMiddleware:
    """Reads (GET, HEAD) and writes (the rest) per caller: the token's ``sub``, or the client
    address when no valid token came. Every answer under a budget carries ``RateLimit-Policy``
    and ``RateLimit``; a spent one is a 429 problem with ``Retry-After``."""

    def __init__(self, app: ASGIApp, *, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method", "")
        if (
            scope["type"] != "http"
            or method == "OPTIONS"
            or not scope["path"].startswith(LIMITED_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        limiter = self.limiter
        policy = limiter.reads if method in READ_METHODS else limiter.writes
        principal = scope.get("state", {}).get("principal")
        if principal is not None:
            sub, address, reason = principal.sub, None, "sub"
            key = f"sub:{sub}"
        else:
            sub, reason = None, "address"
            address = address_key(client_address(scope, limiter.trusted_proxies))
            key = f"address:{address}"
        decision = await limiter.take(policy, key)
        if not decision.allowed:
            error = refusal(
                policy,
                decision,
                reason=reason,
                detail="Too many requests from this caller.",
                sub=sub,
                address=address,
            )
            await refusal_response(error, scope["path"])(scope, receive, send)
            return
        fields = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in headers(policy, decision).items()
        ]

        async def send_with_fields(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *fields]
            await send(message)

        await self.app(scope, receive, send_with_fields)

"""Who is calling, at the HTTP edge: the bearer token read once per request, verified by the
app's ``TokenVerifier``, and route dependencies that refuse (RFC 6750 challenges).

``AuthMiddleware`` never rejects: it stores the ``Principal`` (or ``None``) in
``scope["state"]["principal"]`` and the reason a presented token failed in
``scope["state"]["auth_error"]``, so code between it and the routes (rate limits, logs) knows
the caller. Routes refuse through ``CallerDep`` or ``require_roles(...)``: no token → 401
``WWW-Authenticate: Bearer realm=...``; a bad one → 401 ``error="invalid_token"``; a valid one
without a needed role → 403 ``error="insufficient_scope"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.types import ASGIApp, Receive, Scope, Send

from . import spans
from .auth import InvalidTokenError, Principal, TokenVerifier
from .observe import add_log_fields
from .problems import AsProblem, ProblemError, problem_responses
from .request_id import authorization_var

REALM = "orderflow"
MAX_TOKEN_LENGTH = 8192
# Headers through which some proxies and frameworks pass "who is calling" along. Here only a
# verified token says that, so whatever a client sends under these names is dropped on entry.
IDENTITY_HEADER = re.compile(
    rb"^(x-(forwarded-|original-|authenticated-|auth-request-)?"
    rb"(user|auth|principal|remote-user|roles?|groups?|customer-id|email|sub|subject|identity"
    rb"|client-id|consumer|jwt|token|preferred-username)"
    rb"|x-ms-client-principal|x-amzn-oidc|x-goog-authenticated-user|remote-user|x-remote-)"
)

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = problem_responses(401, 403)
AUTH_RESPONSES[401]["description"] = "No bearer token, or one that is invalid or expired"
AUTH_RESPONSES[403]["description"] = "The caller may not do this"
bearer_scheme = HTTPBearer(
    scheme_name="bearer",
    bearerFormat="JWT",
    description="An access token of the identity service (or the configured OIDC provider)",
    auto_error=False,
)


def bearer_token(scope: Scope) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; ``""`` for any other form."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            token = token.strip()
            if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
                return ""
            return str(token)
    return None


async def authenticate(scope: Scope, verifier: TokenVerifier) -> Principal | None:
    """The request's verified caller (once per request: the answer is kept in its state)."""
    state: dict[str, Any] = scope.setdefault("state", {})
    if "principal" in state:
        known: Principal | None = state["principal"]
        return known
    token = bearer_token(scope)
    principal: Principal | None = None
    error: str | None = None
    if token == "":
        error = "not a bearer token"
    elif token is not None:
        with spans.span("token check") as span:
            try:
                principal = await verifier.verify(token)
            except InvalidTokenError as exc:
                error = str(exc)
                span.fail(error)
            else:
                roles = ",".join(sorted(principal.roles))
                span.set(**{"enduser.id": principal.sub, "enduser.role": roles})
    state["principal"] = principal
    state["auth_error"] = error
    if principal is not None:
        authorization_var.set(principal.authorization)  # carried on by outgoing_headers
        add_log_fields(sub=principal.sub)
    elif error is not None:
        add_log_fields(auth_error=error)
    return principal


def drop_identity_headers(scope: Scope) -> None:
    """Remove every header a client could use to claim an identity (``IDENTITY_HEADER``)."""
    headers = scope.get("headers", ())
    kept = [(name, value) for name, value in headers if not IDENTITY_HEADER.match(name)]
    if len(kept) != len(headers):
        scope["headers"] = kept


class AuthMiddleware:
    """Drops identity headers a client sent, verifies the bearer token, if any, before the
    routes; never refuses a request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            drop_identity_headers(scope)
            await authenticate(scope, scope["app"].state.token_verifier)
        await self.app(scope, receive, send)


def challenge(error: str | None = None, description: str | None = None) -> str:
    value = f'Bearer realm="{REALM}"'
    if error is not None:
        value += f', error="{error}"'
    if description is not None:
        value += f', error_description="{description}"'
    return value


async def require_principal(
    request: Request,
    _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The verified caller, or a 401 problem with its RFC 6750 challenge. (``bearer_scheme``
    only puts the security scheme in the OpenAPI document; the token is read here.)"""
    principal = await authenticate(request.scope, request.app.state.token_verifier)
    if principal is not None:
        return principal
    error = request.scope["state"].get("auth_error")
    if error is None:
        raise ProblemError(
            401,
            "This needs an access token: Authorization: Bearer <token>",
            slug="unauthenticated",
            headers={"WWW-Authenticate": challenge()},
        )
    raise ProblemError(
        401,
        f"The access token was refused: {error}",
        slug="invalid-token",
        headers={"WWW-Authenticate": challenge("invalid_token", error)},
    )


CallerDep = Annotated[Principal, Depends(require_principal)]


def require_roles(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency: the caller, if it holds any of ``roles``; otherwise 403."""
    if not roles:
        raise ValueError("name at least one role")

    async def dependency(principal: CallerDep) -> Principal:
        if not principal.has_role(*roles):
            raise ProblemError(
                403,
                f"This needs one of the roles: {', '.join(roles)}",
                slug="forbidden",
                headers={"WWW-Authenticate": challenge("insufficient_scope")},
            )
        return principal

    return dependency


def _insufficient_scope(_: Exception) -> dict[str, str]:
    return {"WWW-Authenticate": challenge("insufficient_scope")}


FORBIDDEN = AsProblem(403, "forbidden", headers=_insufficient_scope)
"""The problem-table entry for a service's own "the caller may not" error (RFC 6750's 403)."""


def forbidden(detail: str = "The caller may not do this") -> ProblemError:
    """The 403 a route raises for a decision it makes itself."""
    return ProblemError(
        403, detail, slug="forbidden", headers={"WWW-Authenticate": challenge("insufficient_scope")}
    )

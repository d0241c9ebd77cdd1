"""/api/auth: sign-in, sign-out and the caller, forwarded to the identity service's own paths
(``/api/auth/token`` to ``/token``). Bodies, cookies and the client's Basic credentials pass as
they came; the refresh cookie and ``Cache-Control: no-store`` come back as identity set them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response, status

from ..auth import AUTH_RESPONSES, require_caller
from ..body import RawBody
from ..deps import LimiterDep, UpstreamsDep, errors
from ..openapi import form_body
from ..proxy import forward_auth
from ..ratelimit import login
from ..schemas import Discovery, Jwks, LogoutRequest, Me, TokenError, TokenRequest, TokenResponse

router = APIRouter(prefix="/api/auth", tags=["auth"])
FORWARDED_REQUEST_HEADERS = ("content-type", "cookie", "authorization")
TOKEN_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": TokenError, "description": "RFC 6749 section 5.2: invalid_request, ..."},
    401: {"model": TokenError, "description": "invalid_client, with WWW-Authenticate: Basic"},
}


def identity_headers(request: Request) -> dict[str, str]:
    """The request's own headers identity needs, and the scheme the client used: the refresh
    cookie is ``Secure`` exactly when that was https (here, or at a TLS proxy in front)."""
    headers = {
        name: value
        for name in FORWARDED_REQUEST_HEADERS
        if (value := request.headers.get(name)) is not None
    }
    headers["X-Forwarded-Proto"] = request.headers.get("x-forwarded-proto", request.url.scheme)
    return headers


@router.post(
    "/token",
    response_model=TokenResponse,
    responses={**TOKEN_ERRORS, **errors(413)},
    openapi_extra=form_body(TokenRequest),
)
async def token(
    body: RawBody, request: Request, upstreams: UpstreamsDep, limiter: LimiterDep
) -> Response:
    """The OAuth 2.0 token endpoint (RFC 6749), form-encoded: `password` (people),
    `refresh_token`, `client_credentials` (scripts; the secret in the form or by HTTP Basic).
    With `client_id=orderflow-web` the refresh token is an HttpOnly, SameSite=Strict cookie on
    `/api/auth`, not in the body, and a refresh needs only that cookie. Each refresh token is
    spent by its use; presenting a spent one revokes the whole sign-in. Failed attempts are
    limited per client address and per username (429 with `Retry-After`)."""
    attempt = None if limiter is None else await login.begin(limiter, request.scope, body)
    if attempt is None:
        return forward_auth(
            await upstreams.identity.token(body=body, headers=identity_headers(request))
        )
    try:
        answer = await upstreams.identity.token(body=body, headers=identity_headers(request))
    except BaseException:
        await attempt.settle(None)
        raise
    response = forward_auth(answer)
    response.headers.update(await attempt.settle(answer.status))
    return response


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(require_caller)],
    responses={
        400: {"model": TokenError, "description": "The body is not a form"},
        **AUTH_RESPONSES,
        **errors(),
    },
    openapi_extra=form_body(LogoutRequest, required=False),
)
async def logout(body: RawBody, request: Request, upstreams: UpstreamsDep) -> Response:
    """Sign out (signed in, as every route but the token endpoint, discovery and keys):
    revokes the refresh token (form field `refresh_token`, or the browser's cookie) and every
    token of its sign-in, and clears the cookie."""
    return forward_auth(
        await upstreams.identity.logout(body=body, headers=identity_headers(request))
    )


@router.get(
    "/me",
    response_model=Me,
    dependencies=[Depends(require_caller)],
    responses={**AUTH_RESPONSES, **errors()},
)
async def me(request: Request, upstreams: UpstreamsDep) -> Response:
    """The caller, as the bearer token says: sub, email, name, roles and customer_id."""
    return forward_auth(await upstreams.identity.me(headers=identity_headers(request)))


@router.get("/.well-known/openid-configuration", response_model=Discovery, responses=errors())
async def discovery(upstreams: UpstreamsDep) -> Response:
    """OpenID Connect discovery: the issuer, its token endpoint and where its keys are."""
    return forward_auth(await upstreams.identity.discovery())


@router.get("/jwks.json", response_model=Jwks, responses=errors())
async def jwks(upstreams: UpstreamsDep) -> Response:
    """The public keys access tokens are signed with: every key still in use."""
    return forward_auth(await upstreams.identity.jwks())

"""The identity service's HTTP API: the token endpoint and what goes with it.

Served without a prefix; the gateway forwards ``/api/auth/<path>`` here as ``/<path>``.
"""

from __future__ import annotations

from typing import Annotated, Any

from chassis import CallerDep
from chassis.access import AUTH_RESPONSES
from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from . import service as identity_service
from .deps import IdentityDep
from .domain import InvalidRequestError
from .forms import basic_credentials, form_body, is_https, optional_form_body
from .keys import ALGORITHM
from .schemas import Discovery, Jwks, Me, TokenError, TokenResponse
from .service import GRANT_TYPES, Grant, Identity, TokenRequest

router = APIRouter(tags=["auth"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
PUBLIC_FOR_5_MINUTES = {"Cache-Control": "public, max-age=300"}
TOKEN_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": TokenError, "description": "RFC 6749 section 5.2: invalid_request, ..."},
    401: {"model": TokenError, "description": "invalid_client, with WWW-Authenticate: Basic"},
}


class TokenForm(BaseModel):
    """The token request's form fields (RFC 6749); which ones depends on ``grant_type``."""

    grant_type: str | None = Field(
        default=None, description="password | refresh_token | client_credentials"
    )
    username: str | None = Field(default=None, description="password: the user's email")
    password: str | None = Field(default=None, description="password")
    refresh_token: str | None = Field(
        default=None,
        description="refresh_token; the browser (client_id=orderflow-web) leaves it out and "
        "sends its cookie",
    )
    client_id: str | None = Field(
        default=None, description="client_credentials, or orderflow-web for the browser"
    )
    client_secret: str | None = Field(
        default=None, description="client_credentials, unless sent by HTTP Basic instead"
    )


class LogoutForm(BaseModel):
    refresh_token: str | None = Field(default=None, description="Or the browser's cookie")


NO_FORM = LogoutForm()
"""The browser signs out with no body at all: its cookie says everything."""


def _blank_is_none(value: str | None) -> str | None:
    return value or None


def token_request(request: Request, form: TokenForm, *, cookie: str) -> TokenRequest:
    """The form, with the client's credentials from HTTP Basic if sent that way and the
    browser's refresh token from its cookie."""
    client_id = _blank_is_none(form.client_id)
    client_secret = _blank_is_none(form.client_secret)
    basic = basic_credentials(request)
    if basic is not None:
        if (client_id is not None and client_id != basic[0]) or client_secret is not None:
            # RFC 6749 section 2.3: one way of authenticating per request.
            raise InvalidRequestError("Client credentials are given both by Basic and in the form.")
        client_id, client_secret = basic
    refresh_token = _blank_is_none(form.refresh_token)
    if refresh_token is None and form.grant_type == "refresh_token":
        refresh_token = _blank_is_none(request.cookies.get(cookie))
    return TokenRequest(
        grant_type=_blank_is_none(form.grant_type),
        username=_blank_is_none(form.username),
        password=form.password,
        refresh_token=refresh_token,
        client_id=client_id,
        client_secret=client_secret,
    )


def _set_refresh_cookie(ctx: Identity, request: Request, response: Response, token: str) -> None:
    settings = ctx.settings
    response.set_cookie(
        settings.refresh_cookie,
        token,
        max_age=settings.refresh_token_seconds,
        path=settings.cookie_path,
        secure=is_https(request),
        httponly=True,
        samesite="Strict",  # type: ignore[arg-type]
    )


def _clear_refresh_cookie(ctx: Identity, request: Request, response: Response) -> None:
    settings = ctx.settings
    response.delete_cookie(
        settings.refresh_cookie,
        path=settings.cookie_path,
        secure=is_https(request),
        httponly=True,
        samesite="Strict",  # type: ignore[arg-type]
    )


def _token_response(ctx: Identity, request: Request, grant: Grant) -> JSONResponse:
    body = TokenResponse(access_token=grant.access.token, expires_in=grant.access.expires_in)
    in_cookie = grant.client_id == ctx.settings.web_client_id
    if grant.refresh_token is not None and not in_cookie:
        body.refresh_token = grant.refresh_token
    response = JSONResponse(body.model_dump(exclude_none=True), headers=NO_STORE)
    if grant.refresh_token is not None and in_cookie:
        _set_refresh_cookie(ctx, request, response, grant.refresh_token)
    return response


@router.post(
    "/token",
    response_model=TokenResponse,
    responses=TOKEN_ERRORS,
    dependencies=[Depends(form_body)],
)
async def token(
    request: Request, form: Annotated[TokenForm, Form()], ctx: IdentityDep
) -> JSONResponse:
    """The OAuth 2.0 token endpoint (RFC 6749), form-encoded: grants ``password``,
    ``refresh_token`` and ``client_credentials``. A client's secret goes in the form or by HTTP
    Basic. The browser (``client_id=orderflow-web``) gets its refresh token as an HttpOnly
    cookie, never in the body. Every refresh token is spent by its use; using one twice
    revokes its whole family."""
    grant = await identity_service.issue(
        ctx, token_request(request, form, cookie=ctx.settings.refresh_cookie)
    )
    return _token_response(ctx, request, grant)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={400: {"model": TokenError, "description": "The body is not a form"}},
    dependencies=[Depends(optional_form_body)],
)
async def logout(
    request: Request, ctx: IdentityDep, form: Annotated[LogoutForm, Form()] = NO_FORM
) -> Response:
    """Sign out: revoke the refresh token (form field, or the browser's cookie) with every
    token of its family, and clear the cookie. 204 whether or not the token was known."""
    refresh_token = form.refresh_token or request.cookies.get(ctx.settings.refresh_cookie)
    if refresh_token:
        await identity_service.revoke(ctx, refresh_token=refresh_token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT, headers=NO_STORE)
    _clear_refresh_cookie(ctx, request, response)
    return response


@router.get("/me", response_model=Me, responses={401: AUTH_RESPONSES[401]})
async def me(caller: CallerDep) -> JSONResponse:
    """The caller, as its access token says (verified like everywhere, by ``chassis.auth``)."""
    body = Me(
        sub=caller.sub,
        email=caller.email,
        name=caller.name,
        roles=sorted(caller.roles),
        customer_id=caller.customer_id,
    )
    return JSONResponse(body.model_dump(), headers=NO_STORE)


@router.get("/.well-known/openid-configuration", response_model=Discovery)
async def discovery(ctx: IdentityDep) -> JSONResponse:
    """Where the token endpoint and the keys are, under the issuer's URL."""
    issuer = ctx.settings.issuer.rstrip("/")
    document = Discovery(
        issuer=ctx.settings.issuer,
        token_endpoint=f"{issuer}/token",
        jwks_uri=f"{issuer}/jwks.json",
        userinfo_endpoint=f"{issuer}/me",
        grant_types_supported=list(GRANT_TYPES),
        token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post", "none"],
        id_token_signing_alg_values_supported=[ALGORITHM],
        subject_types_supported=["public"],
        claims_supported=["sub", "email", "name", "roles", "customer_id"],
    )
    return JSONResponse(document.model_dump(), headers=PUBLIC_FOR_5_MINUTES)


@router.get("/jwks.json", response_model=Jwks)
async def jwks(ctx: IdentityDep) -> JSONResponse:
    """Every published public key: the active one and those still verifying older tokens."""
    return JSONResponse(ctx.issuer.keys.jwks(), headers=PUBLIC_FOR_5_MINUTES)

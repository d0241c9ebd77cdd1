"""chassis.access: the caller read once per request, and the routes' RFC 6750 refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from chassis import CallerDep, Principal, ServiceSettings, create_app, require_roles
from fastapi import APIRouter, Depends, Request
from orderflow_testing import TestIssuer, app_client

router = APIRouter()


@router.get("/open")
async def open_route(request: Request) -> dict[str, Any]:
    principal = request.scope["state"].get("principal")
    return {
        "sub": principal.sub if principal else None,
        "error": request.scope["state"].get("auth_error"),
    }


@router.get("/mine")
async def mine(caller: CallerDep) -> dict[str, Any]:
    return {"sub": caller.sub, "roles": sorted(caller.roles)}


@router.get("/staff")
async def staff_only(
    caller: Annotated[Principal, Depends(require_roles("admin", "staff"))],
) -> dict[str, str]:
    return {"sub": caller.sub}


def settings_for(issuer: TestIssuer) -> ServiceSettings:
    return ServiceSettings(
        auth_issuer=issuer.issuer, auth_audience=issuer.audience, auth_jwks_url=issuer.jwks_url
    )


@pytest.fixture(params=[True, False], ids=["middleware", "dependency-only"])
async def client(
    request: pytest.FixtureRequest, issuer: TestIssuer
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for(issuer), title="t", routers=[router], authenticate=request.param)
    async with app_client(app) as c:
        yield c


async def test_the_middleware_stores_the_caller_and_never_refuses(
    issuer: TestIssuer,
) -> None:
    app = create_app(settings_for(issuer), title="t", routers=[router], authenticate=True)
    async with app_client(app) as client:
        anonymous = await client.get("/open")
        assert anonymous.json() == {"sub": None, "error": None}
        bad = await client.get("/open", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 200
        assert bad.json() == {"sub": None, "error": "malformed token"}
        good = await client.get("/open", headers=issuer.headers(sub="u-1"))
        assert good.json() == {"sub": "u-1", "error": None}


async def test_no_token_is_a_401_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/mine")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="orderflow"'
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:orderflow:problem:unauthenticated"


@pytest.mark.parametrize(
    "authorization", ["Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer", "Bearer " + "a" * 9000]
)
async def test_a_bad_token_is_a_401_invalid_token(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.get("/mine", headers={"Authorization": authorization})
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="orderflow", error="invalid_token"')
    assert response.json()["type"] == "urn:orderflow:problem:invalid-token"


async def test_an_expired_token_says_so(client: httpx.AsyncClient, issuer: TestIssuer) -> None:
    response = await client.get("/mine", headers=issuer.headers(expires_in=-60))
    assert response.status_code == 401
    assert 'error_description="token expired"' in response.headers["www-authenticate"]


async def test_a_valid_token_reaches_the_route(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    response = await client.get("/mine", headers=issuer.headers("staff", sub="s-1"))
    assert response.json() == {"sub": "s-1", "roles": ["staff"]}


async def test_the_wrong_role_is_a_403(client: httpx.AsyncClient, issuer: TestIssuer) -> None:
    response = await client.get("/staff", headers=issuer.headers("customer", customer_id="c"))
    assert response.status_code == 403
    assert response.headers["www-authenticate"].endswith('error="insufficient_scope"')
    assert response.json()["type"] == "urn:orderflow:problem:forbidden"
    allowed = await client.get("/staff", headers=issuer.headers("admin"))
    assert allowed.status_code == 200


def test_require_roles_needs_a_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        require_roles()

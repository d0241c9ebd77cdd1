"""/api/auth forwarding with the identity service played by respx: what goes up, what comes
back, and the answers when identity is down."""

from __future__ import annotations

import httpx
import respx


async def test_the_token_request_goes_up_as_it_came(
    gateway: httpx.AsyncClient, identity_api: respx.MockRouter
) -> None:
    route = identity_api.post("/token").respond(
        200,
        json={"access_token": "t", "token_type": "Bearer", "expires_in": 600},
        headers=[
            ("Cache-Control", "no-store"),
            ("Pragma", "no-cache"),
            ("Set-Cookie", "orderflow_refresh=abc; HttpOnly; Path=/api/auth; SameSite=Strict"),
            ("Set-Cookie", "other=1; Path=/"),
        ],
    )

    response = await gateway.post(
        "/api/auth/token",
        content=b"grant_type=refresh_token&client_id=orderflow-web",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "orderflow_refresh=old",
            "Authorization": "Basic eDp5",
            "X-Forwarded-Proto": "https",
        },
    )

    sent = route.calls.last.request
    assert sent.content == b"grant_type=refresh_token&client_id=orderflow-web"
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert sent.headers["cookie"] == "orderflow_refresh=old"
    assert sent.headers["authorization"] == "Basic eDp5"
    assert sent.headers["x-forwarded-proto"] == "https"
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    assert response.headers.get_list("set-cookie") == [
        "orderflow_refresh=abc; HttpOnly; Path=/api/auth; SameSite=Strict",
        "other=1; Path=/",
    ]


async def test_the_scheme_goes_up_when_no_proxy_said_it(
    gateway: httpx.AsyncClient, identity_api: respx.MockRouter
) -> None:
    route = identity_api.post("/token").respond(400, json={"error": "invalid_request"})

    await gateway.post("/api/auth/token", data={"grant_type": "password"})

    assert route.calls.last.request.headers["x-forwarded-proto"] == "http"


async def test_a_challenge_passes_back(
    gateway: httpx.AsyncClient, identity_api: respx.MockRouter
) -> None:
    identity_api.get("/me").respond(
        401,
        json={"title": "Unauthorized", "status": 401},
        headers={"WWW-Authenticate": 'Bearer realm="orderflow"'},
    )

    response = await gateway.get("/api/auth/me")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="orderflow"'


async def test_identity_down_is_a_503_problem(
    gateway: httpx.AsyncClient, identity_api: respx.MockRouter
) -> None:
    identity_api.post("/token").mock(side_effect=httpx.ConnectError("refused"))

    response = await gateway.post("/api/auth/token", data={"grant_type": "password"})

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:orderflow:problem:upstream-unavailable"


async def test_readiness_includes_the_identity_service(
    gateway: httpx.AsyncClient,
    customer_api: respx.MockRouter,
    order_api: respx.MockRouter,
    identity_api: respx.MockRouter,
) -> None:
    customer_api.get("/readyz").respond(200, json={"status": "ready"})
    order_api.get("/readyz").respond(200, json={"status": "ready"})
    identity_api["readyz"].respond(503, json={"status": 503})

    response = await gateway.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"]["identity"]["status"] == "down"

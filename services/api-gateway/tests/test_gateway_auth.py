"""The gateway's doors: which routes need which caller, and what it passes on (in-process,
upstreams mocked)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import respx
from orderflow_testing import TestIssuer

CUSTOMER_ID = str(uuid.uuid4())
ORDER_ID = str(uuid.uuid4())
PROTECTED = [
    ("GET", "/api/customers"),
    ("POST", "/api/customers"),
    ("GET", f"/api/customers/{CUSTOMER_ID}"),
    ("PATCH", f"/api/customers/{CUSTOMER_ID}"),
    ("GET", f"/api/customers/{CUSTOMER_ID}/orders"),
    ("GET", "/api/orders"),
    ("POST", "/api/orders"),
    ("GET", f"/api/orders/{ORDER_ID}"),
    ("PATCH", f"/api/orders/{ORDER_ID}"),
    ("GET", "/api/dashboard"),
    ("GET", "/api/auth/me"),
]
# Signing in and what a verifier needs: the only /api routes open to anyone.
OPEN = {
    "/api/auth/token",
    "/api/auth/.well-known/openid-configuration",
    "/api/auth/jwks.json",
}
STAFF_ONLY = [("GET", "/api/customers"), ("GET", "/api/customers?q=ada"), ("GET", "/api/dashboard")]


def order(customer_id: str = CUSTOMER_ID) -> dict[str, Any]:
    return {
        "id": ORDER_ID,
        "customer_id": customer_id,
        "status": "PENDING",
        "items": [],
        "total_cents": 0,
        "currency": "USD",
        "notes": None,
        "version": 1,
        "allowed_transitions": ["CANCELLED"],
        "created_by": "someone",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }


def _body(path: str) -> dict[str, Any]:
    """A body of the media type the route takes (logout's is a form, as RFC 6749's are)."""
    return {"data": {"refresh_token": "x"}} if path.endswith("/logout") else {"json": {}}


@pytest.fixture
def anonymous(gateway: httpx.AsyncClient) -> httpx.AsyncClient:
    gateway.headers.pop("Authorization")
    return gateway


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_no_token_is_a_401_challenge(
    anonymous: httpx.AsyncClient, order_api: respx.MockRouter, method: str, path: str
) -> None:
    response = await anonymous.request(method, path, **_body(path))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="orderflow"'
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401
    assert not order_api.calls


async def test_signing_out_needs_a_caller_too(anonymous: httpx.AsyncClient) -> None:
    """Its body is a form, or nothing (the browser's cookie): no JSON to send it."""
    response = await anonymous.post("/api/auth/logout")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="orderflow"'


@pytest.mark.parametrize(("method", "path"), PROTECTED)
async def test_a_bad_token_is_a_401_invalid_token(
    anonymous: httpx.AsyncClient, issuer: TestIssuer, method: str, path: str
) -> None:
    token = issuer.token(expires_in=-60)
    response = await anonymous.request(
        method, path, headers={"Authorization": f"Bearer {token}"}, **_body(path)
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == (
        'Bearer realm="orderflow", error="invalid_token", error_description="token expired"'
    )
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("method", "path"), STAFF_ONLY)
async def test_a_customer_may_not_list_search_or_see_the_dashboard(
    anonymous: httpx.AsyncClient,
    issuer: TestIssuer,
    customer_api: respx.MockRouter,
    method: str,
    path: str,
) -> None:
    headers = issuer.headers("customer", customer_id=CUSTOMER_ID)
    response = await anonymous.request(method, path, headers=headers)
    assert response.status_code == 403
    assert response.headers["www-authenticate"] == (
        'Bearer realm="orderflow", error="insufficient_scope"'
    )
    assert not customer_api.calls


async def test_a_token_without_an_orderflow_role_is_403(
    anonymous: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    token = issuer.token(roles=["superuser"])
    response = await anonymous.get("/api/orders", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/healthz", "/metrics", "/openapi.json", "/docs"])
async def test_probes_metrics_and_docs_stay_open(anonymous: httpx.AsyncClient, path: str) -> None:
    assert (await anonymous.get(path)).status_code == 200


async def test_every_upstream_call_carries_the_callers_token_and_no_forged_identity(
    anonymous: httpx.AsyncClient,
    issuer: TestIssuer,
    customer_api: respx.MockRouter,
    order_api: respx.MockRouter,
) -> None:
    headers = issuer.headers("customer", customer_id=CUSTOMER_ID)
    forged = {
        "X-User-Id": "admin",
        "X-Roles": "admin",
        "X-Customer-Id": str(uuid.uuid4()),
        "X-Forwarded-User": "admin",
        "X-Remote-User": "admin",
        "X-Principal": "admin",
        "X-Auth-Request-User": "admin",
    }
    listed = order_api.get("/orders").respond(200, json={"items": [order()], "next_cursor": None})
    batch = customer_api.post("/customers/batch").respond(
        200, json={"items": [{"id": CUSTOMER_ID, "name": "Ada", "email": "a@example.com"}]}
    )
    response = await anonymous.get("/api/orders", headers={**headers, **forged})
    assert response.status_code == 200
    assert response.json()["items"][0]["customer"]["name"] == "Ada"
    for route in (listed, batch):
        sent = route.calls.last.request.headers
        assert sent["authorization"] == headers["Authorization"]
        assert not {name.lower() for name in forged} & set(sent.keys())


async def test_the_dashboard_asks_with_the_callers_token(
    gateway: httpx.AsyncClient, customer_api: respx.MockRouter, order_api: respx.MockRouter
) -> None:
    stats = customer_api.get("/customers/stats").respond(200, json={"total": 0})
    order_stats = order_api.get("/orders/stats").respond(
        200, json={"total": 0, "by_status": {}, "revenue_cents": 0, "currency": "USD"}
    )
    order_api.get("/orders").respond(200, json={"items": [], "next_cursor": None})
    assert (await gateway.get("/api/dashboard")).status_code == 200
    for route in (stats, order_stats):
        assert route.calls.last.request.headers["authorization"] == gateway.headers["authorization"]


async def test_openapi_documents_the_sign_in(anonymous: httpx.AsyncClient) -> None:
    document = (await anonymous.get("/openapi.json")).json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["password"]["flows"]["password"]["tokenUrl"] == "/api/auth/token"
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schemes["bearer"]["description"],
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/") and path not in OPEN:
                assert {"password": []} in operation["security"], (method, path)
                assert {"bearer": []} in operation["security"], (method, path)
                assert {"401", "403"} <= set(operation["responses"]), (method, path)
            else:
                assert "security" not in operation, (method, path)
    docs = (await anonymous.get("/docs")).text
    assert '"clientId": "orderflow-web"' in docs

"""The public API contract, end to end: the gateway in-process in front of the real
customer and order apps in-process (httpx ASGI transports, in-memory SQLite). No mocks."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_gateway.main import create_app
from api_gateway.transports import HttpxTransport
from asgi_lifespan import LifespanManager
from chassis import MEMORY_DATABASE_URL
from orderflow_testing import TestIssuer, app_client, sample, state_per_request

from .conftest import fast_settings

customer_main = pytest.importorskip("customer_service.main")
order_main = pytest.importorskip("order_service.main")
identity_main = pytest.importorskip("identity_service.main")
from customer_service.settings import CustomerSettings  # noqa: E402
from identity_service.settings import IdentitySettings  # noqa: E402
from order_service.settings import OrderSettings  # noqa: E402

PROBLEM = "application/problem+json"
FAST_HASHING: dict[str, Any] = {
    "argon2_time_cost": 1,
    "argon2_memory_kib": 1024,
    "argon2_parallelism": 1,
}
ITEMS = [
    {"sku": "AE-1", "name": "Analytical engine", "quantity": 2, "unit_price_cents": 1250},
    {"sku": "PC-7", "name": "Punched cards", "quantity": 1, "unit_price_cents": 99},
]


def in_process(app: Any, base_url: str) -> HttpxTransport:
    return HttpxTransport(
        httpx.AsyncClient(base_url=base_url, transport=httpx.ASGITransport(app=app))
    )


@pytest.fixture(scope="module")
def issuer() -> Iterator[TestIssuer]:
    """Tokens naming the public URL of /api/auth, as the identity service's do: the refresh
    cookie's path comes from it."""
    with TestIssuer(issuer="http://localhost:8000/api/auth") as test_issuer:
        yield test_issuer


@pytest.fixture
def order_currency() -> str:
    """The order service's ``ORDER_CURRENCY``; a test parametrizes it to change it."""
    return "USD"


@pytest.fixture
async def api(
    issuer: TestIssuer, tmp_path: Path, order_currency: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The four apps in-process, each verifying tokens of ``issuer``, whose key the identity
    service signs with; signed in as staff."""
    auth = issuer.settings()
    customer_app = customer_main.create_app(
        CustomerSettings(database_url=MEMORY_DATABASE_URL, access_log=False, **auth)
    )
    async with LifespanManager(state_per_request(customer_app)) as customer:
        order_app = order_main.create_app(
            OrderSettings(
                database_url=MEMORY_DATABASE_URL,
                access_log=False,
                currency=order_currency,
                **auth,
            ),
            customer_transport=httpx.ASGITransport(app=customer.app),
        )
        identity_app = identity_main.create_app(
            IdentitySettings(
                database_url=MEMORY_DATABASE_URL,
                issuer=issuer.issuer,
                signing_keys={issuer.kid: issuer.private_key_pem()},
                demo_accounts=True,
                customer_link_retry_max_seconds=0.05,
                access_log=False,
                **FAST_HASHING,
            ),
            customer_transport=httpx.ASGITransport(app=customer.app),
        )
        async with (
            LifespanManager(state_per_request(order_app)) as order,
            LifespanManager(state_per_request(identity_app)) as identity,
        ):
            await linked(identity.app)
            gateway = create_app(
                fast_settings(**auth),
                customer_transport=in_process(customer.app, "http://customer"),
                order_transport=in_process(order.app, "http://order"),
                identity_transport=in_process(identity.app, "http://identity"),
            )
            async with app_client(gateway, headers=issuer.headers("staff")) as client:
                yield client


async def linked(identity_app: Any) -> None:
    """Until the identity service has linked its demo customer (it is ready then)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=identity_app), base_url="http://identity"
    ) as probe:
        for _ in range(500):
            if (await probe.get("/readyz")).status_code == 200:
                return
            await asyncio.sleep(0.02)
    raise AssertionError("the identity service never linked its demo customer")


async def new_customer(api: httpx.AsyncClient, name: str = "Ada Lovelace") -> dict[str, Any]:
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:6]}@example.com"
    response = await api.post("/api/customers", json={"name": name, "email": email})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def new_order(api: httpx.AsyncClient, customer_id: str, **extra: Any) -> httpx.Response:
    return await api.post("/api/orders", json={"customer_id": customer_id, "items": ITEMS, **extra})


# Customers


async def test_create_and_read_a_customer(api: httpx.AsyncClient) -> None:
    created = await api.post("/api/customers", json={"name": " Ada ", "email": "Ada@Example.com"})

    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "name", "email", "created_by", "created_at", "updated_at"}
    assert (body["name"], body["email"]) == ("Ada", "Ada@Example.com")
    assert created.headers["location"] == f"/api/customers/{body['id']}"
    fetched = await api.get(created.headers["location"])
    assert fetched.status_code == 200
    assert fetched.json() == body


async def test_a_taken_email_any_case_is_409(api: httpx.AsyncClient) -> None:
    await api.post("/api/customers", json={"name": "Ada", "email": "ada@example.com"})

    again = await api.post("/api/customers", json={"name": "Ada", "email": "ADA@example.com"})

    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM
    assert again.json()["status"] == 409


async def test_invalid_customers_are_422_listing_each_field(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/customers", json={"name": "", "email": "not-an-email"})

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert {e["field"] for e in response.json()["errors"]} == {"name", "email"}


async def test_an_unknown_customer_is_404(api: httpx.AsyncClient) -> None:
    response = await api.get(f"/api/customers/{uuid.uuid4()}")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


async def test_customer_pages_search_and_cursor(api: httpx.AsyncClient) -> None:
    names = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Ada Yonath"]
    for name in names:
        await new_customer(api, name)

    first = (await api.get("/api/customers", params={"limit": 2})).json()
    second = await api.get("/api/customers", params={"limit": 2, "cursor": first["next_cursor"]})
    search = (await api.get("/api/customers", params={"q": "ADA"})).json()
    bad = await api.get("/api/customers", params={"cursor": "garbage"})

    assert [c["name"] for c in first["items"]] == ["Ada Yonath", "Edsger Dijkstra"]
    assert [c["name"] for c in second.json()["items"]] == ["Grace Hopper", "Alan Turing"]
    assert {c["name"] for c in search["items"]} == {"Ada Lovelace", "Ada Yonath"}
    assert search["next_cursor"] is None
    assert bad.status_code == 422
    assert bad.headers["content-type"] == PROBLEM


async def test_update_a_customer(api: httpx.AsyncClient) -> None:
    ada, grace = await new_customer(api), await new_customer(api, "Grace Hopper")

    renamed = await api.patch(f"/api/customers/{ada['id']}", json={"name": "Countess"})
    taken = await api.patch(f"/api/customers/{ada['id']}", json={"email": grace["email"]})
    invalid = await api.patch(f"/api/customers/{ada['id']}", json={"name": None})
    missing = await api.patch(f"/api/customers/{uuid.uuid4()}", json={"name": "X"})

    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Countess"
    assert (taken.status_code, invalid.status_code, missing.status_code) == (409, 422, 404)


# Orders


async def test_create_an_order_with_its_customer(api: httpx.AsyncClient) -> None:
    ada = await new_customer(api)

    created = await new_order(api, ada["id"], notes="fragile")

    assert created.status_code == 201, created.text
    order = created.json()
    assert order["status"] == "PENDING"
    assert order["total_cents"] == 2 * 1250 + 99
    assert order["currency"] == "USD"
    assert order["notes"] == "fragile"
    assert order["customer"] == {"id": ada["id"], "name": ada["name"], "email": ada["email"]}
    assert order["unavailable"] == []
    assert created.headers["location"] == f"/api/orders/{order['id']}"
    assert created.headers["etag"] == '"1"'


@pytest.mark.parametrize("order_currency", ["EUR"])
async def test_the_currency_is_the_order_services_setting_everywhere(
    api: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    ada = await new_customer(api)
    as_customer = issuer.headers("customer", customer_id=ada["id"])
    config = await api.get("/api/config", headers=as_customer)
    assert (config.status_code, config.json()) == (200, {"currency": "EUR"})

    assert (await new_order(api, ada["id"])).json()["currency"] == "EUR"
    dashboard = (await api.get("/api/dashboard")).json()
    assert (dashboard["revenue_cents"], dashboard["currency"]) == (2 * 1250 + 99, "EUR")


async def test_the_config_needs_a_signed_in_caller(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/config", headers={"Authorization": ""})
    assert response.status_code == 401


async def test_orders_for_unknown_customers_or_bad_items_are_422(
    api: httpx.AsyncClient,
) -> None:
    ada = await new_customer(api)
    unknown = await new_order(api, str(uuid.uuid4()))
    bad_items = await api.post(
        "/api/orders",
        json={"customer_id": ada["id"], "items": [{**ITEMS[0], "quantity": 0}]},
    )
    no_items = await api.post("/api/orders", json={"customer_id": ada["id"], "items": []})
    client_total = await new_order(api, ada["id"], total_cents=1)

    for response in (unknown, bad_items, no_items, client_total):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM
    assert (await api.get("/api/orders")).json()["items"] == []


async def test_idempotent_creation(api: httpx.AsyncClient) -> None:
    ada = await new_customer(api)
    body = {"customer_id": ada["id"], "items": ITEMS}
    key = {"Idempotency-Key": "checkout-1"}

    first = await api.post("/api/orders", json=body, headers=key)
    repeat = await api.post("/api/orders", json=body, headers=key)
    other_body = await api.post("/api/orders", json={**body, "notes": "x"}, headers=key)

    assert first.status_code == repeat.status_code == 201
    assert repeat.json()["id"] == first.json()["id"]
    assert repeat.headers["idempotent-replayed"] == "true"
    assert other_body.status_code == 422
    assert len((await api.get("/api/orders")).json()["items"]) == 1


async def test_read_and_list_orders_with_customers_and_filters(api: httpx.AsyncClient) -> None:
    ada, grace = await new_customer(api), await new_customer(api, "Grace Hopper")
    a1 = (await new_order(api, ada["id"])).json()
    g1 = (await new_order(api, grace["id"])).json()
    a2 = (await new_order(api, ada["id"])).json()
    await api.patch(f"/api/orders/{a1['id']}", json={"status": "CONFIRMED"})

    one = await api.get(f"/api/orders/{g1['id']}")
    page = (await api.get("/api/orders", params={"limit": 2})).json()
    rest = (await api.get("/api/orders", params={"cursor": page["next_cursor"]})).json()
    confirmed = (await api.get("/api/orders", params={"status": "CONFIRMED"})).json()
    of_ada = (await api.get("/api/orders", params={"customer_id": ada["id"]})).json()

    assert one.status_code == 200
    assert one.headers["etag"] == '"1"'
    assert one.json()["customer"]["name"] == "Grace Hopper"
    assert one.json()["unavailable"] == []
    assert [o["id"] for o in page["items"]] == [a2["id"], g1["id"]]
    assert [o["customer"]["id"] for o in page["items"]] == [ada["id"], grace["id"]]
    assert page["unavailable"] == []
    assert [o["id"] for o in rest["items"]] == [a1["id"]]
    assert rest["next_cursor"] is None
    assert [o["id"] for o in confirmed["items"]] == [a1["id"]]
    assert [o["id"] for o in of_ada["items"]] == [a2["id"], a1["id"]]
    assert (await api.get(f"/api/orders/{uuid.uuid4()}")).status_code == 404
    assert (await api.get("/api/orders", params={"status": "LOST"})).status_code == 422


async def test_the_order_lifecycle(api: httpx.AsyncClient) -> None:
    ada = await new_customer(api)
    order = (await new_order(api, ada["id"])).json()
    url = f"/api/orders/{order['id']}"

    confirmed = await api.patch(url, json={"status": "CONFIRMED"}, headers={"If-Match": '"1"'})
    stale = await api.patch(url, json={"status": "SHIPPED"}, headers={"If-Match": '"1"'})
    skipped = await api.patch(url, json={"status": "DELIVERED"})
    shipped = await api.patch(url, json={"status": "SHIPPED"}, headers={"If-Match": '"2"'})
    cancelled = await api.patch(url, json={"status": "CANCELLED"})
    missing = await api.patch(f"/api/orders/{uuid.uuid4()}", json={"status": "CONFIRMED"})
    invalid = await api.patch(url, json={"status": "LOST"})

    assert confirmed.status_code == 200
    assert confirmed.headers["etag"] == '"2"'
    assert confirmed.json()["status"] == "CONFIRMED"
    assert confirmed.json()["customer"]["id"] == ada["id"]
    assert stale.status_code == 412
    assert skipped.status_code == 409
    assert shipped.status_code == 200
    assert cancelled.status_code == 409
    assert (missing.status_code, invalid.status_code) == (404, 422)
    for response in (stale, skipped, cancelled, missing, invalid):
        assert response.headers["content-type"] == PROBLEM


async def test_a_customers_orders(api: httpx.AsyncClient) -> None:
    ada, grace = await new_customer(api), await new_customer(api, "Grace Hopper")
    mine = [(await new_order(api, ada["id"])).json() for _ in range(3)]
    await new_order(api, grace["id"])

    page = (await api.get(f"/api/customers/{ada['id']}/orders", params={"limit": 2})).json()
    rest = await api.get(
        f"/api/customers/{ada['id']}/orders", params={"cursor": page["next_cursor"]}
    )
    unknown = await api.get(f"/api/customers/{uuid.uuid4()}/orders")

    assert [o["id"] for o in page["items"]] == [mine[2]["id"], mine[1]["id"]]
    assert all(o["customer"]["email"] == ada["email"] for o in page["items"])
    assert page["unavailable"] == []
    assert [o["id"] for o in rest.json()["items"]] == [mine[0]["id"]]
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == PROBLEM


# Dashboard and operations


async def test_the_dashboard(api: httpx.AsyncClient) -> None:
    ada, grace = await new_customer(api), await new_customer(api, "Grace Hopper")
    orders = [(await new_order(api, c["id"])).json() for c in (ada, grace, ada)]
    await api.patch(f"/api/orders/{orders[0]['id']}", json={"status": "CANCELLED"})
    await api.patch(f"/api/orders/{orders[1]['id']}", json={"status": "CONFIRMED"})

    response = await api.get("/api/dashboard")

    assert response.status_code == 200
    body = response.json()
    assert body["customers"] == {"total": 3}  # the two and the demo customer's record
    assert body["orders"] == {
        "total": 3,
        "by_status": {
            "PENDING": 1,
            "CONFIRMED": 1,
            "SHIPPED": 0,
            "DELIVERED": 0,
            "CANCELLED": 1,
        },
    }
    assert body["revenue_cents"] == 2 * (2 * 1250 + 99)
    assert [o["id"] for o in body["recent_orders"]] == [o["id"] for o in reversed(orders)]
    assert body["recent_orders"][0]["customer"]["name"] == "Ada Lovelace"
    assert {s["status"] for s in body["services"].values()} == {"up"}
    assert body["unavailable"] == []


async def test_readiness_liveness_and_metrics(api: httpx.AsyncClient) -> None:
    ready = await api.get("/readyz")
    live = await api.get("/healthz")
    calls = ("gateway_upstream_requests_total", {"outcome": "200", "upstream": "order"})
    served = ("http_requests_total", {"method": "GET", "route": "/api/orders", "status": "200"})
    before = (await api.get("/metrics")).text
    await api.get("/api/orders")
    after = (await api.get("/metrics")).text

    assert ready.status_code == 200, ready.text
    assert {name: check["status"] for name, check in ready.json()["checks"].items()} == {
        "customer": "ok",
        "order": "ok",
        "identity": "ok",
    }
    assert live.json() == {"status": "ok"}
    for name, labels in (calls, served):
        assert sample(after, name, **labels) == sample(before, name, **labels) + 1, name


# Sign-in: /api/auth forwarded to the identity service


async def sign_in(api: httpx.AsyncClient, username: str, password: str, **extra: str) -> Any:
    return await api.post(
        "/api/auth/token",
        data={"grant_type": "password", "username": username, "password": password, **extra},
    )


async def test_sign_in_and_me_through_the_gateway(api: httpx.AsyncClient) -> None:
    signed_in = await sign_in(api, "customer@example.com", "orderflow-customer")

    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.headers["cache-control"] == "no-store"
    token = signed_in.json()["access_token"]
    me = await api.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["email"] == "customer@example.com"
    assert body["roles"] == ["customer"]
    customer = await api.get(f"/api/customers/{body['customer_id']}")
    assert customer.json()["email"] == "customer@example.com"


async def test_a_failed_sign_in_passes_through_as_an_oauth_error(api: httpx.AsyncClient) -> None:
    wrong = await sign_in(api, "admin@example.com", "wrong")
    unknown = await sign_in(api, "nobody@example.com", "wrong")

    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"] == "invalid_grant"
    assert wrong.headers["cache-control"] == "no-store"


async def test_client_credentials_by_basic_and_its_401_challenge(api: httpx.AsyncClient) -> None:
    good = await api.post(
        "/api/auth/token",
        data={"grant_type": "client_credentials"},
        auth=("orderflow-cli", "orderflow-cli-secret"),
    )
    bad = await api.post(
        "/api/auth/token", data={"grant_type": "client_credentials"}, auth=("orderflow-cli", "x")
    )

    assert good.status_code == 200, good.text
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"
    assert bad.headers["www-authenticate"].startswith("Basic ")


async def test_the_browsers_cookie_flow_through_the_gateway(api: httpx.AsyncClient) -> None:
    signed_in = await sign_in(
        api, "staff@example.com", "orderflow-staff", client_id="orderflow-web"
    )
    assert signed_in.status_code == 200, signed_in.text
    assert "refresh_token" not in signed_in.json()
    assert "Path=/api/auth" in signed_in.headers["set-cookie"]
    assert "HttpOnly" in signed_in.headers["set-cookie"]
    first = api.cookies["orderflow_refresh"]

    # The client's jar sends the cookie to /api/auth/* by itself, as a browser does.
    refreshed = await api.post(
        "/api/auth/token", data={"grant_type": "refresh_token", "client_id": "orderflow-web"}
    )
    assert refreshed.status_code == 200, refreshed.text
    assert api.cookies["orderflow_refresh"] != first

    out = await api.post("/api/auth/logout")
    assert out.status_code == 204
    assert "orderflow_refresh" not in api.cookies
    after = await api.post(
        "/api/auth/token", data={"grant_type": "refresh_token", "client_id": "orderflow-web"}
    )
    assert after.status_code == 400


async def test_the_cookie_is_secure_behind_a_tls_proxy(api: httpx.AsyncClient) -> None:
    signed_in = await api.post(
        "/api/auth/token",
        data={
            "grant_type": "password",
            "username": "staff@example.com",
            "password": "orderflow-staff",
            "client_id": "orderflow-web",
        },
        headers={"X-Forwarded-Proto": "https"},
    )

    assert "Secure" in signed_in.headers["set-cookie"]


async def test_a_json_token_request_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/api/auth/token",
        json={"grant_type": "password", "username": "a@example.com", "password": "x"},
    )

    # Refused at the gateway's door: the route takes a form, as RFC 6749 says.
    assert response.status_code == 415
    assert response.json()["status"] == 415


async def test_me_without_a_token_is_401_with_a_bearer_challenge(api: httpx.AsyncClient) -> None:
    api.headers.pop("Authorization")

    response = await api.get("/api/auth/me")

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_discovery_and_keys_through_the_gateway(api: httpx.AsyncClient) -> None:
    discovery = await api.get("/api/auth/.well-known/openid-configuration")
    jwks = await api.get("/api/auth/jwks.json")

    assert discovery.status_code == jwks.status_code == 200
    assert discovery.json()["jwks_uri"].endswith("/api/auth/jwks.json")
    assert jwks.json()["keys"][0]["alg"] == "ES256"
    assert "max-age" in jwks.headers["cache-control"]


async def test_the_dashboard_reports_the_identity_service(api: httpx.AsyncClient) -> None:
    body = (await api.get("/api/dashboard")).json()

    assert body["services"]["identity"]["status"] == "up"

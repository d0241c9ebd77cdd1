"""Drill 1: the customer service is SIGKILLed. Orders can no longer be created (503, nothing
written), reads degrade instead of failing, the gateway stays up and says what is down; when
the customer service is back, everything works again without touching the gateway."""

import time

import httpx
import pytest
from orderflow_testing import eventually

from .conftest import StackFactory

pytestmark = pytest.mark.system
FAST_BREAKER = {"gateway": {"GATEWAY_BREAKER_RESET_SECONDS": "1"}}


def _order(customer_id: str) -> dict[str, object]:
    return {
        "customer_id": customer_id,
        "items": [{"sku": "A-1", "name": "Widget", "quantity": 1, "unit_price_cents": 500}],
    }


def test_customer_service_down_then_back(make_stack: StackFactory) -> None:
    stack = make_stack(env=FAST_BREAKER)
    api = httpx.Client(base_url=stack.url, timeout=30, headers=stack.headers())
    customer = api.post("/api/customers", json={"name": "Ada", "email": "ada@example.com"}).json()
    first = api.post("/api/orders", json=_order(customer["id"]))
    assert first.status_code == 201

    stack.customer.kill()

    started = time.monotonic()
    refused = api.post("/api/orders", json=_order(customer["id"]))
    assert refused.status_code == 503
    assert refused.headers["content-type"] == "application/problem+json"
    assert time.monotonic() - started < 5, "a dead dependency must fail fast, not hang"

    listing = api.get("/api/orders")
    assert listing.status_code == 200
    assert [o["id"] for o in listing.json()["items"]] == [first.json()["id"]]  # nothing written
    assert listing.json()["items"][0]["customer"] is None
    assert listing.json()["unavailable"] == ["customer"]

    one = api.get(f"/api/orders/{first.json()['id']}")
    assert one.status_code == 200
    assert one.json()["customer"] is None
    assert one.json()["unavailable"] == ["customer"]

    dashboard = api.get("/api/dashboard")
    assert dashboard.status_code == 200
    assert dashboard.json()["customers"] is None
    assert dashboard.json()["orders"]["total"] == 1
    assert "customer" in dashboard.json()["unavailable"]
    assert dashboard.json()["services"]["customer"]["status"] == "down"

    assert api.get("/healthz").status_code == 200
    ready = api.get("/readyz")
    assert ready.status_code == 503
    assert "customer" in ready.json()["detail"]

    stack.customer.start()

    eventually(lambda: api.get("/readyz").status_code == 200, timeout=20)
    eventually(
        lambda: api.post("/api/orders", json=_order(customer["id"])).status_code == 201,
        timeout=20,
    )
    eventually(lambda: api.get("/api/orders").json()["unavailable"] == [], timeout=20)
    listing = api.get("/api/orders").json()
    assert all(o["customer"]["email"] == "ada@example.com" for o in listing["items"])
    assert api.get("/api/dashboard").json()["unavailable"] == []

"""The order service as a real process beside a real customer service process."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from orderflow_testing import (
    ServiceProcess,
    TestIssuer,
    customer_service,
    order_service,
    run_script,
)

pytestmark = pytest.mark.system


@pytest.fixture
def services(tmp_path: Path, issuer: TestIssuer) -> Iterator[tuple[ServiceProcess, ServiceProcess]]:
    customer = customer_service(
        tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'customer.db'}", issuer=issuer
    )
    order = order_service(
        tmp_path,
        f"sqlite+aiosqlite:///{tmp_path / 'order.db'}",
        issuer=issuer,
        customer_service_url=customer.url,
    )
    try:
        yield customer.start(), order.start()
    finally:
        order.stop()
        customer.stop()


def test_orders_are_checked_acknowledged_and_survive_sigkill(
    services: tuple[ServiceProcess, ServiceProcess], issuer: TestIssuer
) -> None:
    customer, order = services
    staff = issuer.headers("staff")
    customer_id = httpx.post(
        f"{customer.url}/customers",
        json={"name": "Ada", "email": "ada@example.com"},
        headers=staff,
    ).json()["id"]
    body = {
        "customer_id": customer_id,
        "items": [{"sku": "A", "name": "Widget", "quantity": 3, "unit_price_cents": 250}],
    }
    created = httpx.post(
        f"{order.url}/orders", json=body, headers={**staff, "X-Request-ID": "sys-1"}
    )
    assert created.status_code == 201, created.text
    assert created.headers["x-request-id"] == "sys-1"
    assert created.json()["total_cents"] == 750
    # The request id went on to the customer service with the check.
    assert '"request_id": "sys-1"' in customer.logs()

    order.kill()
    order.start()
    fetched = httpx.get(f"{order.url}/orders/{created.json()['id']}", headers=staff)
    assert fetched.json() == created.json()

    customer.stop()
    refused = httpx.post(f"{order.url}/orders", json=body, headers=staff)
    assert refused.status_code == 503
    assert httpx.get(f"{order.url}/orders/stats", headers=staff).json()["total"] == 1
    assert httpx.get(f"{order.url}/readyz").status_code == 200  # reads still work


def test_migrate_command_creates_the_schema_and_exits(tmp_path: Path) -> None:
    db = tmp_path / "order.db"
    result = run_script(
        "orderflow-order", "migrate", env={"ORDER_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert db.exists()

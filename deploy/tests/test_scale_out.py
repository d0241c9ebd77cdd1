"""Two order-service processes on one PostgreSQL database, each behind its own gateway: what
the API promises about lifecycle, idempotency and concurrent updates holds across them, so
the service can run as many replicas as Kubernetes likes (nothing shared lives in memory)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from orderflow_testing import ServiceProcess, TestIssuer, auth_env, customer_service, free_port
from orderflow_testing.postgres import PostgresServer

pytestmark = [pytest.mark.system, pytest.mark.postgres]

ITEMS = [{"sku": "SKU-1", "name": "Widget", "quantity": 2, "unit_price_cents": 1250}]


@dataclass
class ScaledOut:
    gateways: list[str]  # base URLs; gateway i talks to order replica i
    customer_id: str
    headers: dict[str, str]  # one staff member, signed in


@pytest.fixture(scope="module")
def system(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer, issuer: TestIssuer
) -> Iterator[ScaledOut]:
    logs = tmp_path_factory.mktemp("scale-out")
    order_db = postgres_server.create_database("orderflow_scale")
    customer = customer_service(
        logs, postgres_server.create_database("orderflow_scale"), issuer=issuer
    )
    customer_url = customer.url
    processes = [customer]
    for replica in ("a", "b"):
        order_port, gateway_port = free_port(), free_port()
        processes.append(
            ServiceProcess(
                f"order-{replica}",
                "orderflow-order",
                port=order_port,
                log_dir=logs,
                env={
                    "ORDER_PORT": str(order_port),
                    "ORDER_DATABASE_URL": order_db,
                    "ORDER_CUSTOMER_SERVICE_URL": customer_url,
                    **auth_env("ORDER", issuer),
                },
            )
        )
        processes.append(
            ServiceProcess(
                f"gateway-{replica}",
                "orderflow-gateway",
                port=gateway_port,
                log_dir=logs,
                env={
                    "GATEWAY_HOST": "127.0.0.1",
                    "GATEWAY_PORT": str(gateway_port),
                    "GATEWAY_CUSTOMER_SERVICE_URL": customer_url,
                    "GATEWAY_ORDER_SERVICE_URL": f"http://127.0.0.1:{order_port}",
                    **auth_env("GATEWAY", issuer),
                },
            )
        )
    try:
        # Both order replicas start together on an empty database: their start-up migrations
        # race, as replicas' init containers do, and must take turns.
        for process in processes:
            process.start(wait=False)
        for process in processes:
            process.wait_ready(60)
        gateways = [p.url for p in processes if p.name.startswith("gateway")]
        staff = issuer.headers("staff")
        created = httpx.post(
            f"{gateways[0]}/api/customers",
            json={"name": "Grace", "email": f"grace-{uuid.uuid4().hex[:8]}@example.com"},
            headers=staff,
        )
        assert created.status_code == 201, created.text
        yield ScaledOut(gateways, created.json()["id"], staff)
    finally:
        for process in reversed(processes):
            process.stop()


def create_order(system: ScaledOut, gateway: str, key: str | None = None) -> httpx.Response:
    headers = {**system.headers, **({"Idempotency-Key": key} if key else {})}
    return httpx.post(
        f"{gateway}/api/orders",
        json={"customer_id": system.customer_id, "items": ITEMS},
        headers=headers,
        timeout=15,
    )


def test_an_order_written_by_one_replica_moves_through_its_lifecycle_on_the_other(
    system: ScaledOut,
) -> None:
    a, b = system.gateways
    order = create_order(system, a).json()

    confirmed = httpx.patch(
        f"{b}/api/orders/{order['id']}", json={"status": "CONFIRMED"}, headers=system.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    assert (
        httpx.get(f"{a}/api/orders/{order['id']}", headers=system.headers).json()["status"]
        == "CONFIRMED"
    )

    skipped = httpx.patch(
        f"{a}/api/orders/{order['id']}", json={"status": "DELIVERED"}, headers=system.headers
    )
    assert skipped.status_code == 409
    assert (
        httpx.get(f"{b}/api/orders/{order['id']}", headers=system.headers).json()["status"]
        == "CONFIRMED"
    )


def test_a_repeated_idempotent_create_on_both_replicas_makes_one_order(
    system: ScaledOut,
) -> None:
    key = uuid.uuid4().hex
    gateways = system.gateways * 10
    with ThreadPoolExecutor(max_workers=len(gateways)) as pool:
        answers = list(pool.map(lambda g: create_order(system, g, key), gateways))

    assert {a.status_code for a in answers} <= {200, 201}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1

    other_body = httpx.post(
        f"{system.gateways[1]}/api/orders",
        json={"customer_id": system.customer_id, "items": ITEMS, "notes": "different"},
        headers={**system.headers, "Idempotency-Key": key},
    )
    assert other_body.status_code == 422


def test_concurrent_updates_of_one_version_across_replicas_let_exactly_one_win(
    system: ScaledOut,
) -> None:
    order = create_order(system, system.gateways[0]).json()
    etag = f'"{order["version"]}"'
    gateways = system.gateways * 8

    def confirm(gateway: str) -> int:
        return httpx.patch(
            f"{gateway}/api/orders/{order['id']}",
            json={"status": "CONFIRMED"},
            headers={**system.headers, "If-Match": etag},
            timeout=15,
        ).status_code

    with ThreadPoolExecutor(max_workers=len(gateways)) as pool:
        statuses = list(pool.map(confirm, gateways))

    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 409, 412}, statuses
    final = httpx.get(
        f"{system.gateways[1]}/api/orders/{order['id']}", headers=system.headers
    ).json()
    assert final["status"] == "CONFIRMED"
    assert final["version"] == order["version"] + 1

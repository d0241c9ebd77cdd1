"""Two order-service and two identity-service processes on PostgreSQL, each pair behind its own
gateway: lifecycle, idempotency, concurrent updates and refresh-token rotation hold across them,
so the services can run as many replicas as Kubernetes likes (nothing shared lives in memory)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from orderflow_testing import (
    FAST_PASSWORD_HASHING,
    ServiceProcess,
    TestIssuer,
    auth_env,
    customer_service,
    free_port,
    identity_service,
    run_script,
)
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
    identity_db = postgres_server.create_database("orderflow_scale")
    added = run_script(
        "orderflow-identity",
        *("add-user", "--email", "staff@example.com", "--name", "Staff"),
        *("--password", "scale-out-staff", "--role", "staff"),
        env={"IDENTITY_DATABASE_URL": identity_db, **FAST_PASSWORD_HASHING},
    )
    assert added.returncode == 0, added.stderr
    for replica in ("a", "b"):
        order_port, gateway_port = free_port(), free_port()
        # Both replicas share the signing key (one file: the first to start makes it).
        identity = identity_service(logs, identity_db, demo_accounts=False, **FAST_PASSWORD_HASHING)
        identity.name = f"identity-{replica}"
        identity.log_path = logs / f"identity-{replica}.log"
        processes.append(identity)
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
                    "GATEWAY_IDENTITY_SERVICE_URL": identity.url,
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


def refresh(gateway: str, token: str) -> httpx.Response:
    return httpx.post(
        f"{gateway}/api/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": token},
        timeout=15,
    )


def test_a_refresh_token_rotates_on_either_identity_replica_and_reuse_is_caught_by_both(
    system: ScaledOut,
) -> None:
    a, b = system.gateways
    signed_in = httpx.post(
        f"{a}/api/auth/token",
        data={
            "grant_type": "password",
            "username": "staff@example.com",
            "password": "scale-out-staff",
        },
        timeout=15,
    )
    assert signed_in.status_code == 200, signed_in.text
    first = signed_in.json()["refresh_token"]

    rotated = refresh(b, first)
    reused = refresh(a, first)
    successor = refresh(b, rotated.json()["refresh_token"])

    assert rotated.status_code == 200, rotated.text
    assert reused.json()["error"] == "invalid_grant"
    assert successor.status_code == 400, "the reuse revoked the family on every replica"
    assert (
        httpx.get(f"{a}/api/auth/jwks.json").json() == httpx.get(f"{b}/api/auth/jwks.json").json()
    )

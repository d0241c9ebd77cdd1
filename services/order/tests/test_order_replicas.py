"""Two order processes on one PostgreSQL database: they migrate in turn as they start together,
and idempotency keys and versions hold across them (nothing shared lives in memory)."""

import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from orderflow_testing import (
    PostgresServer,
    TestIssuer,
    customer_service,
    order_service,
)

pytestmark = [pytest.mark.system, pytest.mark.postgres]
BODY = {"items": [{"sku": "A", "name": "Widget", "quantity": 2, "unit_price_cents": 250}]}


@pytest.fixture(scope="module")
def replicas(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer, issuer: TestIssuer
) -> Iterator[tuple[list[str], str]]:
    logs: Path = tmp_path_factory.mktemp("order-replicas")
    customer = customer_service(
        logs, postgres_server.create_database("orderflow_replicas"), issuer=issuer
    )
    order_db = postgres_server.create_database("orderflow_replicas")
    orders = []
    for name in ("a", "b"):
        orders.append(
            order_service(
                logs,
                order_db,
                issuer=issuer,
                customer_service_url=customer.url,
                name=f"order-{name}",
            )
        )
    processes = [customer, *orders]
    try:
        for process in processes:  # both replicas migrate the empty database at once
            process.start(wait=False)
        for process in processes:
            process.wait_ready(60)
        created = httpx.post(
            f"{customer.url}/customers",
            json={"name": "Grace", "email": "grace@example.com"},
            headers=issuer.headers("staff"),
        )
        yield [o.url for o in orders], created.json()["id"]
    finally:
        for process in reversed(processes):
            process.stop()


def test_one_key_on_both_replicas_makes_one_order(
    replicas: tuple[list[str], str], issuer: TestIssuer
) -> None:
    urls, customer_id = replicas
    key = uuid.uuid4().hex

    def create(url: str) -> httpx.Response:
        return httpx.post(
            f"{url}/orders",
            json={"customer_id": customer_id, **BODY},
            headers={**issuer.headers("staff"), "Idempotency-Key": key},
            timeout=15,
        )

    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(create, urls * 6))
    assert [a.status_code for a in answers] == [201] * 12, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 11


def test_one_version_on_both_replicas_lets_one_update_win(
    replicas: tuple[list[str], str], issuer: TestIssuer
) -> None:
    urls, customer_id = replicas
    staff = issuer.headers("staff")
    order = httpx.post(
        f"{urls[0]}/orders", json={"customer_id": customer_id, **BODY}, headers=staff
    ).json()

    def confirm(url: str) -> int:
        return httpx.patch(
            f"{url}/orders/{order['id']}",
            json={"status": "CONFIRMED"},
            headers={**staff, "If-Match": '"1"'},
            timeout=15,
        ).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(confirm, urls * 8))
    assert Counter(statuses) == {200: 1, 412: 15}
    final = httpx.get(f"{urls[1]}/orders/{order['id']}", headers=staff).json()
    assert (final["status"], final["version"]) == ("CONFIRMED", 2)

"""Attacks on the doors, against real processes on SQLite and on PostgreSQL: forged, stale and
foreign tokens, made-up keys, forged identity headers, and one customer reaching for another's
data. Every one is refused, nothing is written, and the services refuse on their own too."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from orderflow_testing import (
    PostgresServer,
    ServiceProcess,
    Stack,
    TestIssuer,
    gateway_service,
)

pytestmark = pytest.mark.system
ITEMS = [{"sku": "AT-1", "name": "Lock pick", "quantity": 1, "unit_price_cents": 100}]


@dataclass
class World:
    stack: Stack
    issuer: TestIssuer
    ada: dict[str, Any]  # a customer with an order
    grace: dict[str, Any]  # another, with an order
    ada_order: dict[str, Any]
    grace_order: dict[str, Any]

    def as_customer(self, who: dict[str, Any]) -> dict[str, str]:
        return self.issuer.headers("customer", customer_id=who["id"])

    def staff(self) -> httpx.Client:
        return httpx.Client(base_url=self.stack.url, headers=self.issuer.headers("staff"))

    def counts(self) -> tuple[int, int]:
        with self.staff() as api:
            figures = api.get("/api/dashboard").json()
        return figures["customers"]["total"], figures["orders"]["total"]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    databases: dict[str, str] = {}
    if request.param == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        databases = {
            "customer_db": server.create_database("orderflow_attacks"),
            "order_db": server.create_database("orderflow_attacks"),
        }
    with TestIssuer() as issuer:
        stack = Stack(
            tmp_path_factory.mktemp(f"attacks-{request.param}"), issuer=issuer, **databases
        )
        stack.start()
        try:
            with httpx.Client(base_url=stack.url, headers=issuer.headers("staff")) as api:
                people = [
                    api.post("/api/customers", json={"name": n, "email": f"{n}@example.com"}).json()
                    for n in ("ada", "grace")
                ]
                orders = [
                    api.post("/api/orders", json={"customer_id": p["id"], "items": ITEMS}).json()
                    for p in people
                ]
            yield World(stack, issuer, people[0], people[1], orders[0], orders[1])
        finally:
            stack.stop()


def forged_tokens(issuer: TestIssuer) -> dict[str, str]:
    """Every token below would let an attacker in if a check were missing."""
    genuine = issuer.token(roles=["customer"], customer_id=str(uuid.uuid4()))
    now = time.time()
    return {
        "malformed": "not.a.jwt",
        "garbage": "a" * 40,
        "expired": issuer.token(expires_in=-120),
        "not yet valid": issuer.token(nbf=now + 600),
        "wrong issuer": issuer.token(issuer="https://evil.example"),
        "wrong audience": issuer.token(audience="another-api"),
        "no sub": issuer.token(omit=["sub"]),
        "no exp": issuer.token(omit=["exp"]),
        "alg none": issuer.forged_unsigned(),
        "hs256 with the public key": issuer.forged_hs256(),
        "tampered roles": issuer.tampered(genuine, roles=["admin"]),
        "unknown kid": issuer.token(kid=issuer.add_key(publish=False)),
    }


@pytest.fixture(scope="module")
def forgeries(world: World) -> dict[str, str]:
    return forged_tokens(world.issuer)


def test_no_token_anywhere_is_a_401(world: World) -> None:
    urls = [
        f"{world.stack.url}/api/orders",
        f"{world.stack.url}/api/customers/{world.ada['id']}",
        f"{world.stack.customer.url}/customers/{world.ada['id']}",
        f"{world.stack.order.url}/orders",
        f"{world.stack.customer.url}/customers/stats",
        f"{world.stack.order.url}/orders/stats",
    ]
    for url in urls:
        response = httpx.get(url)
        assert response.status_code == 401, url
        assert response.headers["www-authenticate"] == 'Bearer realm="orderflow"', url
        assert response.headers["content-type"] == "application/problem+json"
    written = httpx.post(f"{world.stack.order.url}/orders", json={"items": ITEMS})
    assert written.status_code == 401


@pytest.mark.parametrize("target", ["gateway", "customer", "order"])
def test_forged_and_stale_tokens_are_refused_everywhere(
    world: World, forgeries: dict[str, str], target: str
) -> None:
    path = {
        "gateway": f"/api/customers/{world.ada['id']}",
        "customer": f"/customers/{world.ada['id']}",
        "order": f"/orders/{world.ada_order['id']}",
    }[target]
    base = getattr(world.stack, target).url
    for name, token in forgeries.items():
        response = httpx.get(base + path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, f"{target}: {name}: {response.text}"
        assert response.headers["www-authenticate"].startswith(
            'Bearer realm="orderflow", error="invalid_token"'
        ), name


def test_forged_tokens_write_nothing(world: World, forgeries: dict[str, str]) -> None:
    before = world.counts()
    for token in forgeries.values():
        headers = {"Authorization": f"Bearer {token}"}
        body = {"customer_id": world.ada["id"], "items": ITEMS}
        assert (
            httpx.post(f"{world.stack.url}/api/orders", json=body, headers=headers).status_code
            == 401
        )
        created = httpx.post(
            f"{world.stack.url}/api/customers",
            json={"name": "Eve", "email": f"eve-{uuid.uuid4().hex[:6]}@example.com"},
            headers=headers,
        )
        assert created.status_code == 401
    assert world.counts() == before


def gateway_for(world: World, issuer: TestIssuer, log_dir: Path, **env: str) -> ServiceProcess:
    """Another gateway in front of the world's services, trusting ``issuer``."""
    return gateway_service(
        log_dir,
        issuer=issuer,
        customer_service_url=world.stack.customer.url,
        order_service_url=world.stack.order.url,
        identity_service_url=world.stack.identity.url,
        name=f"gateway-{uuid.uuid4().hex[:6]}",
        **env,
    )


def test_a_flood_of_unknown_kids_costs_the_issuer_one_fetch(world: World, tmp_path: Path) -> None:
    """A gateway of its own, trusting an issuer of its own, so the issuer counts its fetches
    alone; a long minimum interval, so a slow machine cannot make the flood outlast it."""
    with TestIssuer() as issuer:
        gateway = gateway_for(
            world, issuer, tmp_path, GATEWAY_AUTH_JWKS_MIN_REFRESH_SECONDS="3600"
        ).start()
        try:
            unpublished = issuer.add_key(publish=False)
            tokens = [
                issuer.token(kid=unpublished, headers={"kid": f"made-up-{n}"}) for n in range(100)
            ]

            def attack(token: str) -> int:
                return httpx.get(
                    f"{gateway.url}/api/orders", headers={"Authorization": f"Bearer {token}"}
                ).status_code

            with ThreadPoolExecutor(max_workers=16) as pool:
                statuses = list(pool.map(attack, tokens))
            assert set(statuses) == {401}
            # The first made-up kid found the key cache empty and fetched it; no other did.
            assert issuer.jwks_fetches == 1
            # The interval holds for a key published after that fetch, too: until it has
            # passed, a token of it is refused like any unknown kid. Keys are published
            # before they sign (ADR 14).
            issuer.publish(unpublished)
            late = issuer.token(kid=unpublished)
            refused = httpx.get(
                f"{gateway.url}/api/orders", headers={"Authorization": f"Bearer {late}"}
            )
            assert refused.status_code == 401
            assert issuer.jwks_fetches == 1
        finally:
            gateway.stop()


def test_a_rotated_key_is_picked_up_after_one_fetch(world: World, tmp_path: Path) -> None:
    """With no minimum interval, an unknown kid costs exactly one fetch, then a 401; a key
    published since is found by that fetch and accepted."""
    with TestIssuer() as issuer:
        gateway = gateway_for(
            world, issuer, tmp_path, GATEWAY_AUTH_JWKS_MIN_REFRESH_SECONDS="0"
        ).start()
        try:
            api = f"{gateway.url}/api/customers"
            unknown = issuer.token(kid=issuer.add_key(publish=False))
            refused = httpx.get(api, headers={"Authorization": f"Bearer {unknown}"})
            assert refused.status_code == 401
            assert 'error_description="unknown key"' in refused.headers["www-authenticate"]
            assert issuer.jwks_fetches == 1
            issuer.rotate()
            # A customer listing customers: a 403 is the gateway's own answer, given only to
            # a caller it has verified (no service is asked).
            rotated = httpx.get(api, headers=issuer.headers("customer", str(uuid.uuid4())))
            assert rotated.status_code == 403
            assert issuer.jwks_fetches == 2
        finally:
            gateway.stop()


def test_forged_identity_headers_next_to_a_customers_token_change_nothing(world: World) -> None:
    forged = {
        "X-User-Id": "admin",
        "X-User-Roles": "admin",
        "X-Roles": "admin,staff",
        "X-Customer-Id": world.grace["id"],
        "X-Forwarded-User": "admin",
        "X-Remote-User": "admin",
        "X-Auth-Request-User": "admin",
        "X-Principal": "admin",
    }
    headers = {**world.as_customer(world.ada), **forged}
    gateway = world.stack.url
    assert httpx.get(f"{gateway}/api/customers", headers=headers).status_code == 403
    assert (
        httpx.get(f"{gateway}/api/customers/{world.grace['id']}", headers=headers).status_code
        == 404
    )
    page = httpx.get(f"{gateway}/api/orders", headers=headers).json()
    assert [o["id"] for o in page["items"]] == [world.ada_order["id"]]
    direct = httpx.get(f"{world.stack.order.url}/orders", headers=headers).json()
    assert [o["id"] for o in direct["items"]] == [world.ada_order["id"]]


def test_a_customer_cannot_reach_another_customers_data(world: World) -> None:
    gateway, ada, grace = world.stack.url, world.as_customer(world.ada), world.grace
    before = world.counts()
    reads = {
        f"/api/customers/{grace['id']}": 404,
        f"/api/customers/{grace['id']}/orders": 404,
        f"/api/orders/{world.grace_order['id']}": 404,
        "/api/customers": 403,
        f"/api/customers?q={grace['email']}": 403,
        "/api/dashboard": 403,
    }
    for path, status in reads.items():
        response = httpx.get(gateway + path, headers=ada)
        assert response.status_code == status, path
        assert grace["email"] not in response.text
    filtered = httpx.get(f"{gateway}/api/orders", params={"customer_id": grace["id"]}, headers=ada)
    assert filtered.json()["items"] == []
    writes = [
        ("PATCH", f"/api/customers/{grace['id']}", {"name": "Owned"}, 404),
        ("PATCH", f"/api/customers/{world.ada['id']}", {"name": "Self-promoted"}, 403),
        ("POST", "/api/customers", {"name": "Eve", "email": "eve@example.com"}, 403),
        ("POST", "/api/orders", {"customer_id": grace["id"], "items": ITEMS}, 403),
        ("PATCH", f"/api/orders/{world.grace_order['id']}", {"status": "CANCELLED"}, 404),
        ("PATCH", f"/api/orders/{world.ada_order['id']}", {"status": "CONFIRMED"}, 403),
    ]
    for method, path, body, status in writes:
        response = httpx.request(method, gateway + path, json=body, headers=ada)
        assert response.status_code == status, (method, path, response.text)
    assert world.counts() == before
    with world.staff() as api:
        assert api.get(f"/api/customers/{grace['id']}").json()["name"] == grace["name"]
        assert api.get(f"/api/customers/{world.ada['id']}").json()["name"] == world.ada["name"]
        assert api.get(f"/api/orders/{world.grace_order['id']}").json()["status"] == "PENDING"
        assert api.get(f"/api/orders/{world.ada_order['id']}").json()["status"] == "PENDING"


def test_a_gateway_of_another_issuer_refuses_these_tokens(world: World, tmp_path: Path) -> None:
    """Any OIDC provider can be the issuer: a gateway trusts only the one it is configured for,
    and the services behind it still only their own."""
    with TestIssuer() as other:
        gateway = gateway_for(world, other, tmp_path).start()
        try:
            ours = httpx.get(f"{gateway.url}/api/orders", headers=world.issuer.headers("admin"))
            assert ours.status_code == 401
            assert 'error="invalid_token"' in ours.headers["www-authenticate"]
            # Its own tokens get past it, and the services, trusting only theirs, refuse them.
            theirs = httpx.get(f"{gateway.url}/api/orders", headers=other.headers("admin"))
            assert theirs.status_code == 401
            assert 'error="invalid_token"' in theirs.headers["www-authenticate"]
            assert (
                httpx.get(f"{world.stack.url}/api/orders", headers=other.headers()).status_code
                == 401
            )
        finally:
            gateway.stop()

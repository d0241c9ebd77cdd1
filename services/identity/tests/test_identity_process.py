"""The identity service as a real process: sign in, refresh, reuse detection, a restart that
keeps the keys, the operator's add-user, the demo customer linked to a real customer service."""

from __future__ import annotations

from pathlib import Path

import httpx
import jwt
import pytest
from orderflow_testing import IdentitySignIn, customer_service, identity_service, run_script

pytestmark = pytest.mark.system


def sign_in(url: str, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{url}/token",
        data={"grant_type": "password", "username": username, "password": password},
    )


def refresh(url: str, token: str) -> httpx.Response:
    return httpx.post(f"{url}/token", data={"grant_type": "refresh_token", "refresh_token": token})


def test_sign_in_refresh_reuse_and_a_restart_that_keeps_the_keys(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}"
    identity = identity_service(tmp_path, database)
    # The customer service trusts this identity service: the link's call is signed by it.
    trusted = IdentitySignIn(
        issuer=identity.url,
        jwks_url=f"{identity.url}/jwks.json",
        token_url=f"{identity.url}/token",
        identity_database_url=database,
    )
    customers = customer_service(
        tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'customer.db'}", issuer=trusted
    )
    identity.env["IDENTITY_CUSTOMER_SERVICE_URL"] = customers.url
    try:
        identity.start(wait=False)  # before the customer service: the link waits for it
        customers.start()
        identity.wait_ready()

        signed_in = sign_in(identity.url, "customer@example.com", "orderflow-customer")
        assert signed_in.status_code == 200, signed_in.text
        first = signed_in.json()
        claims = jwt.decode(first["access_token"], options={"verify_signature": False})
        record = httpx.get(
            f"{customers.url}/customers/{claims['customer_id']}",
            headers=trusted.headers("admin"),
        ).json()
        assert record["email"] == "customer@example.com"

        second = refresh(identity.url, first["refresh_token"])
        assert second.status_code == 200
        assert refresh(identity.url, first["refresh_token"]).json()["error"] == "invalid_grant"
        assert refresh(identity.url, second.json()["refresh_token"]).status_code == 400

        wrong = sign_in(identity.url, "customer@example.com", "wrong")
        unknown = sign_in(identity.url, "nobody@example.com", "wrong")
        assert wrong.status_code == unknown.status_code == 400
        assert wrong.json() == unknown.json()

        jwks = httpx.get(f"{identity.url}/jwks.json").json()
        identity.stop()
        identity.start()

        assert httpx.get(f"{identity.url}/jwks.json").json() == jwks
        me = httpx.get(
            f"{identity.url}/me", headers={"Authorization": f"Bearer {first['access_token']}"}
        )
        assert me.status_code == 200, me.text
        assert me.json()["customer_id"] == claims["customer_id"]
    finally:
        identity.stop()
        customers.stop()


def test_add_user_then_sign_in_as_that_user(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}"
    env = {"IDENTITY_DATABASE_URL": database}
    added = run_script(
        "orderflow-identity",
        "add-user",
        "--email",
        "Grace@Example.com",
        "--name",
        "Grace Hopper",
        "--password",
        "a long passphrase",
        "--role",
        "staff",
        env=env,
    )
    again = run_script(
        "orderflow-identity",
        "add-user",
        "--email",
        "grace@example.com",
        "--name",
        "G",
        "--password",
        "x",
        "--role",
        "staff",
        env=env,
    )
    identity = identity_service(tmp_path, database, demo_accounts=False)
    try:
        identity.start()
        response = sign_in(identity.url, "grace@example.com", "a long passphrase")
    finally:
        identity.stop()

    assert added.returncode == 0, added.stderr
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["roles"] == ["staff"]
    assert claims["name"] == "Grace Hopper"


def test_migrate_creates_the_schema_and_exits(tmp_path: Path) -> None:
    db = tmp_path / "identity.db"
    result = run_script(
        "orderflow-identity", "migrate", env={"IDENTITY_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert db.exists()


def test_production_without_signing_keys_refuses_to_start(tmp_path: Path) -> None:
    result = run_script(
        "orderflow-identity",
        env={
            "IDENTITY_ENVIRONMENT": "production",
            "IDENTITY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}",
        },
    )

    assert result.returncode != 0
    assert "IDENTITY_SIGNING_KEYS must hold" in result.stderr

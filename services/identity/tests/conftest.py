"""The identity service in-process, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from identity_service.main import create_app
from identity_service.settings import IdentitySettings
from orderflow_testing import app_client

# Argon2 at its cheapest: each test signs in many times; production refuses these settings.
FAST_HASHING: dict[str, Any] = {
    "argon2_time_cost": 1,
    "argon2_memory_kib": 1024,
    "argon2_parallelism": 1,
}
ADMIN = ("admin@example.com", "orderflow-admin")
STAFF = ("staff@example.com", "orderflow-staff")
CUSTOMER = ("customer@example.com", "orderflow-customer")
CLI = ("orderflow-cli", "orderflow-cli-secret")
WEB = "orderflow-web"
COOKIE = "orderflow_refresh"
# The customer service is not there: the demo customer stays unlinked, which these tests allow.
NOWHERE = "http://127.0.0.1:9"

SettingsFactory = Callable[..., IdentitySettings]


def make_settings(tmp_path: Path, **overrides: Any) -> IdentitySettings:
    """Test settings: a key file of its own, demo accounts, cheap hashing, no customer service."""
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}",
        "signing_key_file": tmp_path / "signing-key.pem",
        "demo_accounts": True,
        "customer_service_url": NOWHERE,
        "access_log": False,
        **FAST_HASHING,
        **overrides,
    }
    return IdentitySettings(**values)


@pytest.fixture
def identity_settings(database_url: str, tmp_path: Path) -> SettingsFactory:
    """Settings on the test's database (SQLite in memory, or PostgreSQL)."""

    def make(**overrides: Any) -> IdentitySettings:
        return make_settings(tmp_path, **{"database_url": database_url, **overrides})

    return make


@pytest.fixture
async def client(identity_settings: SettingsFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(create_app(identity_settings())) as client:
        yield client


async def sign_in(
    client: httpx.AsyncClient, login: tuple[str, str] = ADMIN, **extra: str
) -> httpx.Response:
    data = {"grant_type": "password", "username": login[0], "password": login[1], **extra}
    return await client.post("/token", data=data)


async def tokens(client: httpx.AsyncClient, login: tuple[str, str] = ADMIN) -> dict[str, Any]:
    response = await sign_in(client, login)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}

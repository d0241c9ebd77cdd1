"""Production refuses to start with anything a laptop may get away with."""

from __future__ import annotations

from typing import Any

import pytest
from identity_service.keys import generate_private_key, private_pem
from identity_service.settings import IdentitySettings
from pydantic import ValidationError

STRONG_SECRET = "s" * 8 + "-a-long-random-machine-secret-xyz"


def production(**overrides: Any) -> IdentitySettings:
    values: dict[str, Any] = {
        "environment": "production",
        "issuer": "https://orderflow.example.com/api/auth",
        "signing_keys": {"2026-12": private_pem(generate_private_key())},
        "clients": {"reports": {"secret": STRONG_SECRET, "roles": ["staff"]}},
        **overrides,
    }
    return IdentitySettings(**values)


def test_a_safe_production_configuration_starts() -> None:
    settings = production()

    assert settings.environment == "production"
    assert settings.cookie_path == "/api/auth"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"demo_accounts": True}, "IDENTITY_DEMO_ACCOUNTS must be false"),
        ({"signing_keys": {}}, "IDENTITY_SIGNING_KEYS must hold"),
        (
            {"clients": {"cli": {"secret": "orderflow-cli-secret", "roles": ["admin"]}}},
            "client cli's secret is a default",
        ),
        ({"clients": {"cli": {"secret": "short", "roles": ["admin"]}}}, "shorter than 32"),
        ({"clients": {"cli": {"secret": "changethis", "roles": ["admin"]}}}, "a default"),
        ({"issuer": "http://orderflow.example.com/api/auth"}, "must be an https URL"),
        ({"argon2_memory_kib": 1024}, "IDENTITY_ARGON2_"),
        ({"argon2_time_cost": 1}, "IDENTITY_ARGON2_"),
    ],
)
def test_production_refuses(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        production(**overrides)


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1:9000"])
def test_production_allows_a_local_http_issuer(host: str) -> None:
    assert production(issuer=f"http://{host}/api/auth").issuer.startswith("http://")


def test_development_allows_what_production_refuses() -> None:
    settings = IdentitySettings(
        demo_accounts=True,
        issuer="http://orderflow.test/api/auth",
        clients={"cli": {"secret": "orderflow-cli-secret", "roles": ["admin"]}},
    )

    assert settings.demo_accounts


def test_production_refuses_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDENTITY_ENVIRONMENT", "production")
    monkeypatch.setenv("IDENTITY_DEMO_ACCOUNTS", "true")

    with pytest.raises(ValidationError, match="unsafe for production"):
        IdentitySettings()


def test_signing_keys_and_clients_are_json_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    pem = private_pem(generate_private_key())
    monkeypatch.setenv("IDENTITY_SIGNING_KEYS", json.dumps({"k1": pem}))
    monkeypatch.setenv("IDENTITY_CLIENTS", json.dumps({"c": {"secret": "x", "roles": ["admin"]}}))

    settings = IdentitySettings()

    assert settings.signing_keys["k1"].get_secret_value() == pem
    assert settings.clients["c"].roles == ["admin"]


@pytest.mark.parametrize("seconds", [901, 3600, 0])
def test_access_tokens_live_at_most_15_minutes(seconds: int) -> None:
    with pytest.raises(ValidationError, match="access_token_seconds"):
        IdentitySettings(access_token_seconds=seconds)


def test_a_broken_signing_key_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="not an unencrypted PEM"):
        IdentitySettings(signing_keys={"k": "-----BEGIN PRIVATE KEY-----\nnope"})


def test_an_active_kid_without_keys_is_refused() -> None:
    with pytest.raises(ValidationError, match="IDENTITY_ACTIVE_KID"):
        IdentitySettings(active_kid="k")


def test_secrets_do_not_show_in_the_settings_repr() -> None:
    pem = private_pem(generate_private_key())

    settings = production(signing_keys={"k": pem})

    assert "PRIVATE KEY" not in repr(settings)
    assert STRONG_SECRET not in repr(settings)

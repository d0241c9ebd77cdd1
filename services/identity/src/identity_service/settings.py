"""``IDENTITY_*`` settings, and the ones production refuses to start with."""

from __future__ import annotations

from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from chassis import ServiceSettings
from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from .domain import ROLES, Role

DEMO_CLIENT_SECRET = "orderflow-cli-secret"
# Secrets that have been published somewhere (this repository included) protect nothing.
KNOWN_SECRETS = frozenset({DEMO_CLIENT_SECRET, "changethis", "secret", "password", "changeme"})
MIN_SECRET_LENGTH = 32
MAX_ACCESS_TOKEN_SECONDS = 15 * 60
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class ClientConfig(BaseModel):
    """A machine client for the client_credentials grant, configured by the operator."""

    secret: SecretStr
    roles: list[Role] = Field(min_length=1)
    name: str | None = None


class IdentitySettings(ServiceSettings):
    """``IDENTITY_*`` environment variables. Dicts are JSON in the environment:
    ``IDENTITY_SIGNING_KEYS='{"2026-11": "-----BEGIN PRIVATE KEY-----\\n..."}'``."""

    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", frozen=True)

    service_name: str = "identity"
    port: int = 8003
    database_url: str | None = "sqlite+aiosqlite:///var/identity.db"

    issuer: str = Field(
        default="http://localhost:8000/api/auth",
        description="The public URL this service is reached at; tokens' iss, discovery's base",
    )
    audience: str = "orderflow-api"
    access_token_seconds: int = Field(default=600, ge=30, le=MAX_ACCESS_TOKEN_SECONDS)
    refresh_token_seconds: int = Field(default=7 * 24 * 3600, ge=60)

    signing_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="kid -> PKCS#8 PEM of a P-256 private key; every one is published",
    )
    active_kid: str | None = Field(
        default=None, description="The key that signs; may be omitted when there is one key"
    )
    signing_key_file: Path = Field(
        default=Path("var/identity-signing-key.pem"),
        description="Without configured keys (development): generated here once, mode 0600",
    )

    clients: dict[str, ClientConfig] = Field(
        default_factory=dict, description="client_id -> {secret, roles}: client_credentials"
    )
    web_client_id: str = "orderflow-web"
    refresh_cookie: str = "orderflow_refresh"

    demo_accounts: bool = False
    customer_service_url: str = "http://127.0.0.1:8001"
    customer_link_retry_max_seconds: float = Field(default=5.0, gt=0)

    # RFC 9106's second recommended profile; tests lower it, production refuses less than
    # OWASP's minimum (19 MiB, 2 passes).
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=64 * 1024, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    argon2_max_concurrent: int = Field(default=4, ge=1, description="Hashes at once")

    @property
    def cookie_path(self) -> str:
        """The issuer's path: the browser sends the refresh cookie to the auth routes only."""
        return urlsplit(self.issuer).path.rstrip("/") or "/"

    @model_validator(mode="after")
    def _keys_are_usable(self) -> Self:
        if self.signing_keys:
            # Imported here: keys.py needs nothing from the settings, the settings need it.
            from .keys import configured_key_set

            configured_key_set(
                {kid: pem.get_secret_value() for kid, pem in self.signing_keys.items()},
                self.active_kid,
            )
        elif self.active_kid is not None:
            raise ValueError("IDENTITY_ACTIVE_KID is set but IDENTITY_SIGNING_KEYS is empty")
        return self

    @model_validator(mode="after")
    def _safe_for_production(self) -> Self:
        if self.environment != "production":
            return self
        problems = []
        if self.demo_accounts:
            problems.append("IDENTITY_DEMO_ACCOUNTS must be false")
        if not self.signing_keys:
            problems.append("IDENTITY_SIGNING_KEYS must hold the signing keys")
        for client_id, client in self.clients.items():
            secret = client.secret.get_secret_value()
            if secret in KNOWN_SECRETS or len(secret) < MIN_SECRET_LENGTH:
                problems.append(
                    f"client {client_id}'s secret is a default or shorter than "
                    f"{MIN_SECRET_LENGTH} characters"
                )
        issuer = urlsplit(self.issuer)
        if issuer.scheme != "https" and issuer.hostname not in LOCAL_HOSTS:
            problems.append("IDENTITY_ISSUER must be an https URL")
        if self.argon2_memory_kib < 19 * 1024 or self.argon2_time_cost < 2:
            problems.append("IDENTITY_ARGON2_* are below 19 MiB and 2 passes")
        if problems:
            raise ValueError("unsafe for production: " + "; ".join(problems))
        return self


__all__ = ["ROLES", "ClientConfig", "IdentitySettings"]

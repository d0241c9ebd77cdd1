"""Access tokens (signed JWTs) and refresh tokens (opaque, stored only as hashes)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from .keys import ALGORITHM, KeySet

REFRESH_TOKEN_BYTES = 32


@dataclass(frozen=True)
class Subject:
    """Whom a token speaks for: a person, or a machine client (no email)."""

    sub: str
    roles: list[str]
    email: str | None
    name: str
    customer_id: str | None = None


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int


class TokenIssuer:
    def __init__(self, keys: KeySet, *, issuer: str, audience: str, lifetime_seconds: int) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.lifetime_seconds = lifetime_seconds

    def access_token(
        self, subject: Subject, *, now: datetime, lifetime_seconds: int | None = None
    ) -> AccessToken:
        """An ES256 JWT with the claims every OrderFlow verifier expects, signed by the active
        key and naming it in ``kid``."""
        lifetime = lifetime_seconds or self.lifetime_seconds
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject.sub,
            "iat": now,
            "nbf": now,
            "exp": now + timedelta(seconds=lifetime),
            "jti": str(uuid.uuid4()),
            "roles": subject.roles,
            "customer_id": subject.customer_id,
            "email": subject.email,
            "name": subject.name,
        }
        key = self.keys.active
        token = jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
        return AccessToken(token, lifetime)


def new_refresh_token() -> str:
    """256 random bits, URL-safe: what the client holds."""
    return secrets.token_urlsafe(REFRESH_TOKEN_BYTES)


def refresh_token_hash(token: str) -> str:
    """What the database holds. A fast hash is right here, unlike for passwords: the token has
    256 bits of entropy, so no guess can be checked against a leaked hash in any useful time,
    and the lookup by hash must be quick on every refresh."""
    return hashlib.sha256(token.encode()).hexdigest()

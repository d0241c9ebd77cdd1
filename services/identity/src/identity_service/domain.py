"""Identity rules and errors, free of any framework.

The token endpoint's errors are those of RFC 6749 section 5.2; ``main.OAUTH_ERRORS`` gives each
its status::

    OAuthError
     ├── InvalidRequestError        a parameter missing, repeated or malformed
     ├── InvalidClientError         client authentication failed (401)
     ├── InvalidGrantError          wrong credentials; a refresh token unknown, used, expired
     └── UnsupportedGrantTypeError  a grant_type this server does not offer
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Role = Literal["admin", "staff", "customer"]
ROLES: frozenset[str] = frozenset({"admin", "staff", "customer"})


class OAuthError(Exception):
    error = "invalid_request"

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class InvalidRequestError(OAuthError):
    error = "invalid_request"


class InvalidClientError(OAuthError):
    error = "invalid_client"


class InvalidGrantError(OAuthError):
    error = "invalid_grant"


class UnsupportedGrantTypeError(OAuthError):
    error = "unsupported_grant_type"


BAD_CREDENTIALS = "The username or password is wrong."
"""One answer for an unknown user and a wrong password: it says nothing about which."""


class EmailTakenError(Exception):
    def __init__(self, email: str) -> None:
        super().__init__(f"A user with email {email} already exists.")


class ClientTakenError(Exception):
    def __init__(self, client_id: str) -> None:
        super().__init__(f"A client {client_id} already exists.")


class RefreshVerdict(enum.Enum):
    ROTATE = "rotate"
    """Good: mark it used and issue its successor in the same family."""
    REUSED = "reused"
    """Already rotated: someone holds a copy. Revoke the whole family."""
    REVOKED = "revoked"
    EXPIRED = "expired"
    OTHER_CLIENT = "other_client"


@dataclass(frozen=True)
class RefreshTokenState:
    """What the store knows of one refresh token."""

    client_id: str | None
    expires_at: datetime
    rotated_at: datetime | None
    revoked_at: datetime | None


def judge_refresh(
    token: RefreshTokenState, *, client_id: str | None, now: datetime
) -> RefreshVerdict:
    """What presenting ``token`` by ``client_id`` at ``now`` means.

    Reuse is checked before anything else: a rotated token presented again is the sign of a
    stolen copy whoever presents it, even once its family is revoked or it has expired.
    """
    if token.rotated_at is not None:
        return RefreshVerdict.REUSED
    if token.revoked_at is not None:
        return RefreshVerdict.REVOKED
    if token.expires_at <= now:
        return RefreshVerdict.EXPIRED
    if token.client_id != client_id:
        return RefreshVerdict.OTHER_CLIENT
    return RefreshVerdict.ROTATE


REFUSALS = {
    RefreshVerdict.REUSED: "The refresh token was already used; its session is revoked.",
    RefreshVerdict.REVOKED: "The refresh token is revoked.",
    RefreshVerdict.EXPIRED: "The refresh token has expired.",
    RefreshVerdict.OTHER_CLIENT: "The refresh token was issued to another client.",
}


def normalise_roles(roles: Sequence[str]) -> list[str]:
    """Known roles, each once, in a stable order; ``ValueError`` for any other."""
    unknown = set(roles) - ROLES
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
    if not roles:
        raise ValueError("at least one role is needed")
    return sorted(set(roles))

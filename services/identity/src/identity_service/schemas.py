"""The identity service's API models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TokenResponse(BaseModel):
    """RFC 6749 section 5.1. The browser's refresh token is in a cookie, not here."""

    access_token: str = Field(description="An ES256 JWT for `Authorization: Bearer`")
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="Seconds the access token is valid")
    refresh_token: str | None = Field(
        default=None, description="Opaque; spent by its first use, which returns the next one"
    )


class TokenError(BaseModel):
    """RFC 6749 section 5.2."""

    error: Literal["invalid_request", "invalid_client", "invalid_grant", "unsupported_grant_type"]
    error_description: str


class Me(BaseModel):
    """The caller, as the token says."""

    sub: str
    email: str | None
    name: str | None
    roles: list[str]
    customer_id: str | None


class Jwk(BaseModel):
    model_config = ConfigDict(extra="allow")

    kty: Literal["EC"]
    crv: Literal["P-256"]
    x: str
    y: str
    kid: str
    use: Literal["sig"]
    alg: Literal["ES256"]


class Jwks(BaseModel):
    keys: list[Jwk]


class Discovery(BaseModel):
    """OpenID Connect discovery, as far as this server goes: no authorization endpoint, no ID
    tokens; what verifiers need (issuer, keys) and what clients need (the token endpoint)."""

    issuer: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    subject_types_supported: list[str]
    claims_supported: list[str]

"""Access tokens verified: the one place an OrderFlow process decides who is calling.

A token is a JWT signed by the identity service (or any OpenID Connect provider) with an
asymmetric key named by ``kid``. ``TokenVerifier`` checks the signature with keys from the
issuer's JWKS, then the issuer, audience, lifetime and required claims, and answers a
``Principal``. Errors::

    InvalidTokenError   the token is not acceptable (the reason says why, for logs and
                        RFC 6750's error_description); never a server error

Keys are fetched asynchronously and cached. A token naming a ``kid`` the cache lacks
refreshes the keys once, single-flight, and never more often than ``min_refresh_interval``:
a flood of made-up kids costs the issuer one fetch per interval, not one per request.
Verified tokens are remembered until they expire, so a repeat costs a dict lookup.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import jwt

from .logging import get_logger

if TYPE_CHECKING:
    from .settings import ServiceSettings

log = get_logger(__name__)

ADMIN = "admin"
STAFF = "staff"
CUSTOMER = "customer"
ROLES = frozenset({ADMIN, STAFF, CUSTOMER})
REQUIRED_CLAIMS = ("iss", "aud", "sub", "exp", "iat")
# Only signatures by a published public key: never "none", never a shared secret (HS*).
ASYMMETRIC_ALGORITHMS = frozenset(
    {"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"}
)


class InvalidTokenError(Exception):
    """The token cannot be accepted; ``str(error)`` says why in a few words."""


@dataclass(frozen=True)
class Principal:
    """A verified caller. ``token`` is the raw bearer token, passed on to upstream calls."""

    sub: str
    roles: frozenset[str]
    customer_id: str | None
    email: str | None
    name: str | None
    token: str = field(repr=False)
    expires_at: float

    def has_role(self, *roles: str) -> bool:
        """True if the caller holds any of ``roles``."""
        return not self.roles.isdisjoint(roles)

    @property
    def is_staff(self) -> bool:
        """Admin or staff: may see and change every customer and order."""
        return self.has_role(ADMIN, STAFF)

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value that carries this caller onward."""
        return f"Bearer {self.token}"


def check_algorithms(algorithms: Iterable[str]) -> tuple[str, ...]:
    """The allow-list as given, refusing any algorithm that is not an asymmetric signature."""
    allowed = tuple(algorithms)
    refused = [alg for alg in allowed if alg not in ASYMMETRIC_ALGORITHMS]
    if refused or not allowed:
        known = ", ".join(sorted(ASYMMETRIC_ALGORITHMS))
        raise ValueError(
            f"token algorithms must be asymmetric signatures ({known}); "
            f"refused: {', '.join(refused) or 'an empty list'}"
        )
    return allowed


class TokenVerifier:
    """Verifies access tokens against one issuer's keys (``jwks_url`` or a static ``jwks``)."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        jwks: Mapping[str, Any] | None = None,
        algorithms: Sequence[str] = ("ES256",),
        roles_claim: str = "roles",
        leeway_seconds: float = 5.0,
        min_refresh_interval: float = 10.0,
        max_key_age: float = 600.0,
        cache_size: int = 10_000,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if (jwks_url is None) == (jwks is None):
            raise ValueError("give exactly one of jwks_url and jwks")
        self.issuer = issuer
        self.audience = audience
        self.jwks_url = jwks_url
        self.algorithms = check_algorithms(algorithms)
        self.roles_path = tuple(roles_claim.split("."))
        self.leeway = leeway_seconds
        self.min_refresh_interval = min_refresh_interval
        self.max_key_age = max_key_age
        self.cache_size = cache_size
        self.clock = clock
        self._client = client
        self._owns_client = client is None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None  # monotonic time of the last fetch attempt
        self._fetch_ok = False
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None
        self._verified: OrderedDict[str, Principal] = OrderedDict()
        self.fetches = 0
        if jwks is not None:
            self._keys = self._parse(jwks)

    @classmethod
    def from_settings(cls, settings: ServiceSettings, **options: Any) -> TokenVerifier:
        """The verifier a component's ``<P>_AUTH_*`` settings describe."""
        return cls(
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
            jwks_url=settings.auth_jwks_url,
            algorithms=settings.auth_algorithms,
            roles_claim=settings.auth_roles_claim,
            leeway_seconds=settings.auth_leeway_seconds,
            min_refresh_interval=settings.auth_jwks_min_refresh_seconds,
            **options,
        )

    async def verify(self, token: str) -> Principal:
        """The caller ``token`` proves, or ``InvalidTokenError``."""
        cached = self._verified.get(token)
        if cached is not None:
            if cached.expires_at > self.clock():
                self._refresh_if_stale()
                return cached
            del self._verified[token]
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidTokenError("malformed token") from None
        alg = header.get("alg")
        if alg not in self.algorithms:
            raise InvalidTokenError("algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidTokenError("token names no key")
        key = await self._key(kid)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidTokenError("token expired") from None
        except jwt.ImmatureSignatureError:
            raise InvalidTokenError("token not yet valid") from None
        except jwt.InvalidIssuerError:
            raise InvalidTokenError("wrong issuer") from None
        except jwt.InvalidAudienceError:
            raise InvalidTokenError("wrong audience") from None
        except jwt.MissingRequiredClaimError as error:
            raise InvalidTokenError(f"claim {error.claim} missing") from None
        except jwt.InvalidSignatureError:
            raise InvalidTokenError("bad signature") from None
        except jwt.PyJWTError:
            raise InvalidTokenError("invalid token") from None
        principal = self._principal(token, claims)
        self._remember(token, principal)
        return principal

    async def refresh(self) -> None:
        """Fetch the keys now unless they were fetched within ``min_refresh_interval`` (or a
        fetch failed within a second: an issuer back from an outage is not kept waiting)."""
        async with self._lock:
            # Whoever waited on the lock finds the keys just fetched: one fetch serves all.
            now = time.monotonic()
            interval = (
                self.min_refresh_interval if self._fetch_ok else min(1.0, self.min_refresh_interval)
            )
            if self._fetched_at is not None and now - self._fetched_at < interval:
                return
            self._fetched_at = now
            self._fetch_ok = await self._fetch()

    async def aclose(self) -> None:
        if self._background is not None:
            self._background.cancel()
        if self._client is not None and self._owns_client:
            await self._client.aclose()
            self._client = None

    async def _key(self, kid: str) -> jwt.PyJWK:
        key = self._keys.get(kid)
        if key is None and self.jwks_url is not None:
            await self.refresh()
            key = self._keys.get(kid)
        if key is None:
            raise InvalidTokenError("unknown key")
        self._refresh_if_stale()
        return key

    def _refresh_if_stale(self) -> None:
        """Old keys are re-read in the background, so a withdrawn key stops working."""
        if self.jwks_url is None or self._fetched_at is None:
            return
        if time.monotonic() - self._fetched_at < self.max_key_age:
            return
        if self._background is None or self._background.done():
            self._background = asyncio.get_running_loop().create_task(self.refresh())

    async def _fetch(self) -> bool:
        assert self.jwks_url is not None
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(3.0))
        self.fetches += 1
        try:
            response = await self._client.get(self.jwks_url, headers={"Accept": "application/json"})
            response.raise_for_status()
            keys = self._parse(response.json())
        except (httpx.HTTPError, ValueError) as error:
            # The keys held stay in use; the next attempt waits for the interval.
            log.warning("jwks_fetch_failed", url=self.jwks_url, error=type(error).__name__)
            return False
        withdrawn = self._keys.keys() - keys.keys()
        self._keys = keys
        if withdrawn:
            self._verified.clear()
        log.info("jwks_fetched", keys=len(keys))
        return True

    def _parse(self, document: Any) -> dict[str, jwt.PyJWK]:
        """The usable signing keys of a JWKS document by kid; anything else is skipped."""
        if not isinstance(document, Mapping) or not isinstance(document.get("keys"), list):
            raise ValueError("not a JWKS document")
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document["keys"]:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("kid"), str):
                continue
            if entry.get("kty") == "oct" or entry.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(dict(entry))
            except jwt.PyJWTError:
                continue
            if key.algorithm_name in self.algorithms:
                keys[entry["kid"]] = key
        return keys

    def _principal(self, token: str, claims: Mapping[str, Any]) -> Principal:
        sub = claims["sub"]
        if not isinstance(sub, str) or not sub:
            raise InvalidTokenError("claim sub invalid")
        customer_id = claims.get("customer_id")
        email = claims.get("email")
        name = claims.get("name")
        return Principal(
            sub=sub,
            roles=self._roles(claims),
            customer_id=customer_id if isinstance(customer_id, str) and customer_id else None,
            email=email if isinstance(email, str) else None,
            name=name if isinstance(name, str) else None,
            token=token,
            expires_at=float(claims["exp"]),
        )

    def _roles(self, claims: Mapping[str, Any]) -> frozenset[str]:
        """The roles claim: a list, or a space-separated string; a dotted name reaches into
        nested claims (``realm_access.roles`` for Keycloak). Unknown roles are ignored."""
        value: Any = claims
        for part in self.roles_path:
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list):
            return frozenset()
        return frozenset(role for role in value if isinstance(role, str) and role in ROLES)

    def _remember(self, token: str, principal: Principal) -> None:
        self._verified[token] = principal
        if len(self._verified) > self.cache_size:
            self._verified.popitem(last=False)

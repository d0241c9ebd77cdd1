"""A token issuer for tests: its own P-256 keys, ES256 tokens for any caller, its JWKS served
over HTTP on a free port by a background thread (so sync and async tests can both use it).

It stands in for the identity service, or for any OpenID Connect provider: a component whose
``<P>_AUTH_ISSUER``/``<P>_AUTH_JWKS_URL`` point here accepts its tokens (``auth_env``).
The ``forged_*`` methods make the tokens an attacker would try, for the tests that refuse them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

AUDIENCE = "orderflow-api"
ALGORITHM = "ES256"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TestIssuer:
    """Mints tokens and serves ``/jwks.json`` and ``/.well-known/openid-configuration``.

    ``jwks_fetches`` counts the JWKS requests it has answered. Use as a context manager, or
    call ``close()``.
    """

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, *, audience: str = AUDIENCE, issuer: str | None = None) -> None:
        self.audience = audience
        self._keys: dict[str, ec.EllipticCurvePrivateKey] = {}
        self._published: list[str] = []
        self._lock = threading.Lock()
        self.jwks_fetches = 0
        self._tokens: dict[tuple[str, str | None, str], tuple[str, float]] = {}
        self.kid = self.add_key()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.issuer = issuer or self.url
        self.jwks_url = f"{self.url}/jwks.json"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="test-issuer", daemon=True
        )
        self._thread.start()

    # -- keys ---------------------------------------------------------------------------

    def add_key(self, *, publish: bool = True) -> str:
        """A new signing key; its kid. Unpublished keys sign tokens the JWKS cannot verify."""
        kid = uuid.uuid4().hex[:16]
        with self._lock:
            self._keys[kid] = ec.generate_private_key(ec.SECP256R1())
            if publish:
                self._published.append(kid)
        return kid

    def publish(self, kid: str) -> None:
        with self._lock:
            if kid not in self._published:
                self._published.append(kid)

    def withdraw(self, kid: str) -> None:
        with self._lock:
            self._published.remove(kid)
            self._tokens.clear()

    def rotate(self) -> str:
        """A new current key, published beside the old ones; tokens are signed with it."""
        self.kid = self.add_key()
        with self._lock:
            self._tokens.clear()
        return self.kid

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            published = list(self._published)
        keys = []
        for kid in published:
            jwk = ECAlgorithm.to_jwk(self._keys[kid].public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": ALGORITHM})
        return {"keys": keys}

    def public_key_pem(self, kid: str | None = None) -> bytes:
        key = self._keys[kid or self.kid].public_key()
        return key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    # -- tokens -------------------------------------------------------------------------

    def claims(
        self,
        *,
        sub: str | None = None,
        roles: Iterable[str] | str | None = ("admin",),
        customer_id: str | None = None,
        expires_in: float = 600,
        exp: float | None = None,
        nbf: float | None = None,
        iat: float | None = None,
        issuer: str | None = None,
        audience: str | None = None,
        email: str | None = None,
        name: str | None = None,
        omit: Iterable[str] = (),
        **extra: Any,
    ) -> dict[str, Any]:
        """The claims the identity service would put in a token; ``omit`` drops some. ``roles``
        is normally a list; a string or ``None`` is sent as it is, as other providers do."""
        now = time.time()
        if roles is not None and not isinstance(roles, str):
            roles = list(roles)
        if sub is None:  # one person per role, as signing in twice is still the same person
            sub = f"test-{roles[0] if isinstance(roles, list) and roles else 'caller'}"
        claims: dict[str, Any] = {
            "iss": issuer or self.issuer,
            "aud": audience or self.audience,
            "sub": sub,
            "iat": int(iat if iat is not None else now),
            "nbf": int(nbf if nbf is not None else now),
            "exp": int(exp if exp is not None else now + expires_in),
            "jti": uuid.uuid4().hex,
            "roles": roles,
            "customer_id": customer_id,
            "email": email,
            "name": name,
            **extra,
        }
        for claim in omit:
            claims.pop(claim, None)
        return claims

    def token(
        self,
        *,
        kid: str | None = None,
        headers: Mapping[str, Any] | None = None,
        **claims: Any,
    ) -> str:
        """An ES256 token signed by key ``kid`` (the current one by default); ``claims`` as in
        ``claims()``. ``headers`` adds to or overrides the JOSE header (e.g. a made-up kid);
        a header given as ``None`` is left out."""
        kid = kid or self.kid
        header = {"kid": kid, **(headers or {})}
        header = {name: value for name, value in header.items() if value is not None}
        return jwt.encode(self.claims(**claims), self._keys[kid], ALGORITHM, headers=header)

    def headers(
        self, role: str = "admin", customer_id: str | None = None, **claims: Any
    ) -> dict[str, str]:
        """``{"Authorization": "Bearer <token>"}`` for a caller with ``role`` (a customer's sub
        names its customer). The same caller gets the same token while it has a minute left,
        as a real client keeps its token: repeats cost the verifiers a cache look-up."""
        if role == "customer" and "sub" not in claims:
            claims["sub"] = f"test-customer-{customer_id}"
        key = (role, customer_id, repr(sorted(claims.items())))
        with self._lock:
            cached = self._tokens.get(key)
        if cached is None or cached[1] - time.time() < 60:
            token = self.token(roles=[role], customer_id=customer_id, **claims)
            cached = (token, float(jwt.decode(token, options={"verify_signature": False})["exp"]))
            with self._lock:
                self._tokens[key] = cached
        return {"Authorization": f"Bearer {cached[0]}"}

    # -- what an attacker would send ----------------------------------------------------

    def forged_unsigned(self, **claims: Any) -> str:
        """``alg: none``: the claims with no signature at all."""
        header = {"alg": "none", "typ": "JWT", "kid": self.kid}
        return self._compact(header, self.claims(**claims), b"")

    def forged_hs256(self, **claims: Any) -> str:
        """HS256 keyed with the issuer's public key: a verifier that lets the token choose the
        algorithm would take the public key as the shared secret and accept it."""
        header = {"alg": "HS256", "typ": "JWT", "kid": self.kid}
        signing_input = self._signing_input(header, self.claims(**claims))
        mac = hmac.new(self.public_key_pem(), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(mac)}"

    def tampered(self, token: str, **changes: Any) -> str:
        """``token`` with claims changed and the original signature kept."""
        header, payload, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims.update(changes)
        return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"

    @staticmethod
    def _signing_input(header: Mapping[str, Any], claims: Mapping[str, Any]) -> str:
        encoded = (_b64(json.dumps(part).encode()) for part in (header, claims))
        return ".".join(encoded)

    def _compact(self, header: Mapping[str, Any], claims: Mapping[str, Any], sig: bytes) -> str:
        return f"{self._signing_input(header, claims)}.{_b64(sig)}"

    # -- wiring ---------------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """The same as settings keyword arguments, for an app built in-process."""
        return {
            "auth_issuer": self.issuer,
            "auth_audience": self.audience,
            "auth_jwks_url": self.jwks_url,
        }

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> TestIssuer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/jwks.json":
                    with issuer._lock:
                        issuer.jwks_fetches += 1
                    self._json(issuer.jwks())
                elif self.path == "/.well-known/openid-configuration":
                    self._json(
                        {
                            "issuer": issuer.issuer,
                            "jwks_uri": issuer.jwks_url,
                            "id_token_signing_alg_values_supported": [ALGORITHM],
                        }
                    )
                else:
                    self.send_error(404)

            def _json(self, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: tests read the counters, not a log."""

        return Handler

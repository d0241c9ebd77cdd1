"""The keys that sign access tokens: P-256 (ES256), one active, every one published.

Production reads them from configuration (``IDENTITY_SIGNING_KEYS``, a Kubernetes Secret).
Development generates one on first start into a file that only its owner may read, so tokens
survive restarts (docs/adr/0013-signing-keys-storage-and-rotation.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

ALGORITHM = "ES256"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": ALGORITHM}


@dataclass(frozen=True)
class KeySet:
    active: SigningKey
    published: tuple[SigningKey, ...]

    def jwks(self) -> dict[str, Any]:
        """The public halves, as ``/jwks.json`` serves them."""
        return {"keys": [key.public_jwk() for key in self.published]}


def parse_private_key(pem: str, *, kid: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM; ``ValueError`` saying what is wrong otherwise."""
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"signing key {kid!r} is not an unencrypted PEM private key") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError(f"signing key {kid!r} is not a P-256 (ES256) key")
    return key


def configured_key_set(pems: Mapping[str, str], active_kid: str | None) -> KeySet:
    """The configured keys; the active one named, or the only one."""
    if not pems:
        raise ValueError("no signing keys are configured")
    keys = tuple(
        SigningKey(kid, parse_private_key(pem, kid=kid)) for kid, pem in sorted(pems.items())
    )
    if active_kid is None:
        if len(keys) > 1:
            raise ValueError("several signing keys: IDENTITY_ACTIVE_KID must name the active one")
        return KeySet(active=keys[0], published=keys)
    by_kid = {key.kid: key for key in keys}
    if active_kid not in by_kid:
        raise ValueError(f"IDENTITY_ACTIVE_KID {active_kid!r} is not among the signing keys")
    return KeySet(active=by_kid[active_kid], published=keys)


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def private_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def thumbprint(key: ec.EllipticCurvePrivateKey) -> str:
    """The RFC 7638 JWK thumbprint of the public key: a kid that names the key itself."""
    jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def development_key_set(path: Path) -> KeySet:
    """The key in ``path``, generated there first if there is none (readable by owner only)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(private_pem(generate_private_key()))
            file.flush()
            os.fsync(file.fileno())
        try:
            # A link appears whole or not at all, and never replaces a key another process
            # starting at the same moment has put there first: then both use that one.
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = parse_private_key(path.read_text(), kid=str(path))
    signing = SigningKey(thumbprint(key), key)
    return KeySet(active=signing, published=(signing,))

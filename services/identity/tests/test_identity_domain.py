"""The rules, without a database or HTTP: refresh verdicts, roles, keys."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from identity_service.domain import RefreshTokenState, RefreshVerdict, judge_refresh
from identity_service.domain import normalise_roles as roles
from identity_service.keys import (
    configured_key_set,
    development_key_set,
    generate_private_key,
    private_pem,
    thumbprint,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


def state(**changes: object) -> RefreshTokenState:
    values: dict[str, object] = {
        "client_id": "orderflow-web",
        "expires_at": LATER,
        "rotated_at": None,
        "revoked_at": None,
        **changes,
    }
    return RefreshTokenState(**values)  # type: ignore[arg-type]


def test_a_fresh_token_is_rotated() -> None:
    assert judge_refresh(state(), client_id="orderflow-web", now=NOW) is RefreshVerdict.ROTATE


def test_a_rotated_token_presented_again_is_reuse() -> None:
    assert judge_refresh(state(rotated_at=NOW), client_id="orderflow-web", now=NOW) is (
        RefreshVerdict.REUSED
    )


@pytest.mark.parametrize(
    "changes",
    [{"revoked_at": NOW}, {"expires_at": NOW - timedelta(days=1)}, {"client_id": "other"}],
)
def test_reuse_wins_over_every_other_refusal(changes: dict[str, object]) -> None:
    """A spent token is evidence of a copy, even once revoked, expired or in other hands."""
    verdict = judge_refresh(state(rotated_at=NOW, **changes), client_id="orderflow-web", now=NOW)

    assert verdict is RefreshVerdict.REUSED


def test_a_revoked_token_is_refused() -> None:
    assert judge_refresh(state(revoked_at=NOW), client_id="orderflow-web", now=NOW) is (
        RefreshVerdict.REVOKED
    )


def test_a_token_is_expired_at_its_expiry() -> None:
    assert judge_refresh(state(expires_at=NOW), client_id="orderflow-web", now=NOW) is (
        RefreshVerdict.EXPIRED
    )


@pytest.mark.parametrize("client_id", [None, "orderflow-cli"])
def test_a_token_belongs_to_its_client(client_id: str | None) -> None:
    assert judge_refresh(state(), client_id=client_id, now=NOW) is RefreshVerdict.OTHER_CLIENT


def test_roles_are_known_unique_and_sorted() -> None:
    assert roles(["staff", "admin", "staff"]) == ["admin", "staff"]
    with pytest.raises(ValueError, match="unknown roles: root"):
        roles(["root"])
    with pytest.raises(ValueError, match="at least one"):
        roles([])


def test_the_development_key_is_made_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "signing-key.pem"

    first = development_key_set(path)
    second = development_key_set(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.active.kid == second.active.kid == thumbprint(first.active.private_key)
    assert list(tmp_path.joinpath("var").iterdir()) == [path]  # no draft left behind


def test_configured_keys_publish_all_and_sign_with_the_active_one() -> None:
    pems = {"old": private_pem(generate_private_key()), "new": private_pem(generate_private_key())}

    keys = configured_key_set(pems, "new")

    assert keys.active.kid == "new"
    assert [k["kid"] for k in keys.jwks()["keys"]] == ["new", "old"]
    assert all("d" not in k for k in keys.jwks()["keys"])


@pytest.mark.parametrize(
    ("pems", "active", "message"),
    [
        ({}, None, "no signing keys"),
        ({"a": "not a pem"}, None, "not an unencrypted PEM"),
        ({"a": "k", "b": "k"}, None, "not an unencrypted PEM"),
        ({"a": private_pem(generate_private_key())}, "b", "not among"),
    ],
)
def test_unusable_key_configurations_are_refused(
    pems: dict[str, str], active: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        configured_key_set(pems, active)


def test_several_keys_need_an_active_kid() -> None:
    pems = {"a": private_pem(generate_private_key()), "b": private_pem(generate_private_key())}

    with pytest.raises(ValueError, match="IDENTITY_ACTIVE_KID"):
        configured_key_set(pems, None)


def test_a_key_on_another_curve_is_refused() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    p384 = ec.generate_private_key(ec.SECP384R1())

    with pytest.raises(ValueError, match="not a P-256"):
        configured_key_set({"a": private_pem(p384)}, None)


async def test_at_most_max_concurrent_hashes_run_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import threading

    from identity_service.passwords import SecretHasher

    hasher = SecretHasher(time_cost=1, memory_kib=8, parallelism=1, max_concurrent=2)
    running, most = 0, 0
    lock = threading.Lock()
    release = threading.Event()
    two_in = threading.Event()
    original = SecretHasher._verify

    def slow(self: SecretHasher, hashed: str | None, secret: str) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            if running == 2:
                two_in.set()
        release.wait(5)
        with lock:
            running -= 1
        return original(self, hashed, secret)

    monkeypatch.setattr(SecretHasher, "_verify", slow)
    checks = [asyncio.create_task(hasher.verify(None, "x")) for _ in range(6)]
    await asyncio.to_thread(two_in.wait, 5)
    await asyncio.sleep(0.05)  # room for a third to get in, if the cap let it
    release.set()
    results = await asyncio.gather(*checks)

    assert most == 2
    assert results == [False] * 6

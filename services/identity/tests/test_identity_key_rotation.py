"""Rotating the signing key without downtime: publish the new key beside the old, let it sign,
and withdraw the old one only once its tokens have expired."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jwt
from chassis import TokenVerifier
from identity_service.keys import generate_private_key, private_pem
from identity_service.main import create_app
from orderflow_testing import app_client

from .conftest import ADMIN, bearer, make_settings

OLD = private_pem(generate_private_key())
NEW = private_pem(generate_private_key())


async def signed_in(settings: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Tokens from an app with these settings, its JWKS, and what /me says of them."""
    async with app_client(create_app(settings)) as client:
        response = await client.post(
            "/token", data={"grant_type": "password", "username": ADMIN[0], "password": ADMIN[1]}
        )
        tokens = response.json()
        jwks = (await client.get("/jwks.json")).json()
        me = (await client.get("/me", headers=bearer(tokens["access_token"]))).json()
    return tokens, jwks, me


async def test_a_rotation_without_downtime(tmp_path: Path) -> None:
    def settings(keys: dict[str, str], active: str | None = None) -> Any:
        return make_settings(tmp_path, signing_keys=keys, active_kid=active)

    # Before: one key.
    before, jwks_before, _ = await signed_in(settings({"2026-11": OLD}))
    assert jwt.get_unverified_header(before["access_token"])["kid"] == "2026-11"

    # During: both published, the new one signs; tokens of either verify.
    app = create_app(settings({"2026-11": OLD, "2026-12": NEW}, active="2026-12"))
    async with app_client(app) as client:
        jwks = (await client.get("/jwks.json")).json()
        old_me = await client.get("/me", headers=bearer(before["access_token"]))
        refreshed = await client.post(
            "/token", data={"grant_type": "refresh_token", "refresh_token": before["refresh_token"]}
        )
    assert sorted(k["kid"] for k in jwks["keys"]) == ["2026-11", "2026-12"]
    assert old_me.status_code == 200, old_me.text
    assert refreshed.status_code == 200  # refresh tokens do not depend on the signing key
    during = refreshed.json()
    assert jwt.get_unverified_header(during["access_token"])["kid"] == "2026-12"

    # A verifier elsewhere (the gateway) that cached the old JWKS learns the new kid on sight.
    gateway = TokenVerifier(issuer=app.state.settings.issuer, audience="orderflow-api", jwks=jwks)
    assert (await gateway.verify(before["access_token"])).sub == (
        await gateway.verify(during["access_token"])
    ).sub

    # After: the old key withdrawn; its tokens (expired by now in real life) stop verifying.
    async with app_client(create_app(settings({"2026-12": NEW}))) as client:
        old_me = await client.get("/me", headers=bearer(before["access_token"]))
        new_me = await client.get("/me", headers=bearer(during["access_token"]))
        jwks_after = (await client.get("/jwks.json")).json()
    assert old_me.status_code == 401
    assert new_me.status_code == 200
    assert [k["kid"] for k in jwks_after["keys"]] == ["2026-12"]
    assert [k["kid"] for k in jwks_before["keys"]] == ["2026-11"]


async def test_the_development_key_survives_a_restart(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    first, jwks_first, _ = await signed_in(settings)

    async with app_client(create_app(settings)) as client:
        jwks_second = (await client.get("/jwks.json")).json()
        me = await client.get("/me", headers=bearer(first["access_token"]))

    assert jwks_first == jwks_second
    assert me.status_code == 200

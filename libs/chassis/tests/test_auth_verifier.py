"""chassis.auth.TokenVerifier against a TestIssuer serving its JWKS over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from chassis import ServiceSettings
from chassis.auth import InvalidTokenError, Principal, TokenVerifier
from orderflow_testing import TestIssuer
from pydantic_settings import SettingsConfigDict


@pytest.fixture
async def verifier(issuer: TestIssuer) -> AsyncIterator[TokenVerifier]:
    v = TokenVerifier(issuer=issuer.issuer, audience=issuer.audience, jwks_url=issuer.jwks_url)
    yield v
    await v.aclose()


async def test_a_valid_token_gives_its_principal(
    issuer: TestIssuer, verifier: TokenVerifier
) -> None:
    token = issuer.token(
        sub="user-7", roles=["customer"], customer_id="c-1", email="a@example.com", name="A"
    )
    principal = await verifier.verify(token)
    assert principal == Principal(
        sub="user-7",
        roles=frozenset({"customer"}),
        customer_id="c-1",
        email="a@example.com",
        name="A",
        token=token,
        expires_at=principal.expires_at,
    )
    assert principal.expires_at > time.time()
    assert token not in repr(principal)
    assert principal.authorization == f"Bearer {token}"


async def test_a_repeat_is_served_from_the_cache(
    issuer: TestIssuer, verifier: TokenVerifier
) -> None:
    token = issuer.token()
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": time.time() - 60}, "token expired"),
        ({"nbf": time.time() + 60}, "token not yet valid"),
        ({"issuer": "https://elsewhere.example"}, "wrong issuer"),
        ({"audience": "another-api"}, "wrong audience"),
        ({"omit": ["sub"]}, "claim sub missing"),
        ({"omit": ["iat"]}, "claim iat missing"),
        ({"omit": ["exp"]}, "claim exp missing"),
        ({"sub": ""}, "claim sub invalid"),
    ],
)
async def test_claims_that_are_refused(
    issuer: TestIssuer, verifier: TokenVerifier, claims: dict[str, object], reason: str
) -> None:
    with pytest.raises(InvalidTokenError, match=reason):
        await verifier.verify(issuer.token(**claims))  # type: ignore[arg-type]


async def test_a_token_within_the_leeway_is_accepted(
    issuer: TestIssuer, verifier: TokenVerifier
) -> None:
    assert await verifier.verify(issuer.token(exp=time.time() - 2, nbf=time.time() + 2))


async def test_forgeries_are_refused(issuer: TestIssuer, verifier: TokenVerifier) -> None:
    original = issuer.token(roles=["customer"], customer_id="c-1")
    forgeries = {
        "algorithm not allowed": [issuer.forged_unsigned(), issuer.forged_hs256()],
        "bad signature": [issuer.tampered(original, roles=["admin"])],
        "malformed token": ["not-a-jwt", "a.b.c", ""],
    }
    for reason, tokens in forgeries.items():
        for token in tokens:
            with pytest.raises(InvalidTokenError, match=reason):
                await verifier.verify(token)


async def test_a_token_without_a_kid_is_refused(
    issuer: TestIssuer, verifier: TokenVerifier
) -> None:
    with pytest.raises(InvalidTokenError, match="token names no key"):
        await verifier.verify(issuer.token(headers={"kid": None}))


async def test_an_unknown_kid_refreshes_once_then_is_refused(
    issuer: TestIssuer, verifier: TokenVerifier
) -> None:
    await verifier.verify(issuer.token())
    fetches = issuer.jwks_fetches
    verifier.min_refresh_interval = 0
    unpublished = issuer.add_key(publish=False)
    with pytest.raises(InvalidTokenError, match="unknown key"):
        await verifier.verify(issuer.token(kid=unpublished))
    assert issuer.jwks_fetches == fetches + 1


async def test_a_key_published_later_is_picked_up(
    issuer: TestIssuer, verifier: TokenVerifier
) -> None:
    await verifier.verify(issuer.token())
    verifier.min_refresh_interval = 0
    new_kid = issuer.add_key(publish=False)
    issuer.publish(new_kid)
    principal = await verifier.verify(issuer.token(kid=new_kid))
    assert principal.roles == {"admin"}


async def test_a_flood_of_unknown_kids_costs_one_fetch(issuer: TestIssuer) -> None:
    verifier = TokenVerifier(
        issuer=issuer.issuer,
        audience=issuer.audience,
        jwks_url=issuer.jwks_url,
        min_refresh_interval=3600,
    )
    before = issuer.jwks_fetches
    unpublished = issuer.add_key(publish=False)
    tokens = [issuer.token(kid=unpublished, headers={"kid": f"made-up-{i}"}) for i in range(100)]
    results = await asyncio.gather(*(verifier.verify(t) for t in tokens), return_exceptions=True)
    assert all(isinstance(r, InvalidTokenError) for r in results)
    # The first fetch (there were no keys yet) serves every request waiting on it.
    assert issuer.jwks_fetches - before == 1
    assert await verifier.verify(issuer.token())
    assert issuer.jwks_fetches - before == 1
    await verifier.aclose()


async def test_a_withdrawn_key_stops_working_at_the_next_refresh(
    issuer: TestIssuer,
) -> None:
    verifier = TokenVerifier(
        issuer=issuer.issuer,
        audience=issuer.audience,
        jwks_url=issuer.jwks_url,
        min_refresh_interval=0,
    )
    old = issuer.add_key()
    token = issuer.token(kid=old)
    assert await verifier.verify(token)
    issuer.withdraw(old)
    await verifier.refresh()
    with pytest.raises(InvalidTokenError, match="unknown key"):
        await verifier.verify(token)
    await verifier.aclose()


async def test_an_unreachable_jwks_refuses_without_raising_anything_else() -> None:
    verifier = TokenVerifier(
        issuer="http://issuer", audience="orderflow-api", jwks_url="http://127.0.0.1:9/jwks.json"
    )
    with TestIssuer() as other, pytest.raises(InvalidTokenError, match="unknown key"):
        await verifier.verify(other.token())
    await verifier.aclose()


async def test_a_static_jwks_needs_no_network(issuer: TestIssuer) -> None:
    with TestIssuer() as other:
        verifier = TokenVerifier(issuer=other.issuer, audience=other.audience, jwks=other.jwks())
        token = other.token(roles=["staff"])
    assert (await verifier.verify(token)).roles == {"staff"}
    with pytest.raises(InvalidTokenError, match="unknown key"):
        await verifier.verify(issuer.token())


async def test_cached_tokens_expire_with_the_token(issuer: TestIssuer) -> None:
    now = [time.time()]
    verifier = TokenVerifier(
        issuer=issuer.issuer,
        audience=issuer.audience,
        jwks=issuer.jwks(),
        leeway_seconds=0,
        clock=lambda: now[0],
    )
    token = issuer.token(expires_in=60)
    first = await verifier.verify(token)
    assert await verifier.verify(token) is first
    now[0] += 120  # past exp by the cache's clock: verified again (PyJWT reads the real one)
    assert await verifier.verify(token) is not first


async def test_the_cache_is_bounded(issuer: TestIssuer) -> None:
    verifier = TokenVerifier(
        issuer=issuer.issuer, audience=issuer.audience, jwks=issuer.jwks(), cache_size=3
    )
    for _ in range(10):
        await verifier.verify(issuer.token())
    assert len(verifier._verified) == 3


@pytest.mark.parametrize(
    ("claim", "value", "roles"),
    [
        ("roles", ["staff", "customer"], {"staff", "customer"}),
        ("roles", "staff admin", {"staff", "admin"}),
        ("roles", ["superuser", 7, "admin"], {"admin"}),
        ("roles", None, set()),
        ("realm_access.roles", {"roles": ["staff"]}, {"staff"}),
    ],
)
async def test_the_roles_claim_is_configurable(
    issuer: TestIssuer, claim: str, value: object, roles: set[str]
) -> None:
    verifier = TokenVerifier(
        issuer=issuer.issuer, audience=issuer.audience, jwks=issuer.jwks(), roles_claim=claim
    )
    if claim == "roles":
        token = issuer.token(roles=value)
    else:
        token = issuer.token(roles=None, realm_access=value)
    assert (await verifier.verify(token)).roles == roles


@pytest.mark.parametrize("algorithms", [["none"], ["HS256"], ["ES256", "HS512"], []])
def test_only_asymmetric_algorithms_may_be_allowed(algorithms: list[str]) -> None:
    with pytest.raises(ValueError, match="asymmetric"):
        TokenVerifier(issuer="i", audience="a", jwks={"keys": []}, algorithms=algorithms)


def test_settings_read_the_verification_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Settings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix="THING_")

    monkeypatch.setenv("THING_AUTH_ALGORITHMS", "ES256, RS256")
    monkeypatch.setenv("THING_AUTH_ROLES_CLAIM", "realm_access.roles")
    settings = Settings()
    assert settings.auth_algorithms == ("ES256", "RS256")
    assert settings.auth_audience == "orderflow-api"
    assert settings.auth_leeway_seconds == 5
    assert settings.auth_jwks_url == "http://127.0.0.1:8003/jwks.json"
    assert settings.auth_issuer == "http://localhost:8000/api/auth"
    monkeypatch.setenv("THING_AUTH_ALGORITHMS", "ES256,none")
    with pytest.raises(ValueError, match="asymmetric"):
        Settings()


async def test_after_a_failed_fetch_the_next_try_comes_sooner(issuer: TestIssuer) -> None:
    """An issuer that was down is asked again within a second, not after the full interval."""
    verifier = TokenVerifier(
        issuer=issuer.issuer,
        audience=issuer.audience,
        jwks_url="http://127.0.0.1:9/jwks.json",
        min_refresh_interval=3600,
    )
    with pytest.raises(InvalidTokenError, match="unknown key"):
        await verifier.verify(issuer.token())
    assert verifier.fetches == 1
    verifier.jwks_url = issuer.jwks_url  # the issuer is back
    await verifier.refresh()
    assert verifier.fetches == 1  # not within the second
    verifier._fetched_at = (verifier._fetched_at or 0) - 1.5
    assert await verifier.verify(issuer.token())
    assert verifier.fetches == 2
    await verifier.refresh()
    assert verifier.fetches == 2  # after a success, the full interval holds
    await verifier.aclose()

"""The identity service's HTTP API, on SQLite and PostgreSQL: every grant, every error, the
browser's cookie, logout, /me, discovery and keys."""

from __future__ import annotations

import asyncio
import base64
import uuid
from http.cookies import SimpleCookie
from typing import Any

import httpx
import jwt
import pytest

from .conftest import ADMIN, CLI, COOKIE, CUSTOMER, STAFF, WEB, bearer, sign_in, tokens

ISSUER = "http://localhost:8000/api/auth"


def claims_of(token: str) -> dict[str, Any]:
    """The claims, unverified: these tests look at what was issued (verification is /me's)."""
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def refresh_cookie(response: httpx.Response) -> SimpleCookie:
    cookie = SimpleCookie()
    cookie.load(response.headers["set-cookie"])
    return cookie


def with_cookie(value: str) -> dict[str, str]:
    return {"Cookie": f"{COOKIE}={value}"}


def assert_oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["error"] == error
    assert body["error_description"]


# Password grant


async def test_password_grant_returns_a_bearer_token_and_a_refresh_token(
    client: httpx.AsyncClient,
) -> None:
    response = await sign_in(client, ADMIN)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 600
    assert "set-cookie" not in response.headers


async def test_access_token_carries_exactly_the_contracts_claims(
    client: httpx.AsyncClient,
) -> None:
    body = await tokens(client, STAFF)

    header = jwt.get_unverified_header(body["access_token"])
    claims = claims_of(body["access_token"])
    assert header["alg"] == "ES256"
    jwks = (await client.get("/jwks.json")).json()
    assert header["kid"] in {key["kid"] for key in jwks["keys"]}
    assert set(claims) == {
        "iss",
        "aud",
        "sub",
        "exp",
        "iat",
        "nbf",
        "jti",
        "roles",
        "customer_id",
        "email",
        "name",
    }
    assert claims["iss"] == ISSUER
    assert claims["aud"] == "orderflow-api"
    assert uuid.UUID(claims["sub"])
    assert claims["roles"] == ["staff"]
    assert claims["customer_id"] is None
    assert claims["email"] == "staff@example.com"
    assert claims["exp"] - claims["iat"] == 600
    assert claims["nbf"] == claims["iat"]


async def test_the_email_matches_in_any_case(client: httpx.AsyncClient) -> None:
    response = await sign_in(client, ("Admin@EXAMPLE.com", ADMIN[1]))

    assert response.status_code == 200


async def test_each_sign_in_is_a_new_token(client: httpx.AsyncClient) -> None:
    first, second = await tokens(client), await tokens(client)

    assert first["access_token"] != second["access_token"]
    assert first["refresh_token"] != second["refresh_token"]
    assert claims_of(first["access_token"])["jti"] != claims_of(second["access_token"])["jti"]


async def test_wrong_password_and_unknown_user_answer_exactly_alike(
    client: httpx.AsyncClient,
) -> None:
    wrong_password = await sign_in(client, (ADMIN[0], "not-the-password"))
    unknown_user = await sign_in(client, ("nobody@example.com", "not-the-password"))

    assert_oauth_error(wrong_password, 400, "invalid_grant")
    assert_oauth_error(unknown_user, 400, "invalid_grant")
    assert wrong_password.json() == unknown_user.json()
    assert wrong_password.headers.keys() - {"x-request-id", "content-length"} == (
        unknown_user.headers.keys() - {"x-request-id", "content-length"}
    )


async def test_an_unknown_user_costs_a_hash_verification_too(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Time equal by construction: one Argon2 verification whether or not the user exists."""
    from identity_service.passwords import SecretHasher

    verified: list[bool] = []
    original = SecretHasher._verify

    def counting(self: SecretHasher, hashed: str | None, secret: str) -> bool:
        verified.append(hashed is None)
        return original(self, hashed, secret)

    monkeypatch.setattr(SecretHasher, "_verify", counting)
    await sign_in(client, ("nobody@example.com", "x"))
    await sign_in(client, (ADMIN[0], "x"))

    assert verified == [True, False]


@pytest.mark.parametrize(
    "data",
    [
        {"grant_type": "password", "password": "x"},
        {"grant_type": "password", "username": "admin@example.com"},
        {"grant_type": "password", "username": "", "password": "x"},
        {"grant_type": "refresh_token"},
        {"username": "admin@example.com", "password": "orderflow-admin"},
    ],
)
async def test_missing_parameters_are_invalid_request(
    client: httpx.AsyncClient, data: dict[str, str]
) -> None:
    assert_oauth_error(await client.post("/token", data=data), 400, "invalid_request")


@pytest.mark.parametrize("grant_type", ["authorization_code", "implicit", "PASSWORD", "x" * 300])
async def test_other_grant_types_are_unsupported(
    client: httpx.AsyncClient, grant_type: str
) -> None:
    response = await client.post("/token", data={"grant_type": grant_type})

    assert_oauth_error(response, 400, "unsupported_grant_type")


async def test_a_json_body_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/token",
        json={"grant_type": "password", "username": ADMIN[0], "password": ADMIN[1]},
    )

    # The chassis takes only the media type the route declares (a form), as at every door.
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"grant_type": "password"}', "application/json"),
        (b"grant_type=password", "text/plain"),
        (b"--x\r\n", "multipart/form-data; boundary=x"),
        (b"grant_type=password", None),
    ],
)
async def test_a_body_that_is_not_a_form_is_415_before_anything_reads_it(
    client: httpx.AsyncClient, content: bytes, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post("/token", content=content, headers=headers)

    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["accept-post"] == "application/x-www-form-urlencoded"


@pytest.mark.parametrize("content", [b"\xff\xfe", b"", b"=&=&"])
async def test_a_form_without_a_usable_grant_is_an_oauth_error(
    client: httpx.AsyncClient, content: bytes
) -> None:
    response = await client.post(
        "/token", content=content, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_a_parameter_given_twice_is_invalid_request(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/token",
        content=b"grant_type=password&username=a%40example.com&username=b%40example.com&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert_oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize(
    "username", ["admin\x00@example.com", "x" * 5000, "'; DROP TABLE users;--", "ü@例え.jp"]
)
async def test_hostile_usernames_are_refused_never_a_500(
    client: httpx.AsyncClient, username: str
) -> None:
    response = await sign_in(client, (username, "x"))

    assert response.status_code == 400
    assert response.json()["error"] in {"invalid_request", "invalid_grant"}


# Client credentials


async def test_client_credentials_in_the_form(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/token",
        data={"grant_type": "client_credentials", "client_id": CLI[0], "client_secret": CLI[1]},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert "refresh_token" not in body  # RFC 6749 4.4.3: a client signs in again instead
    claims = claims_of(body["access_token"])
    assert (claims["sub"], claims["roles"], claims["email"]) == (CLI[0], ["admin"], None)


async def test_client_credentials_by_http_basic(client: httpx.AsyncClient) -> None:
    response = await client.post("/token", data={"grant_type": "client_credentials"}, auth=CLI)

    assert response.status_code == 200, response.text
    assert claims_of(response.json()["access_token"])["sub"] == CLI[0]


@pytest.mark.parametrize(
    "credentials",
    [(CLI[0], "wrong-secret"), ("no-such-client", CLI[1]), (CLI[0], "")],
)
async def test_failed_client_authentication_is_401_with_a_basic_challenge(
    client: httpx.AsyncClient, credentials: tuple[str, str]
) -> None:
    by_basic = await client.post(
        "/token", data={"grant_type": "client_credentials"}, auth=credentials
    )
    in_form = await client.post(
        "/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials[0],
            "client_secret": credentials[1],
        },
    )

    for response in (by_basic, in_form):
        assert_oauth_error(response, 401, "invalid_client")
        assert response.headers["www-authenticate"].startswith("Basic ")
    assert by_basic.json() == in_form.json()


@pytest.mark.parametrize(
    "authorization", ["Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode(), "Basic "]
)
async def test_malformed_basic_credentials_are_invalid_client(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.post(
        "/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": authorization},
    )

    assert_oauth_error(response, 401, "invalid_client")


async def test_client_credentials_without_a_client_is_invalid_client(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/token", data={"grant_type": "client_credentials"})

    assert_oauth_error(response, 401, "invalid_client")


async def test_credentials_both_by_basic_and_in_the_form_are_invalid_request(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/token",
        data={"grant_type": "client_credentials", "client_secret": CLI[1]},
        auth=CLI,
    )

    assert_oauth_error(response, 400, "invalid_request")


async def test_the_browser_client_has_no_secret_to_give(client: httpx.AsyncClient) -> None:
    response = await sign_in(client, ADMIN, client_id=WEB, client_secret="anything")

    assert_oauth_error(response, 401, "invalid_client")


async def test_the_browser_client_cannot_use_client_credentials(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/token", data={"grant_type": "client_credentials", "client_id": WEB}
    )

    assert_oauth_error(response, 401, "invalid_client")


# Refresh tokens


async def test_refresh_rotates_the_token(client: httpx.AsyncClient) -> None:
    first = await tokens(client)

    response = await client.post(
        "/token", data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert claims_of(second["access_token"])["sub"] == claims_of(first["access_token"])["sub"]


async def refresh(client: httpx.AsyncClient, token: str, **extra: str) -> httpx.Response:
    return await client.post(
        "/token", data={"grant_type": "refresh_token", "refresh_token": token, **extra}
    )


async def test_reusing_a_rotated_token_revokes_its_whole_family(
    client: httpx.AsyncClient,
) -> None:
    first = (await tokens(client))["refresh_token"]
    second = (await refresh(client, first)).json()["refresh_token"]
    other_session = (await tokens(client))["refresh_token"]

    reuse = await refresh(client, first)
    after = await refresh(client, second)

    assert_oauth_error(reuse, 400, "invalid_grant")
    assert "already used" in reuse.json()["error_description"]
    assert_oauth_error(after, 400, "invalid_grant")
    assert (await refresh(client, other_session)).status_code == 200


async def test_racing_refreshes_of_one_token_let_at_most_one_win(
    client: httpx.AsyncClient,
) -> None:
    token = (await tokens(client))["refresh_token"]

    responses = await asyncio.gather(*(refresh(client, token) for _ in range(5)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) <= 1
    assert set(statuses) <= {200, 400}
    # Whoever won, the losers' reuse revoked the family: the winner's successor is dead too.
    for response in responses:
        if response.status_code == 200:
            assert (await refresh(client, response.json()["refresh_token"])).status_code == 400


@pytest.mark.parametrize("token", ["not-a-token", "x" * 43, "ü" * 10])
async def test_unknown_refresh_tokens_are_invalid_grant(
    client: httpx.AsyncClient, token: str
) -> None:
    assert_oauth_error(await refresh(client, token), 400, "invalid_grant")


async def test_a_refresh_token_works_only_for_the_client_it_was_issued_to(
    client: httpx.AsyncClient,
) -> None:
    anonymous = (await tokens(client))["refresh_token"]

    response = await refresh(client, anonymous, client_id=WEB)

    assert_oauth_error(response, 400, "invalid_grant")


async def test_an_expired_refresh_token_is_invalid_grant(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from identity_service import service

    token = (await tokens(client))["refresh_token"]
    later = service.utcnow() + timedelta(days=8)
    monkeypatch.setattr(service, "utcnow", lambda: later)

    response = await refresh(client, token)

    assert_oauth_error(response, 400, "invalid_grant")
    assert "expired" in response.json()["error_description"]


# The browser: refresh token in an HttpOnly cookie, never in the body


async def test_the_browser_gets_its_refresh_token_as_a_strict_httponly_cookie(
    client: httpx.AsyncClient,
) -> None:
    response = await sign_in(client, CUSTOMER, client_id=WEB)

    assert response.status_code == 200, response.text
    assert "refresh_token" not in response.json()
    raw = response.headers["set-cookie"]
    morsel = refresh_cookie(response)[COOKIE]
    assert morsel.value
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Strict"
    assert morsel["path"] == "/api/auth"
    assert int(morsel["max-age"]) == 7 * 24 * 3600
    assert "Secure" not in raw  # this request came over plain http


async def test_the_cookie_is_secure_when_the_request_came_over_https(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/token",
        data={
            "grant_type": "password",
            "username": ADMIN[0],
            "password": ADMIN[1],
            "client_id": WEB,
        },
        headers={"X-Forwarded-Proto": "https"},
    )

    assert refresh_cookie(response)[COOKIE]["secure"] is True


async def test_the_browser_refreshes_with_its_cookie_alone(client: httpx.AsyncClient) -> None:
    signed_in = await sign_in(client, ADMIN, client_id=WEB)
    first = refresh_cookie(signed_in)[COOKIE].value

    response = await client.post(
        "/token",
        data={"grant_type": "refresh_token", "client_id": WEB},
        headers=with_cookie(first),
    )

    assert response.status_code == 200, response.text
    assert "refresh_token" not in response.json()
    second = refresh_cookie(response)[COOKIE].value
    assert second != first
    reuse = await client.post(
        "/token",
        data={"grant_type": "refresh_token", "client_id": WEB},
        headers=with_cookie(first),
    )
    assert_oauth_error(reuse, 400, "invalid_grant")


async def test_a_cookie_token_presented_without_the_browser_client_is_refused(
    client: httpx.AsyncClient,
) -> None:
    cookie = refresh_cookie(await sign_in(client, ADMIN, client_id=WEB))[COOKIE].value

    assert_oauth_error(await refresh(client, cookie), 400, "invalid_grant")


async def test_the_browser_without_a_cookie_is_invalid_request(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/token", data={"grant_type": "refresh_token", "client_id": WEB})

    assert_oauth_error(response, 400, "invalid_request")


# Logout


async def test_logout_revokes_the_family_and_clears_the_cookie(
    client: httpx.AsyncClient,
) -> None:
    cookie = refresh_cookie(await sign_in(client, ADMIN, client_id=WEB))[COOKIE].value

    response = await client.post("/logout", headers=with_cookie(cookie))

    assert response.status_code == 204
    cleared = refresh_cookie(response)[COOKIE]
    assert cleared.value == ""
    assert cleared["max-age"] == "0"
    assert cleared["path"] == "/api/auth"
    again = await client.post(
        "/token",
        data={"grant_type": "refresh_token", "client_id": WEB},
        headers=with_cookie(cookie),
    )
    assert_oauth_error(again, 400, "invalid_grant")


async def test_logout_with_the_token_in_the_form(client: httpx.AsyncClient) -> None:
    token = (await tokens(client))["refresh_token"]

    response = await client.post("/logout", data={"refresh_token": token})

    assert response.status_code == 204
    assert_oauth_error(await refresh(client, token), 400, "invalid_grant")


@pytest.mark.parametrize("data", [{"refresh_token": "unknown"}, {}])
async def test_logout_of_an_unknown_token_or_none_is_204_too(
    client: httpx.AsyncClient, data: dict[str, str]
) -> None:
    assert (await client.post("/logout", data=data)).status_code == 204


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"grant_type": "password"}', "application/json"),
        (b"grant_type=password", "text/plain"),
        (b"--x\r\n", "multipart/form-data; boundary=x"),
    ],
)
async def test_bodies_in_another_media_type_are_415(
    client: httpx.AsyncClient, content: bytes, content_type: str
) -> None:
    for path in ("/token", "/logout"):
        response = await client.post(path, content=content, headers={"Content-Type": content_type})

        assert response.status_code == 415, path
        assert response.json()["status"] == 415


# /me


async def test_me_is_the_caller(client: httpx.AsyncClient) -> None:
    token = (await tokens(client, STAFF))["access_token"]

    response = await client.get("/me", headers=bearer(token))

    assert response.status_code == 200
    assert response.json() == {
        "sub": claims_of(token)["sub"],
        "email": "staff@example.com",
        "name": "Demo Staff",
        "roles": ["staff"],
        "customer_id": None,
    }


async def test_me_of_a_client(client: httpx.AsyncClient) -> None:
    token = await client.post("/token", data={"grant_type": "client_credentials"}, auth=CLI)
    response = await client.get("/me", headers=bearer(token.json()["access_token"]))

    assert response.json()["sub"] == CLI[0]
    assert response.json()["roles"] == ["admin"]


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        ({}, None),
        ({"Authorization": "Bearer not.a.jwt"}, "invalid_token"),
        ({"Authorization": "Basic eDp5"}, "invalid_token"),
    ],
)
async def test_me_without_a_good_token_is_401_with_a_bearer_challenge(
    client: httpx.AsyncClient, headers: dict[str, str], error: str | None
) -> None:
    response = await client.get("/me", headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert (f'error="{error}"' in challenge) is (error is not None)


async def test_me_refuses_a_token_from_another_issuer(client: httpx.AsyncClient) -> None:
    from orderflow_testing import TestIssuer

    with TestIssuer(issuer=ISSUER) as other:
        forged = other.token(sub="intruder", roles=["admin"])

    response = await client.get("/me", headers=bearer(forged))

    assert response.status_code == 401


# Discovery and keys


async def test_discovery_puts_everything_under_the_issuer(client: httpx.AsyncClient) -> None:
    response = await client.get("/.well-known/openid-configuration")

    assert response.status_code == 200
    document = response.json()
    assert document["issuer"] == ISSUER
    assert document["token_endpoint"] == f"{ISSUER}/token"
    assert document["jwks_uri"] == f"{ISSUER}/jwks.json"
    assert document["grant_types_supported"] == [
        "password",
        "refresh_token",
        "client_credentials",
    ]
    assert document["id_token_signing_alg_values_supported"] == ["ES256"]
    assert "client_secret_basic" in document["token_endpoint_auth_methods_supported"]


async def test_jwks_publishes_public_keys_only(client: httpx.AsyncClient) -> None:
    response = await client.get("/jwks.json")

    assert response.status_code == 200
    assert "max-age" in response.headers["cache-control"]
    (key,) = response.json()["keys"]
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("EC", "P-256", "ES256", "sig")
    assert "d" not in key  # the private part


async def test_a_token_verifies_against_the_published_key(client: httpx.AsyncClient) -> None:
    token = (await tokens(client))["access_token"]
    (key,) = (await client.get("/jwks.json")).json()["keys"]

    claims = jwt.decode(
        token, jwt.PyJWK(key), algorithms=["ES256"], audience="orderflow-api", issuer=ISSUER
    )

    assert claims["roles"] == ["admin"]


async def test_readiness_waits_for_the_demo_customer_link(client: httpx.AsyncClient) -> None:
    ready = await client.get("/readyz")

    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["demo_customer"]["status"] == "down"
    assert (await client.get("/healthz")).status_code == 200

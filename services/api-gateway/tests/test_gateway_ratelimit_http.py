"""Budgets at the gateway's door, in-process: 429 problems, the draft's headers, who counts
against what, and the token endpoint's failed attempts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import respx
from orderflow_testing import TestIssuer
from prometheus_client import REGISTRY

PAGE = {"items": [], "next_cursor": None}
SMALL = {"rate_limit_reads": "3/min", "rate_limit_writes": "2/min"}


def limited(policy: str, reason: str) -> float:
    value = REGISTRY.get_sample_value(
        "gateway_rate_limited_total", {"policy": policy, "reason": reason}
    )
    return value or 0.0


async def test_reads_past_the_burst_are_429_problems_with_the_headers(
    gateway_with: Callable[..., Any], customer_api: respx.MockRouter
) -> None:
    route = customer_api.get("/customers").respond(200, json=PAGE)
    before = limited("reads", "sub")

    async with gateway_with(**SMALL) as client:
        answers = [await client.get("/api/customers") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["ratelimit-policy"] == '"reads";q=3;w=60'
    assert answers[0].headers["ratelimit"] == '"reads";r=2;t=20'
    refused = answers[3]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "20"
    assert refused.headers["ratelimit"] == '"reads";r=0;t=20'
    body = refused.json()
    assert body["status"] == 429
    assert body["type"] == "urn:orderflow:problem:rate-limited"
    assert body["violated-policies"] == ["reads"]
    assert body["detail"] == "Too many requests from this caller. Try again in 20 s."
    assert route.call_count == 3, "a refused request costs no upstream call"
    assert limited("reads", "sub") == before + 1


async def test_reads_and_writes_have_budgets_of_their_own(
    gateway_with: Callable[..., Any], customer_api: respx.MockRouter
) -> None:
    customer_api.get("/customers").respond(200, json=PAGE)
    customer_api.post("/customers").respond(201, json={"id": "c1"})
    body = {"name": "Ada", "email": "ada@example.com"}

    async with gateway_with(**SMALL) as client:
        writes = [(await client.post("/api/customers", json=body)).status_code for _ in range(3)]
        read = await client.get("/api/customers")

    assert writes == [201, 201, 429]
    assert read.status_code == 200


async def test_another_caller_is_unaffected(
    gateway_with: Callable[..., Any], customer_api: respx.MockRouter, issuer: TestIssuer
) -> None:
    customer_api.get("/customers").respond(200, json=PAGE)

    async with gateway_with(**SMALL) as client:
        for _ in range(4):
            await client.get("/api/customers")
        other = await client.get("/api/customers", headers=issuer.headers("staff"))

    assert other.status_code == 200
    assert other.headers["ratelimit"] == '"reads";r=2;t=20'


async def test_without_a_token_the_address_is_the_caller_and_a_forged_one_changes_nothing(
    gateway_with: Callable[..., Any],
) -> None:
    before = limited("reads", "address")

    async with gateway_with(**SMALL) as client:
        anonymous = [
            await client.get(
                "/api/customers",
                headers={"Authorization": "", "X-Forwarded-For": f"203.0.113.{n}"},
            )
            for n in range(4)
        ]

    assert [a.status_code for a in anonymous] == [401, 401, 401, 429]
    assert limited("reads", "address") == before + 1


async def test_probes_metrics_and_docs_are_never_limited(gateway_with: Callable[..., Any]) -> None:
    async with gateway_with(**SMALL) as client:
        answers = [await client.get(path) for path in ["/healthz", "/metrics"] * 3]

    assert {a.status_code for a in answers} == {200}
    assert all("ratelimit" not in a.headers for a in answers)


async def test_budgets_off_means_no_headers(
    gateway_with: Callable[..., Any], customer_api: respx.MockRouter
) -> None:
    customer_api.get("/customers").respond(200, json=PAGE)

    async with gateway_with(rate_limit_enabled=False, **SMALL) as client:
        answers = [await client.get("/api/customers") for _ in range(5)]

    assert {a.status_code for a in answers} == {200}
    assert "ratelimit" not in answers[0].headers


def password(username: str, secret: str = "wrong") -> dict[str, str]:
    return {"grant_type": "password", "username": username, "password": secret}


TOKEN = {"access_token": "t", "token_type": "Bearer", "expires_in": 600}
LOGIN = {"rate_limit_login_failures": "3/min"}


async def test_failed_sign_ins_are_limited_and_the_answer_names_no_account(
    gateway_with: Callable[..., Any], identity_api: respx.MockRouter
) -> None:
    token = identity_api.post("/token").respond(400, json={"error": "invalid_grant"})

    async with gateway_with(**LOGIN) as client:
        failures = [
            await client.post("/api/auth/token", data=password("ada@example.com")) for _ in range(4)
        ]
        # The address's budget is spent, whichever name comes next.
        nobody = await client.post("/api/auth/token", data=password("nobody@example.com"))

    assert [f.status_code for f in failures] == [400, 400, 400, 429]
    assert token.call_count == 3
    assert failures[0].headers.get_list("ratelimit-policy")[0] == '"login";q=3;w=60'
    assert failures[2].headers["ratelimit"].startswith('"login";r=0;t=')
    refused = failures[3]
    assert refused.json()["violated-policies"] == ["login"]
    assert refused.json()["detail"].startswith("Too many failed sign-in attempts. Try again in ")
    assert int(refused.headers["retry-after"]) >= 1
    assert nobody.status_code == 429
    assert nobody.json()["detail"] == refused.json()["detail"]


async def test_a_username_guessed_from_many_addresses_is_slowed_down(
    gateway_with: Callable[..., Any], identity_api: respx.MockRouter
) -> None:
    identity_api.post("/token").respond(400, json={"error": "invalid_grant"})
    proxies = {"trusted_proxies": "127.0.0.1"}

    async with gateway_with(**LOGIN, **proxies) as client:
        answers = [
            await client.post(
                "/api/auth/token",
                data=password("Ada@Example.com" if n % 2 else "ada@example.com"),
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            )
            for n in range(4)
        ]
        elsewhere = await client.post(
            "/api/auth/token",
            data=password("grace@example.com"),
            headers={"X-Forwarded-For": "203.0.113.99"},
        )

    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    assert elsewhere.status_code == 400, "another name from another address still counts"


async def test_sign_ins_that_succeed_spend_nothing(
    gateway_with: Callable[..., Any], identity_api: respx.MockRouter
) -> None:
    identity_api.post("/token").respond(200, json=TOKEN)

    async with gateway_with(**LOGIN) as client:
        answers = [
            await client.post("/api/auth/token", data=password("ada@example.com", "right"))
            for _ in range(6)
        ]

    assert {a.status_code for a in answers} == {200}
    assert answers[-1].headers["ratelimit"].startswith('"login";r=3;')


async def test_an_identity_that_does_not_answer_spends_nothing(
    gateway_with: Callable[..., Any], identity_api: respx.MockRouter
) -> None:
    identity_api.post("/token").mock(side_effect=httpx.ConnectError("refused"))

    async with gateway_with(**LOGIN, retry_attempts=1) as client:
        answers = [
            await client.post("/api/auth/token", data=password("ada@example.com")) for _ in range(5)
        ]

    assert {a.status_code for a in answers} == {503}


async def test_refreshes_without_a_session_are_not_failed_sign_ins(
    gateway_with: Callable[..., Any], identity_api: respx.MockRouter
) -> None:
    # The browser asks for a refresh at each page load, session or not: those answers are the
    # end of a session, not a guess, and must not lock the address's sign-ins.
    identity_api.post("/token").respond(400, json={"error": "invalid_grant"})

    async with gateway_with(**LOGIN) as client:
        refreshes = [
            await client.post(
                "/api/auth/token",
                data={"grant_type": "refresh_token", "client_id": "orderflow-web"},
            )
            for _ in range(6)
        ]
        guesses = [
            await client.post("/api/auth/token", data=password("ada@example.com")) for _ in range(4)
        ]

    assert {r.status_code for r in refreshes} == {400}
    assert [g.status_code for g in guesses] == [400, 400, 400, 429], "guesses still count"

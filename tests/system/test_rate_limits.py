"""Budgets at a real gateway process: a write burst cut at its budget and refilled, another
caller untouched, failed sign-ins slowed per address while another address still signs in.
Budgets are small and windows short (settings), so the test takes seconds."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from orderflow_testing import Stack
from orderflow_testing.metrics import sample

pytestmark = pytest.mark.system
WRITES = "2/s burst 4"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(
        tmp_path_factory.mktemp("limits"),
        env={
            "gateway": {
                "GATEWAY_RATE_LIMIT_WRITES": WRITES,
                "GATEWAY_RATE_LIMIT_LOGIN_FAILURES": "3/min",
            }
        },
    )
    try:
        yield stack.start()
    finally:
        stack.stop()


def customer() -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    return {"name": f"Burst {tag}", "email": f"burst-{tag}@example.com"}


def from_address(stack: Stack, address: str) -> httpx.Client:
    """A client whose connections come from ``address`` (any 127.0.0.0/8 reaches loopback)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=stack.url, timeout=10, transport=transport)


def test_a_write_burst_is_cut_at_the_budget_and_refills(stack: Stack) -> None:
    admin = httpx.Client(base_url=stack.url, timeout=10, headers=stack.headers("admin"))
    staff = httpx.Client(base_url=stack.url, timeout=10, headers=stack.headers("staff"))

    started = time.monotonic()
    answers = [admin.post("/api/customers", json=customer()) for _ in range(12)]
    elapsed = time.monotonic() - started
    other = staff.post("/api/customers", json=customer())

    accepted = [a for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code == 429]
    assert len(accepted) + len(refused) == len(answers), [a.text for a in answers]
    # The burst, and what refilled at 2/s while it was being sent; never much more.
    assert 4 <= len(accepted) <= 4 + 2 * elapsed + 1, (len(accepted), elapsed)
    assert refused, f"12 writes in {elapsed:.2f} s were all accepted"
    assert accepted[0].headers["ratelimit-policy"] == '"writes";q=4;w=2'
    assert accepted[0].headers["ratelimit"].startswith('"writes";r=3;')
    last = refused[-1]
    assert last.headers["content-type"] == "application/problem+json"
    assert last.json()["violated-policies"] == ["writes"]
    assert last.headers["ratelimit"].startswith('"writes";r=0;')
    wait = int(last.headers["retry-after"])
    assert wait >= 1
    assert other.status_code == 201, "another caller has a budget of its own"

    time.sleep(wait)

    assert admin.post("/api/customers", json=customer()).status_code == 201
    metrics = httpx.get(f"{stack.url}/metrics").text
    limited = sample(metrics, "gateway_rate_limited_total", policy="writes", reason="sub")
    assert limited == len(refused)
    logged = [line for line in stack.gateway.logs().splitlines() if '"rate_limited"' in line]
    assert logged
    assert all('"sub": "' in line for line in logged)
    assert all("Bearer" not in line and "eyJ" not in line for line in logged)


def test_failed_sign_ins_past_the_limit_are_429_while_another_address_signs_in(
    stack: Stack,
) -> None:
    guesser = from_address(stack, "127.0.0.3")
    elsewhere = from_address(stack, "127.0.0.2")

    def sign_in(client: httpx.Client, username: str, password: str) -> httpx.Response:
        form = {"grant_type": "password", "username": username, "password": password}
        return client.post("/api/auth/token", data=form)

    guesses = [sign_in(guesser, "staff@example.com", f"guess-{n}") for n in range(3)]
    refused = sign_in(guesser, "staff@example.com", "guess-3")
    time.sleep(0.6)  # the attempts are writes too (2/s burst 4): that budget has room again
    no_account = sign_in(guesser, "nobody@example.com", "guess-4")
    real = sign_in(elsewhere, "customer@example.com", "orderflow-customer")

    assert [g.status_code for g in guesses] == [400, 400, 400]
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) >= 1
    assert no_account.status_code == 429
    assert no_account.json()["detail"] == refused.json()["detail"], "no hint of who exists"
    assert real.status_code == 200, real.text
    assert "access_token" in real.json()

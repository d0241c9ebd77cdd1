"""The gateway as a real process in front of the real services, each on a free port."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from orderflow_testing import ServiceProcess, Stack
from orderflow_testing.processes import BIN

pytestmark = [
    pytest.mark.system,
    pytest.mark.skipif(
        not (BIN / "orderflow-order").exists(), reason="the order service is not installed"
    ),
]
ITEMS = [{"sku": "AE-1", "name": "Analytical engine", "quantity": 1, "unit_price_cents": 500}]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    stack = Stack(tmp_path)
    try:
        yield stack.start()
    finally:
        stack.stop()


def log_lines(process: ServiceProcess) -> list[dict[str, Any]]:
    return [json.loads(line) for line in process.logs().splitlines() if line.startswith("{")]


def test_the_public_api_end_to_end_with_one_request_id_through_every_hop(stack: Stack) -> None:
    api = httpx.Client(base_url=stack.url, timeout=10, headers=stack.headers())
    ada = api.post("/api/customers", json={"name": "Ada", "email": "ada@example.com"}).json()

    created = api.post(
        "/api/orders",
        json={"customer_id": ada["id"], "items": ITEMS},
        headers={"X-Request-ID": "system-test-1", "Idempotency-Key": "k-1"},
    )
    page = api.get("/api/orders").json()

    assert created.status_code == 201, created.text
    assert created.headers["x-request-id"] == "system-test-1"
    assert created.json()["customer"]["email"] == "ada@example.com"
    assert page["items"][0]["customer"]["name"] == "Ada"
    assert page["unavailable"] == []
    assert api.get("/readyz").status_code == 200
    time.sleep(0.2)  # let the access-log lines reach the files
    for process in (stack.gateway, stack.order, stack.customer):
        ids = {line.get("request_id") for line in log_lines(process)}
        assert "system-test-1" in ids, f"{process.name} did not log the request id"
    access = next(
        line
        for line in log_lines(stack.gateway)
        if line.get("request_id") == "system-test-1" and line.get("event") == "request"
    )
    assert access["route"] == "/api/orders"
    assert [call["service"] for call in access["upstream"]] == ["order", "customer"]


class HungServer:
    """Accepts connections, reads, and never answers: the worst kind of upstream."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_a_hung_upstream_gives_504s_then_an_open_circuit_and_spares_the_other(
    tmp_path: Path,
) -> None:
    hung = HungServer()
    stack = Stack(
        tmp_path,
        env={
            "gateway": {
                "GATEWAY_CUSTOMER_READ_TIMEOUT": "0.5",
                "GATEWAY_BREAKER_MINIMUM_CALLS": "2",
                "GATEWAY_BREAKER_RESET_SECONDS": "30",
            }
        },
    )
    stack.gateway.env["GATEWAY_CUSTOMER_SERVICE_URL"] = hung.url
    try:
        stack.customer.start()
        stack.identity.start()  # the stack's issuer: its demo client signs the test in
        stack.order.start()
        stack.gateway.start(wait=False)
        stack.gateway.wait_ready(path="/healthz")  # live; not ready while customer hangs
        api = httpx.Client(base_url=stack.url, timeout=10, headers=stack.headers())
        api.get("/api/orders")  # the gateway fetches the issuer's keys once, before the timing
        customer_path = f"/api/customers/{'0' * 8}-0000-4000-8000-{'0' * 12}"

        timings = []
        for _ in range(2):
            start = time.monotonic()
            response = api.get(customer_path)
            timings.append(time.monotonic() - start)
            assert response.status_code == 504
            assert response.headers["content-type"] == "application/problem+json"
        start = time.monotonic()
        refused = api.get(customer_path)
        refused_in = time.monotonic() - start
        orders = api.get("/api/orders")
        ready = api.get("/readyz")

        assert max(timings) < 2.0
        assert refused.status_code == 503
        assert int(refused.headers["retry-after"]) > 0
        assert refused_in < 0.2
        assert orders.status_code == 200
        assert orders.json()["unavailable"] == []  # an empty page asks nobody
        assert ready.status_code == 503
        assert ready.json()["checks"]["customer"]["status"] == "down"
        assert ready.json()["checks"]["order"]["status"] == "ok"
    finally:
        stack.stop()
        hung.close()


def test_signing_in_through_the_gateway_with_real_processes(stack: Stack) -> None:
    api = httpx.Client(base_url=stack.url, timeout=10)

    signed_in = api.post(
        "/api/auth/token",
        data={
            "grant_type": "password",
            "username": "customer@example.com",
            "password": "orderflow-customer",
            "client_id": "orderflow-web",
        },
    )
    refreshed = api.post(
        "/api/auth/token", data={"grant_type": "refresh_token", "client_id": "orderflow-web"}
    )
    me = api.get("/api/auth/me", headers=stack.headers("customer"))
    admin = api.get("/api/auth/me", headers=stack.headers("admin"))

    assert signed_in.status_code == 200, signed_in.text
    assert "refresh_token" not in signed_in.json()
    assert refreshed.status_code == 200, refreshed.text
    assert me.json()["email"] == "customer@example.com"
    assert me.json()["customer_id"] is not None
    assert admin.json()["sub"] == "orderflow-cli"
    ready = api.get("/readyz").json()
    assert ready["checks"]["identity"]["status"] == "ok"


def test_stack_headers_for_a_customer_of_a_given_record(stack: Stack) -> None:
    api = httpx.Client(base_url=stack.url, timeout=10)
    record = api.post(
        "/api/customers",
        json={"name": "Ada", "email": "ada@example.com"},
        headers=stack.headers("staff"),
    ).json()

    me = api.get("/api/auth/me", headers=stack.headers("customer", customer_id=record["id"]))

    assert me.status_code == 200, me.text
    assert me.json()["roles"] == ["customer"]
    assert me.json()["customer_id"] == record["id"]

"""The Lab on real processes, as `make run` has it: one order creation seen as one trace across
the gateway, the order service and the customer service; faults injected in front of the
customer service and their marks in the traces. One stack for the module."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from orderflow_testing import Stack, eventually

pytestmark = pytest.mark.system
ITEMS = [{"sku": "AE-1", "name": "Analytical engine", "quantity": 1, "unit_price_cents": 500}]
ADA = {"name": "Ada", "email": "ada@example.com"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir: Path = tmp_path_factory.mktemp("lab")
    stack = Stack(workdir, lab=True, env={"gateway": {"GATEWAY_BREAKER_RESET_SECONDS": "1"}})
    try:
        yield stack.start()
    except Exception:
        print(stack.logs()[-8000:])
        raise
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.url, timeout=30, headers=stack.headers("admin")) as client:
        yield client


@pytest.fixture(scope="module")
def customer(api: httpx.Client) -> dict[str, Any]:
    created = api.post("/api/customers", json=ADA)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


def trace_of(api: httpx.Client, request_id: str, *handlers: str) -> dict[str, Any]:
    """The trace of the request with ``request_id`` once it holds the spans of ``handlers``
    (``"order: POST /orders"``): a service's handler span ends after every other span it made
    for the request, and each service exports its spans in the order they ended."""

    def find() -> dict[str, Any] | None:
        for trace in api.get("/api/lab/traces", params={"limit": 100}).json()["items"]:
            seen = {f"{span['service']}: {span['name']}" for span in trace["spans"]}
            if trace["request_id"] == request_id and set(handlers) <= seen:
                found: dict[str, Any] = trace
                return found
        return None

    return eventually(find)


def send(api: httpx.Client, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response, str]:
    request_id = f"lab-{uuid.uuid4().hex[:12]}"
    headers = {**kwargs.pop("headers", {}), "X-Request-ID": request_id}
    return api.request(method, path, headers=headers, **kwargs), request_id


def named(trace: dict[str, Any], service: str, name: str) -> list[dict[str, Any]]:
    return [s for s in trace["spans"] if s["service"] == service and s["name"] == name]


def test_an_order_creation_is_one_trace_across_every_component(
    api: httpx.Client, customer: dict[str, Any]
) -> None:
    key = {"Idempotency-Key": f"lab-{uuid.uuid4()}"}
    body = {"customer_id": customer["id"], "items": ITEMS}
    created, request_id = send(api, "POST", "/api/orders", json=body, headers=key)
    assert created.status_code == 201, created.text

    trace = trace_of(
        api,
        request_id,
        "order: POST /orders",
        "customer: GET /customers/{customer_id}",
        "customer: POST /customers/batch",
    )
    spans = {span["span_id"]: span for span in trace["spans"]}

    assert (trace["method"], trace["path"], trace["status"]) == ("POST", "/api/orders", 201)
    root = trace["spans"][0]
    assert (root["service"], root["kind"], root["parent_id"]) == ("gateway", "server", None)
    assert all(s["parent_id"] in spans for s in trace["spans"] if s is not root), "no orphans"
    [to_order] = named(trace, "gateway", "POST order")
    assert to_order["parent_id"] == root["span_id"]
    [order_handler] = named(trace, "order", "POST /orders")
    assert order_handler["parent_id"] == to_order["span_id"]
    [check] = named(trace, "customer", "GET /customers/{customer_id}")
    asking = spans[check["parent_id"]]
    assert (asking["service"], asking["kind"]) == ("order", "client")
    assert asking["parent_id"] == order_handler["span_id"]
    [batch] = named(trace, "customer", "POST /customers/batch")
    assert spans[batch["parent_id"]]["name"] == "POST customer", "the gateway's composition"
    statements = [s for s in trace["spans"] if "db.query.text" in s["attributes"]]
    assert any(s["service"] == "order" and s["name"] == "INSERT orders" for s in statements), (
        statements
    )
    assert {s["service"] for s in statements} == {"order", "customer"}
    assert named(trace, "gateway", "token check"), "the gateway verified the caller"

    replayed, replay_id = send(api, "POST", "/api/orders", json=body, headers=key)
    assert replayed.json()["id"] == created.json()["id"]
    again = trace_of(api, replay_id, "order: POST /orders")
    [lookup] = named(again, "order", "idempotency key lookup")
    assert [e["name"] for e in lookup["events"]] == ["idempotent_replay"]


def test_the_lab_is_for_admins_only(stack: Stack) -> None:
    staff = httpx.get(f"{stack.url}/api/lab/traces", headers=stack.headers("staff"))
    nobody = httpx.get(f"{stack.url}/api/lab/traces")

    assert (staff.status_code, nobody.status_code) == (403, 401)


def test_an_abort_on_the_customer_service_makes_fast_503s_until_it_is_cleared(
    api: httpx.Client, customer: dict[str, Any]
) -> None:
    fault = {"abort_status": 503, "abort_percent": 100, "ttl_s": 60}
    assert api.put("/api/lab/faults/customer", json=fault).status_code == 200
    try:
        answers = []
        for _ in range(3):
            started = time.monotonic()
            response, request_id = send(api, "GET", "/api/customers")
            answers.append((response.status_code, time.monotonic() - started, request_id))
    finally:
        assert api.delete("/api/lab/faults/customer").status_code == 204

    assert [status for status, _, _ in answers] == [503, 503, 503]
    assert max(seconds for _, seconds, _ in answers) < 1.0, "refused at once, not waited on"
    trace = trace_of(api, answers[0][2])
    calls = named(trace, "gateway", "GET customer")
    assert calls, trace
    assert all(c["status"] == "error" for c in calls)
    assert calls[0]["attributes"]["orderflow.fault.abort_status"] == 503
    assert {s["service"] for s in trace["spans"]} == {"gateway"}, "nothing reached the service"

    recovered = eventually(
        lambda: True if api.get("/api/customers").status_code == 200 else None, timeout=20
    )
    assert recovered


def test_a_delay_on_the_customer_service_shows_as_a_longer_upstream_span(
    api: httpx.Client, customer: dict[str, Any]
) -> None:
    eventually(lambda: True if api.get("/api/customers").status_code == 200 else None)
    fault = {"delay_ms": 400, "delay_percent": 100, "ttl_s": 60}
    assert api.put("/api/lab/faults/customer", json=fault).status_code == 200
    try:
        delayed, request_id = send(api, "GET", f"/api/customers/{customer['id']}")
    finally:
        api.delete("/api/lab/faults/customer")
    assert delayed.status_code == 200

    trace = trace_of(api, request_id, "customer: GET /customers/{customer_id}")
    [call] = named(trace, "gateway", "GET customer")
    [handler] = named(trace, "customer", "GET /customers/{customer_id}")
    assert call["attributes"]["orderflow.fault.delay_ms"] == 400
    assert [e["name"] for e in call["events"]] == ["fault_delay"]
    # The wait is in front of the service: the gateway's span holds it, the handler's does not.
    assert call["duration_ms"] - handler["duration_ms"] >= 400
    assert trace["duration_ms"] >= 400

"""The Lab's routes in-process: who may reach them, faults in front of mocked upstreams, the
traces the gateway keeps of its own requests, and the breakers as /metrics shows them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx
from api_gateway.main import create_app
from fastapi import FastAPI
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from orderflow_testing import TestIssuer, app_client
from prometheus_client import REGISTRY

from .conftest import CUSTOMER_URL, ORDER_URL, fast_settings, mock_transport

CUSTOMER_ID = str(uuid.uuid4())
CUSTOMER = {"id": CUSTOMER_ID, "name": "Ada", "email": "ada@example.com"}
LAB_PATHS = [
    ("GET", "/api/lab/traces"),
    ("GET", f"/api/lab/traces/{'a' * 32}"),
    ("GET", "/api/lab/faults"),
    ("PUT", "/api/lab/faults/customer"),
    ("DELETE", "/api/lab/faults/customer"),
    ("GET", "/api/lab/circuits"),
]
ABORT = {"abort_status": 503, "abort_percent": 100}


Start = Callable[..., Any]


@pytest.fixture
def build(
    customer_api: respx.MockRouter, order_api: respx.MockRouter, issuer: TestIssuer
) -> Callable[..., FastAPI]:
    """The gateway app with these settings, its upstreams mocked, trusting ``issuer``."""

    def gateway(**overrides: Any) -> FastAPI:
        settings = {"lab_otlp_port": 0, "tracing": None, **issuer.settings(), **overrides}
        return create_app(
            fast_settings(**settings),
            customer_transport=mock_transport(customer_api, CUSTOMER_URL),
            order_transport=mock_transport(order_api, ORDER_URL),
        )

    return gateway


@pytest.fixture
def start(build: Callable[..., FastAPI]) -> Start:
    """``async with start(lab_enabled=True) as client``: the gateway, running."""
    return lambda **overrides: app_client(build(**overrides))


@pytest.fixture
async def lab(start: Start) -> AsyncIterator[httpx.AsyncClient]:
    async with start(lab_enabled=True) as client:
        yield client


@pytest.fixture
def as_role(issuer: TestIssuer) -> Callable[[str], dict[str, str]]:
    return issuer.headers


@pytest.fixture
def admin(issuer: TestIssuer) -> dict[str, str]:
    return issuer.headers("admin")


def sample(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


# -- who may reach it ---------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), LAB_PATHS)
async def test_with_the_lab_off_nothing_of_it_answers_even_to_an_admin(
    start: Start, admin: dict[str, str], method: str, path: str
) -> None:
    async with start() as client:
        response = await client.request(method, path, headers=admin, json=ABORT)
        unknown = await client.get("/api/no-such-thing", headers=admin)

    assert response.status_code == 404
    assert response.json()["type"] == unknown.json()["type"] == "about:blank"


@pytest.mark.parametrize(("method", "path"), LAB_PATHS)
async def test_without_a_caller_it_is_401_and_for_staff_or_a_customer_403(
    lab: httpx.AsyncClient, as_role: Callable[[str], dict[str, str]], method: str, path: str
) -> None:
    anonymous = await lab.request(method, path, json=ABORT)
    staff = await lab.request(method, path, headers=as_role("staff"), json=ABORT)
    customer = await lab.request(method, path, headers=as_role("customer"), json=ABORT)

    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert (staff.status_code, customer.status_code) == (403, 403)
    assert staff.headers["content-type"] == "application/problem+json"


async def test_an_admin_reaches_every_part(lab: httpx.AsyncClient, admin: dict[str, str]) -> None:
    for path in ("/api/lab/traces", "/api/lab/faults", "/api/lab/circuits"):
        response = await lab.get(path, headers=admin)
        assert response.status_code == 200, (path, response.text)


def test_a_gateway_without_the_lab_never_loads_the_sdk_or_the_receiver() -> None:
    script = "\n".join(
        [
            "import sys",
            "from api_gateway.main import create_app",
            "create_app().openapi()",
            "heavy = ('opentelemetry.sdk', 'opentelemetry.instrumentation',"
            " 'opentelemetry.exporter', 'opentelemetry.proto', 'google.protobuf', 'aiohttp.web')",
            "print(sorted(m for m in sys.modules if m.startswith(heavy)))",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == "[]"


# -- faults -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"delay_ms": 30_001}, "delay_ms"),
        ({"delay_ms": -5}, "delay_ms"),
        ({"delay_percent": 101}, "delay_percent"),
        ({"abort_status": 404, "abort_percent": 10}, "abort_status"),
        ({"abort_status": "503", "abort_percent": 10}, "abort_status"),
        ({"abort_percent": 10}, "body"),
        ({"abort_status": 500, "abort_percent": 100.5}, "abort_percent"),
        ({"ttl_s": 0}, "ttl_s"),
        ({"ttl_s": 3601}, "ttl_s"),
        ({"delay": 100}, "delay"),
    ],
)
async def test_a_bad_fault_is_422_naming_the_field(
    lab: httpx.AsyncClient, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = await lab.put("/api/lab/faults/customer", json=body, headers=admin)

    assert response.status_code == 422, response.text
    assert field in {error["field"] for error in response.json()["errors"]}
    assert (await lab.get("/api/lab/faults", headers=admin)).json()["items"] == []


async def test_a_fault_on_an_unknown_service_is_404(
    lab: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    put = await lab.put("/api/lab/faults/payments", json=ABORT, headers=admin)
    delete = await lab.delete("/api/lab/faults/payments", headers=admin)

    assert (put.status_code, delete.status_code) == (404, 404)
    assert put.json()["type"] == "urn:orderflow:problem:unknown-service"


async def test_a_fault_is_set_listed_and_cleared(
    lab: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    set_before = sample("gateway_lab_fault_changes_total", upstream="order", action="set") or 0

    put = await lab.put(
        "/api/lab/faults/order",
        json={"delay_ms": 250, "delay_percent": 50, "ttl_s": 60},
        headers=admin,
    )
    listed = (await lab.get("/api/lab/faults", headers=admin)).json()
    deleted = await lab.delete("/api/lab/faults/order", headers=admin)
    again = await lab.delete("/api/lab/faults/order", headers=admin)

    assert put.status_code == 200
    fault = put.json()
    assert fault | {"set_at": None, "expires_at": None, "expires_in_s": None} == {
        "service": "order",
        "delay_ms": 250,
        "delay_percent": 50.0,
        "abort_status": None,
        "abort_percent": 0.0,
        "ttl_s": 60,
        "set_at": None,
        "expires_at": None,
        "expires_in_s": None,
    }
    assert 0 < fault["expires_in_s"] <= 60
    assert listed["services"] == ["customer", "order"]
    assert [item["service"] for item in listed["items"]] == ["order"]
    assert (deleted.status_code, again.status_code) == (204, 204)
    assert (await lab.get("/api/lab/faults", headers=admin)).json()["items"] == []
    assert sample("gateway_lab_fault_changes_total", upstream="order", action="set") == (
        set_before + 1
    )


async def test_an_abort_answers_in_the_upstreams_place_is_retried_and_opens_the_circuit(
    lab: httpx.AsyncClient, admin: dict[str, str], customer_api: respx.MockRouter
) -> None:
    route = customer_api.get(f"/customers/{CUSTOMER_ID}").respond(200, json=CUSTOMER)
    retries_before = sample("gateway_upstream_retries_total", upstream="customer") or 0
    await lab.put("/api/lab/faults/customer", json=ABORT, headers=admin)

    aborted = await lab.get(f"/api/customers/{CUSTOMER_ID}", headers=admin)
    refused = await lab.get(f"/api/customers/{CUSTOMER_ID}", headers=admin)
    circuits = (await lab.get("/api/lab/circuits", headers=admin)).json()["items"]
    await lab.delete("/api/lab/faults/customer", headers=admin)

    assert aborted.status_code == 503
    assert aborted.json()["type"] == "urn:orderflow:problem:lab-fault"
    assert not route.called, "an aborted call is never sent"
    # A GET is safe to repeat: three tries, three failures, and this breaker opens at three.
    assert sample("gateway_upstream_retries_total", upstream="customer") == retries_before + 2
    assert refused.json()["type"] == "urn:orderflow:problem:upstream-circuit-open"
    customer = next(c for c in circuits if c["service"] == "customer")
    assert customer["state"] == "open"
    assert sample("gateway_circuit_breaker_state", upstream="customer") == 2


async def test_a_post_without_an_idempotency_key_is_aborted_once(
    lab: httpx.AsyncClient, admin: dict[str, str], order_api: respx.MockRouter
) -> None:
    route = order_api.post("/orders").respond(201, json={})
    retries_before = sample("gateway_upstream_retries_total", upstream="order") or 0
    await lab.put(
        "/api/lab/faults/order", json={"abort_status": 500, "abort_percent": 100}, headers=admin
    )

    response = await lab.post(
        "/api/orders", json={"customer_id": CUSTOMER_ID, "items": []}, headers=admin
    )

    assert response.status_code == 500
    assert not route.called
    assert (sample("gateway_upstream_retries_total", upstream="order") or 0) == retries_before


async def test_a_delay_past_the_calls_timeout_is_a_504(
    start: Start, admin: dict[str, str], customer_api: respx.MockRouter
) -> None:
    customer_api.get(f"/customers/{CUSTOMER_ID}").respond(200, json=CUSTOMER)
    async with start(lab_enabled=True, connect_timeout=0.01, customer_read_timeout=0.04) as client:
        await client.put(
            "/api/lab/faults/customer",
            json={"delay_ms": 5000, "delay_percent": 100},
            headers=admin,
        )
        response = await client.get(f"/api/customers/{CUSTOMER_ID}", headers=admin)

    assert response.status_code == 504
    assert response.json()["type"] == "urn:orderflow:problem:upstream-timeout"


# -- traces -------------------------------------------------------------------------------


async def gateway_traces(lab: httpx.AsyncClient, admin: dict[str, str]) -> list[dict[str, Any]]:
    response = await lab.get("/api/lab/traces", headers=admin)
    assert response.status_code == 200
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_each_request_is_a_trace_with_its_request_id_and_upstream_calls(
    lab: httpx.AsyncClient, admin: dict[str, str], customer_api: respx.MockRouter
) -> None:
    customer_api.get(f"/customers/{CUSTOMER_ID}").respond(200, json=CUSTOMER)

    await lab.get(f"/api/customers/{CUSTOMER_ID}", headers={**admin, "X-Request-ID": "lab-trace-1"})
    traces = await gateway_traces(lab, admin)
    one = await lab.get(f"/api/lab/traces/{traces[0]['trace_id']}", headers=admin)

    assert [t["request_id"] for t in traces] == ["lab-trace-1"], "the Lab's own calls untraced"
    trace = one.json()
    assert (trace["method"], trace["path"], trace["status"]) == (
        "GET",
        f"/api/customers/{CUSTOMER_ID}",
        200,
    )
    root = trace["spans"][0]
    assert (root["parent_id"], root["service"], root["kind"]) == (None, "gateway", "server")
    call = next(s for s in trace["spans"] if s["name"] == "GET customer")
    assert call["parent_id"] == root["span_id"]
    assert call["attributes"]["orderflow.circuit.state"] == "closed"
    assert call["attributes"]["http.response.status_code"] == 200


async def test_an_aborted_call_shows_as_a_failed_span_with_the_fault_and_the_retries(
    lab: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    await lab.put("/api/lab/faults/customer", json=ABORT, headers=admin)

    await lab.get(f"/api/customers/{CUSTOMER_ID}", headers=admin)
    trace = (await gateway_traces(lab, admin))[0]

    calls = [s for s in trace["spans"] if s["name"] == "GET customer"]
    assert [c["attributes"]["http.request.resend_count"] for c in calls] == [0, 1, 2]
    assert all(c["status"] == "error" for c in calls)
    assert all(c["attributes"]["orderflow.fault.abort_status"] == 503 for c in calls)
    assert [e["name"] for e in calls[0]["events"]] == ["fault_abort"]
    assert "circuit_opened" in [e["name"] for e in calls[-1]["events"]]
    root = trace["spans"][0]
    assert [e["name"] for e in root["events"]] == ["retry", "retry"]


async def test_an_unknown_trace_is_404_and_a_malformed_id_422(
    lab: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    missing = await lab.get(f"/api/lab/traces/{'0' * 32}", headers=admin)
    malformed = await lab.get("/api/lab/traces/not-a-trace", headers=admin)

    assert missing.status_code == 404
    assert missing.json()["type"] == "urn:orderflow:problem:trace-not-found"
    assert malformed.status_code == 422


def export_request(trace_id: str, parent_id: str) -> bytes:
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    attribute = resource_spans.resource.attributes.add()
    attribute.key, attribute.value.string_value = "service.name", "customer"
    span = resource_spans.scope_spans.add().spans.add()
    span.trace_id, span.span_id = bytes.fromhex(trace_id), bytes.fromhex("00000000000000aa")
    span.parent_span_id = bytes.fromhex(parent_id)
    span.name, span.kind = "GET /customers/{customer_id}", span.SPAN_KIND_SERVER
    span.start_time_unix_nano, span.end_time_unix_nano = 1, 2
    db = span.attributes.add()
    db.key, db.value.int_value = "rows", 1
    return request.SerializeToString()


async def test_the_services_spans_join_their_request_through_the_otlp_receiver(
    build: Callable[..., FastAPI], admin: dict[str, str], customer_api: respx.MockRouter
) -> None:
    customer_api.get(f"/customers/{CUSTOMER_ID}").respond(200, json=CUSTOMER)
    app = build(lab_enabled=True)
    async with app_client(app) as client:
        await client.get(f"/api/customers/{CUSTOMER_ID}", headers=admin)
        trace = (await gateway_traces(client, admin))[0]
        call = next(s for s in trace["spans"] if s["name"] == "GET customer")
        receiver = f"{app.state.lab.receiver_url}/v1/traces"
        async with httpx.AsyncClient() as exporter:
            protobuf = {"Content-Type": "application/x-protobuf"}
            exported = await exporter.post(
                receiver,
                content=export_request(trace["trace_id"], call["span_id"]),
                headers=protobuf,
            )
            garbage = await exporter.post(receiver, content=b"\xff\xff", headers=protobuf)
            as_json = await exporter.post(receiver, json={})
        joined = (await client.get(f"/api/lab/traces/{trace['trace_id']}", headers=admin)).json()

    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/x-protobuf"
    assert (garbage.status_code, as_json.status_code) == (400, 415)
    service_span = next(s for s in joined["spans"] if s["service"] == "customer")
    assert service_span["parent_id"] == call["span_id"]
    assert service_span["attributes"] == {"rows": 1}


# -- circuits -----------------------------------------------------------------------------


async def test_circuits_show_calls_in_flight_as_metrics_do(
    lab: httpx.AsyncClient, admin: dict[str, str], customer_api: respx.MockRouter
) -> None:
    release = asyncio.Event()
    arrived = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        arrived.set()
        await release.wait()
        return httpx.Response(200, json=CUSTOMER)

    customer_api.get(f"/customers/{CUSTOMER_ID}").mock(side_effect=slow)
    pending = asyncio.create_task(lab.get(f"/api/customers/{CUSTOMER_ID}", headers=admin))
    await arrived.wait()
    during = (await lab.get("/api/lab/circuits", headers=admin)).json()["items"]
    in_flight_metric = sample("gateway_upstream_in_flight", upstream="customer")
    release.set()
    await pending
    after = (await lab.get("/api/lab/circuits", headers=admin)).json()["items"]

    customer = next(c for c in during if c["service"] == "customer")
    assert customer | {"retry_after_s": 0.0} == {
        "service": "customer",
        "state": "closed",
        "failure_rate": None,
        "window_calls": 0,
        "window_failures": 0,
        "retry_after_s": 0.0,
        "in_flight": 1,
        "max_concurrency": 256,
        "queued": 0,
    }
    assert in_flight_metric == 1
    assert next(c for c in after if c["service"] == "customer")["in_flight"] == 0
    assert sample("gateway_upstream_in_flight", upstream="customer") == 0

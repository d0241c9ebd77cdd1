"""Trace context: spans only when something takes them, the caller's context passed on anyway."""

import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from chassis import ServiceSettings, Storage, create_app, outgoing_headers, spans
from chassis.db import Database
from fastapi import APIRouter, FastAPI, Request
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from orderflow_testing import app_client
from sqlalchemy import text

router = APIRouter()
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
TRACE_ID = TRACEPARENT.split("-")[1]


@router.get("/forwarded")
async def forwarded() -> dict[str, str]:
    return outgoing_headers()


@router.get("/query")
async def query(request: Request) -> dict[str, str]:
    db: Database = request.app.state.db
    with spans.span("lookup", attributes={"widget": "w-1"}) as span:
        span.event("cache_miss", key="w-1")
        async with db.reading() as session:
            await session.execute(text("SELECT 1"))
    return outgoing_headers()


# An in-memory database with no tables: its statements are what the spans are about.
STORAGE = Storage(migrations=Path("unused"), version_table="unused")


def settings(**values: Any) -> ServiceSettings:
    return ServiceSettings(access_log=False, migrate_on_startup=False, **values)


def traced_app(settings: ServiceSettings) -> FastAPI:
    return create_app(settings, title="t", routers=[router], storage=STORAGE)


class Collected(SpanProcessor):
    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []

    def on_start(self, span: Span, parent_context: object = None) -> None:
        pass

    def on_end(self, span: ReadableSpan) -> None:
        self.spans.append(span)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(traced_app(settings(tracing=False))) as client:
        yield client


async def test_the_callers_trace_context_is_passed_on(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/forwarded",
        headers={"traceparent": TRACEPARENT, "tracestate": "vendor=1", "X-Request-ID": "r-1"},
    )

    assert response.json() == {
        "X-Request-ID": "r-1",
        "traceparent": TRACEPARENT,
        "tracestate": "vendor=1",
    }


async def test_no_trace_context_is_invented(client: httpx.AsyncClient) -> None:
    response = await client.get("/forwarded", headers={"X-Request-ID": "r-2"})

    assert response.json() == {"X-Request-ID": "r-2"}


def test_spans_are_made_only_when_something_takes_them() -> None:
    assert not ServiceSettings().tracing_enabled
    assert ServiceSettings(OTEL_EXPORTER_OTLP_ENDPOINT="http://otel:4318").tracing_enabled
    assert ServiceSettings(lab_otlp_endpoint="http://127.0.0.1:4319").tracing_enabled
    assert ServiceSettings(tracing=True).tracing_enabled
    assert not ServiceSettings(tracing=False, lab_otlp_endpoint="http://x:1").tracing_enabled
    quiet = traced_app(settings())
    asked = traced_app(settings(tracing=True))

    assert not getattr(quiet, "_is_instrumented_by_opentelemetry", False)
    assert getattr(asked, "_is_instrumented_by_opentelemetry", False)
    FastAPIInstrumentor.uninstrument_app(asked)


def test_a_component_that_traces_nothing_never_loads_the_sdk() -> None:
    # FastAPI itself imports OpenTelemetry's API (a few small modules); the SDK, the
    # instrumentations, the exporters and their protobuf classes are the weight.
    script = "\n".join(
        [
            "import sys",
            "from chassis import ServiceSettings, create_app, outgoing_headers, spans",
            "create_app(ServiceSettings(), title='t')",
            "with spans.span('x') as s:",
            "    s.event('e')",
            "outgoing_headers()",
            "heavy = ('opentelemetry.sdk', 'opentelemetry.instrumentation',"
            " 'opentelemetry.exporter', 'opentelemetry.proto', 'google.protobuf')",
            "print(sorted(m for m in sys.modules if m.startswith(heavy)))",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == "[]"


@pytest.fixture
def collected() -> Iterator[Collected]:
    from chassis.tracing import add_span_processor

    processor = Collected()
    stop = add_span_processor(processor)
    yield processor
    stop()


async def test_with_tracing_a_request_is_a_tree_of_spans_carrying_its_request_id(
    collected: Collected,
) -> None:
    app = traced_app(settings(service_name="widgets", tracing=True))
    async with app_client(app) as client:
        response = await client.get(
            "/query", headers={"traceparent": TRACEPARENT, "X-Request-ID": "r-3"}
        )
    FastAPIInstrumentor.uninstrument_app(app)

    by_name = {span.name: span for span in collected.spans}
    server, lookup, statement = by_name["GET /query"], by_name["lookup"], by_name["SELECT"]
    assert {span.context.trace_id for span in (server, lookup, statement)} == {int(TRACE_ID, 16)}
    assert server.attributes is not None
    assert server.attributes["orderflow.request_id"] == "r-3"
    assert lookup.parent is not None
    assert lookup.parent.span_id == server.context.span_id
    assert statement.parent is not None
    assert statement.parent.span_id == lookup.context.span_id
    assert statement.attributes is not None
    assert statement.attributes["db.query.text"] == "SELECT 1"
    assert [event.name for event in lookup.events] == ["cache_miss"]
    _, trace_id, span_id, _ = response.json()["traceparent"].split("-")
    assert trace_id == TRACE_ID
    assert int(span_id, 16) == server.context.span_id, "the next hop's parent is our span"


async def test_statements_outside_a_request_make_no_spans(collected: Collected) -> None:
    app = traced_app(settings(tracing=True))
    async with app_client(app):
        await app.state.db.ping()
    FastAPIInstrumentor.uninstrument_app(app)

    assert collected.spans == []

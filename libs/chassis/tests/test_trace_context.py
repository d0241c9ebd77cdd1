"""Trace context: spans only when they are exported, the caller's context passed on anyway."""

from collections.abc import AsyncIterator

import httpx
import pytest
from chassis import ServiceSettings, create_app, outgoing_headers
from fastapi import APIRouter, FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from orderflow_testing import app_client

router = APIRouter()
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@router.get("/forwarded")
async def forwarded() -> dict[str, str]:
    return outgoing_headers()


def traced_app(settings: ServiceSettings, tracing: bool | None = None) -> FastAPI:
    return create_app(settings, title="t", routers=[router], tracing=tracing)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(traced_app(ServiceSettings(access_log=False))) as client:
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


def test_no_spans_unless_exported_or_asked_for() -> None:
    # No OTEL_EXPORTER_OTLP_ENDPOINT here: spans nobody exports would only cost CPU.
    quiet = traced_app(ServiceSettings())
    asked = traced_app(ServiceSettings(), tracing=True)

    assert not getattr(quiet, "_is_instrumented_by_opentelemetry", False)
    assert getattr(asked, "_is_instrumented_by_opentelemetry", False)
    FastAPIInstrumentor.uninstrument_app(asked)

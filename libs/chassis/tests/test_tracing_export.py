"""Where spans go: the same batch to the OTLP collector and to the Lab's receiver, when both
are set. Run in a process of its own: the tracer provider is set once per process."""

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

SCRIPT = """
import asyncio, sys
import httpx
from chassis import ServiceSettings, create_app
from chassis.tracing import force_flush
from fastapi import APIRouter

router = APIRouter()

@router.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}

settings = ServiceSettings(
    service_name="exporting",
    access_log=False,
    OTEL_EXPORTER_OTLP_ENDPOINT=sys.argv[1],
    lab_otlp_endpoint=sys.argv[2],
)
app = create_app(settings, title="t", routers=[router])

async def main() -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/hello", headers={"X-Request-ID": "export-1"})).status_code == 200

asyncio.run(main())
assert force_flush()
"""


class Collector:
    """An OTLP/HTTP endpoint that keeps the span names of every export request it gets."""

    def __init__(self) -> None:
        self.exports: list[tuple[str, list[str], str]] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                names = [
                    span.name
                    for resource in request.resource_spans
                    for scope in resource.scope_spans
                    for span in scope.spans
                ]
                resource = request.resource_spans[0].resource
                service = next(
                    a.value.string_value for a in resource.attributes if a.key == "service.name"
                )
                collector.exports.append((self.path, names, service))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def collectors() -> Iterator[tuple[Collector, Collector]]:
    jaeger, lab = Collector(), Collector()
    yield jaeger, lab
    jaeger.close()
    lab.close()


def test_the_same_spans_go_to_the_collector_and_to_the_lab(
    collectors: tuple[Collector, Collector],
) -> None:
    jaeger, lab = collectors

    subprocess.run([sys.executable, "-c", SCRIPT, jaeger.url, lab.url], check=True, timeout=120)

    def names(collector: Collector) -> list[str]:
        return sorted(name for _, batch, _ in collector.exports for name in batch)

    assert names(jaeger) == names(lab) == ["GET /hello"]
    assert {path for path, _, _ in jaeger.exports + lab.exports} == {"/v1/traces"}
    assert {service for _, _, service in jaeger.exports + lab.exports} == {"exporting"}

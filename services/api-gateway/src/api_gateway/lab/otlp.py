"""Spans into the Lab's store: the gateway's own in-process, the services' over OTLP/HTTP.

- :class:`LabSpanProcessor` sees every span the gateway ends, with no copy to the network; a
  request opens its trace when the gateway's server span starts.
- :func:`start_receiver` listens for the services' exporters (OTLP/HTTP, protobuf, the same
  bytes a collector gets) on its own port, loopback by default: it takes writes without a
  token, so it is never the public port (docs/adr/0023-lab-spans-received-in-the-gateway.md).

Imported only when the Lab is on: it needs the OpenTelemetry SDK and its protobuf classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from aiohttp import web
from google.protobuf.message import DecodeError
from opentelemetry.context import Context
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.trace import SpanKind, StatusCode

from .traces import SpanEvent, SpanRecord, TraceStore

PROTOBUF = "application/x-protobuf"
MAX_EXPORT_BYTES = 8 * 1024 * 1024
_KINDS = {
    Span.SPAN_KIND_INTERNAL: "internal",
    Span.SPAN_KIND_SERVER: "server",
    Span.SPAN_KIND_CLIENT: "client",
    Span.SPAN_KIND_PRODUCER: "producer",
    Span.SPAN_KIND_CONSUMER: "consumer",
}


class LabSpanProcessor(SpanProcessor):
    """The gateway's spans, straight into the store."""

    def __init__(self, store: TraceStore, service: str) -> None:
        self.store = store
        self.service = service

    def on_start(self, span: SdkSpan, parent_context: Context | None = None) -> None:
        parent = span.parent
        if span.kind is SpanKind.SERVER and (parent is None or parent.is_remote):
            self.store.open(_hex(span.context.trace_id, 32), _hex(span.context.span_id, 16))

    def on_end(self, span: ReadableSpan) -> None:
        self.store.add([record_of(span, self.service)])


def record_of(span: ReadableSpan, service: str) -> SpanRecord:
    context = span.context
    assert context is not None
    error = span.status.status_code is StatusCode.ERROR
    return SpanRecord(
        trace_id=_hex(context.trace_id, 32),
        span_id=_hex(context.span_id, 16),
        parent_id=_hex(span.parent.span_id, 16) if span.parent is not None else None,
        service=service,
        name=span.name,
        kind=span.kind.name.lower(),
        start_ns=span.start_time or 0,
        end_ns=span.end_time or span.start_time or 0,
        status="error" if error else "ok",
        status_message=span.status.description if error else None,
        attributes=dict(span.attributes or {}),
        events=tuple(
            SpanEvent(event.name, event.timestamp, dict(event.attributes or {}))
            for event in span.events
        ),
    )


def records_of(body: bytes) -> list[SpanRecord]:
    """The spans of one OTLP/HTTP protobuf export request; ``DecodeError`` if it is not one."""
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    records: list[SpanRecord] = []
    for resource_spans in request.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        service = str(resource.get("service.name", "unknown"))
        for scope_spans in resource_spans.scope_spans:
            records.extend(_record(span, service) for span in scope_spans.spans)
    return records


def _record(span: Span, service: str) -> SpanRecord:
    error = span.status.code == Status.STATUS_CODE_ERROR
    return SpanRecord(
        trace_id=span.trace_id.hex(),
        span_id=span.span_id.hex(),
        parent_id=span.parent_span_id.hex() or None,
        service=service,
        name=span.name,
        kind=_KINDS.get(span.kind, "internal"),
        start_ns=span.start_time_unix_nano,
        end_ns=span.end_time_unix_nano,
        status="error" if error else "ok",
        status_message=(span.status.message or None) if error else None,
        attributes=_attributes(span.attributes),
        events=tuple(
            SpanEvent(event.name, event.time_unix_nano, _attributes(event.attributes))
            for event in span.events
        ),
    )


def _attributes(pairs: Iterable[KeyValue]) -> dict[str, Any]:
    return {pair.key: _value(pair.value) for pair in pairs}


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return _attributes(value.kvlist_value.values)
    if kind == "bytes_value":
        return value.bytes_value.hex()
    return getattr(value, kind) if kind else None


def _hex(number: int, digits: int) -> str:
    return format(number, f"0{digits}x")


async def start_receiver(store: TraceStore, host: str, port: int) -> web.AppRunner:
    """Serve ``POST /v1/traces`` on ``host:port`` (0: any free port; see ``bound_port``)."""

    async def export(request: web.Request) -> web.Response:
        if request.content_type != PROTOBUF:
            return web.Response(status=415, text=f"send {PROTOBUF}")
        try:
            records = records_of(await request.read())
        except DecodeError:
            return web.Response(status=400, text="not an OTLP ExportTraceServiceRequest")
        store.add(records)
        return web.Response(
            body=ExportTraceServiceResponse().SerializeToString(), content_type=PROTOBUF
        )

    app = web.Application(client_max_size=MAX_EXPORT_BYTES)
    app.router.add_post("/v1/traces", export)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    addresses: Sequence[Any] = runner.addresses
    return int(addresses[0][1])

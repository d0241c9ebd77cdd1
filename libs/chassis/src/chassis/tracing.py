"""OpenTelemetry, for a component that traces: imported only then (see ``chassis.spans``).

Spans: one per request served (FastAPI), per call made with httpx, per database statement,
and whatever code opens through :mod:`chassis.spans`. They go, batched over OTLP/HTTP, to
``OTEL_EXPORTER_OTLP_ENDPOINT`` (Jaeger, Tempo, any collector) and to the Lab's receiver
(``<P>_LAB_OTLP_ENDPOINT``), and to the in-process sinks a component adds (the gateway's Lab).
Sampling follows the SDK's ``OTEL_TRACES_SAMPLER``: by default every trace, the caller's
decision first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from opentelemetry import context, propagate, trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode

from . import spans
from .settings import ServiceSettings

if TYPE_CHECKING:  # the gateway traces too, and has no database
    from sqlalchemy.engine import ExceptionContext

    from .db import Database

UNTRACED_PATHS = ("/healthz", "/readyz", "/metrics")
# The Lab shows a request a moment after it ends; a collector can wait the SDK's 5 s.
LAB_EXPORT_DELAY_MS = 200
LAB_EXPORT_TIMEOUT_S = 2.0
MAX_STATEMENT_CHARS = 1000
_KINDS = {"internal": SpanKind.INTERNAL, "client": SpanKind.CLIENT, "server": SpanKind.SERVER}
_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE|TABLE)\s+[\"`]?(\w+)", re.IGNORECASE)
# Transaction control is the frame of the statements, not one of them: no span of its own.
_UNTRACED_STATEMENTS = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA"})

_provider: TracerProvider | None = None
_local: list[SpanProcessor] = []


class _SpanHandle:
    __slots__ = ("_span",)

    def __init__(self, span: trace.Span) -> None:
        self._span = span

    def set(self, **attributes: spans.AttributeValue) -> None:
        self._span.set_attributes(attributes)

    def event(self, name: str, **attributes: spans.AttributeValue) -> None:
        self._span.add_event(name, attributes)

    def fail(self, description: str) -> None:
        self._span.set_status(Status(StatusCode.ERROR, description))


class _Backend:
    def __init__(self, tracer: trace.Tracer) -> None:
        self._tracer = tracer

    @contextmanager
    def span(
        self, name: str, kind: spans.Kind, attributes: Mapping[str, spans.AttributeValue]
    ) -> Iterator[spans.Span]:
        # An error is marked, not recorded with its traceback: spans are read by people.
        with self._tracer.start_as_current_span(
            name, kind=_KINDS[kind], attributes=attributes, record_exception=False
        ) as span:
            yield _SpanHandle(span)

    def current(self) -> spans.Span:
        span = trace.get_current_span()
        return _SpanHandle(span) if span.is_recording() else spans.NO_SPAN

    def inject(self, headers: dict[str, str]) -> bool:
        if not trace.get_current_span().get_span_context().is_valid:
            return False
        propagate.inject(headers)
        return True


class _Local(SpanProcessor):
    """The processors a component adds and removes while it runs (the provider keeps its own
    for the life of the process)."""

    def on_start(self, span: Span, parent_context: context.Context | None = None) -> None:
        for processor in tuple(_local):
            processor.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        for processor in tuple(_local):
            processor.on_end(span)


def configure_tracing(settings: ServiceSettings) -> None:
    """Install the process-wide tracer provider once (the first app of a process names it)."""
    global _provider
    if _provider is None:
        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.service_name}))
        if settings.otel_exporter_otlp_endpoint:
            provider.add_span_processor(
                BatchSpanProcessor(_exporter(settings.otel_exporter_otlp_endpoint))
            )
        if settings.lab_otlp_endpoint:
            provider.add_span_processor(
                BatchSpanProcessor(
                    _exporter(settings.lab_otlp_endpoint, timeout=LAB_EXPORT_TIMEOUT_S),
                    schedule_delay_millis=LAB_EXPORT_DELAY_MS,
                )
            )
        provider.add_span_processor(_Local())
        trace.set_tracer_provider(provider)
        HTTPXClientInstrumentor().instrument()
        _provider = provider
    spans.install(_Backend(_provider.get_tracer("orderflow")))


def _exporter(endpoint: str, timeout: float | None = None) -> Any:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces", timeout=timeout)


def force_flush(timeout_millis: int = 10_000) -> bool:
    """Export every span ended so far now (the SDK also does it at exit)."""
    return _provider is None or _provider.force_flush(timeout_millis)


def add_span_processor(processor: SpanProcessor) -> Callable[[], None]:
    """Show every span of this process to ``processor`` too, synchronously; returns how to stop.
    (The gateway's Lab keeps its own spans this way, without exporting them to itself.)"""
    _local.append(processor)
    return lambda: _local.remove(processor)


def instrument_app(app: FastAPI, untraced: Sequence[str] = ()) -> None:
    """A server span per request, but for probes and ``untraced`` path prefixes."""
    FastAPIInstrumentor.instrument_app(
        app,
        excluded_urls=",".join(f"{re.escape(path)}" for path in (*UNTRACED_PATHS, *untraced)),
        exclude_spans=["receive", "send"],
    )


def instrument_database(db: Database) -> None:
    """A client span per statement, made only inside a traced request (not for pings)."""
    from sqlalchemy import event

    system = db.url.get_backend_name()
    namespace = db.url.database or ""
    tracer = trace.get_tracer("chassis.db")

    def before(
        conn: Any, cursor: Any, statement: str, params: Any, exec_context: Any, many: bool
    ) -> None:
        if exec_context is None or not trace.get_current_span().is_recording():
            return
        operation = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "SQL"
        if operation in _UNTRACED_STATEMENTS:
            return
        table = _TABLE.search(statement)
        name = f"{operation} {table.group(1)}" if table else operation
        exec_context._orderflow_span = tracer.start_span(
            name,
            kind=SpanKind.CLIENT,
            attributes={
                "db.system.name": system,
                "db.namespace": namespace,
                "db.operation.name": operation,
                "db.query.text": statement[:MAX_STATEMENT_CHARS],
            },
            context=context.get_current(),
        )

    def after(
        conn: Any, cursor: Any, statement: str, params: Any, exec_context: Any, many: bool
    ) -> None:
        span = getattr(exec_context, "_orderflow_span", None)
        if span is not None:
            span.end()
            exec_context._orderflow_span = None

    def failed(error: ExceptionContext) -> None:
        span = getattr(error.execution_context, "_orderflow_span", None)
        if span is not None:
            span.set_status(Status(StatusCode.ERROR, type(error.original_exception).__name__))
            span.end()
            error.execution_context._orderflow_span = None  # type: ignore[union-attr]

    for engine in db.engines():
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        event.listen(engine, "handle_error", failed)

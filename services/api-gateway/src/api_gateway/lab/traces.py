"""The Lab's traces: the most recent requests through the gateway, each with all its spans.

A trace is opened when the gateway starts to serve a request (its server span starts) and is
shown once that span has ended; the services' spans, which arrive over OTLP a moment later,
join it. Spans of a trace the store does not hold (evicted already, or from a request that
never went through the gateway) are dropped, so the buffer holds requests, never fragments.

Bounded twice: ``capacity`` traces (opening one more drops the oldest) and ``max_spans`` spans
in each, besides its root. One lock, held briefly: the gateway's event loop and the OTLP
receiver both write.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

REQUEST_ID = "orderflow.request_id"
MAX_SPANS_PER_TRACE = 200
# The same facts under the HTTP semantic conventions' stable names and their older ones.
_METHOD = ("http.request.method", "http.method")
_PATH = ("url.path", "http.target")
_STATUS = ("http.response.status_code", "http.status_code")


@dataclass(frozen=True, slots=True)
class SpanEvent:
    name: str
    time_ns: int
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """One finished span, whichever process made it."""

    trace_id: str
    span_id: str
    parent_id: str | None
    service: str
    name: str
    kind: str
    start_ns: int
    end_ns: int
    status: str = "ok"
    """``ok`` or ``error``."""
    status_message: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    events: tuple[SpanEvent, ...] = ()


class _Trace:
    __slots__ = ("root", "root_id", "spans")

    def __init__(self, root_id: str) -> None:
        self.root_id = root_id
        self.root: SpanRecord | None = None
        self.spans: list[SpanRecord] = []


class TraceStore:
    def __init__(self, capacity: int, *, max_spans: int = MAX_SPANS_PER_TRACE) -> None:
        if capacity < 1 or max_spans < 1:
            raise ValueError("capacity and max_spans must be positive")
        self.capacity = capacity
        self.max_spans = max_spans
        self._traces: OrderedDict[str, _Trace] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, trace_id: str, root_id: str) -> None:
        """A request starts: keep its spans from now on (the oldest trace may go)."""
        with self._lock:
            if trace_id in self._traces:
                return
            self._traces[trace_id] = _Trace(root_id)
            while len(self._traces) > self.capacity:
                self._traces.popitem(last=False)

    def add(self, records: Iterable[SpanRecord]) -> None:
        """Spans that ended; those of traces not held are dropped."""
        with self._lock:
            for record in records:
                trace = self._traces.get(record.trace_id)
                if trace is None:
                    continue
                is_root = record.span_id == trace.root_id
                if len(trace.spans) >= self.max_spans and not is_root:
                    continue
                trace.spans.append(record)
                if is_root:
                    trace.root = record

    def recent(self, limit: int) -> list[dict[str, Any]]:
        """The newest finished requests first, at most ``limit``."""
        with self._lock:
            done = [t for t in self._traces.values() if t.root is not None]
            done.sort(key=lambda t: t.root.start_ns if t.root else 0, reverse=True)
            return [_view(t) for t in done[:limit]]

    def get(self, trace_id: str) -> dict[str, Any] | None:
        with self._lock:
            trace = self._traces.get(trace_id)
            return _view(trace) if trace is not None and trace.root is not None else None

    def __len__(self) -> int:
        with self._lock:
            return len(self._traces)


def _view(trace: _Trace) -> dict[str, Any]:
    root = trace.root
    assert root is not None
    origin = root.start_ns
    held = {span.span_id for span in trace.spans}
    status = _first(root.attributes, _STATUS)
    path = _first(root.attributes, _PATH)
    return {
        "trace_id": root.trace_id,
        "request_id": root.attributes.get(REQUEST_ID),
        "method": _first(root.attributes, _METHOD),
        "path": str(path).partition("?")[0] if path is not None else None,
        "status": int(status) if status is not None else None,
        "started_at": _rfc3339(root.start_ns),
        "duration_ms": _ms(root.end_ns - root.start_ns),
        "spans": [
            {
                "span_id": span.span_id,
                "parent_id": span.parent_id if span.parent_id in held else None,
                "service": span.service,
                "name": span.name,
                "kind": span.kind,
                "start_ms": _ms(span.start_ns - origin),
                "duration_ms": _ms(span.end_ns - span.start_ns),
                "status": span.status,
                "status_message": span.status_message,
                "attributes": dict(span.attributes),
                "events": [
                    {
                        "name": event.name,
                        "at_ms": _ms(event.time_ns - origin),
                        "attributes": dict(event.attributes),
                    }
                    for event in span.events
                ],
            }
            for span in sorted(trace.spans, key=lambda s: s.start_ns)
        ],
    }


def _first(attributes: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = attributes.get(name)
        if value is not None:
            return value
    return None


def _ms(nanoseconds: int) -> float:
    return round(nanoseconds / 1e6, 3)


def _rfc3339(nanoseconds: int) -> str:
    moment = datetime.fromtimestamp(nanoseconds / 1e9, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

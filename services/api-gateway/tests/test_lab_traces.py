"""The Lab's ring buffer of traces: bounded, newest first, safe with concurrent writers."""

from __future__ import annotations

import threading

import pytest
from api_gateway.lab.traces import SpanEvent, SpanRecord, TraceStore

MS = 1_000_000


def trace_id(n: int) -> str:
    return f"{n:032x}"


def span(
    trace: int,
    span_id: str,
    *,
    parent: str | None = None,
    service: str = "gateway",
    start_ms: int = 0,
    end_ms: int = 10,
    **attributes: object,
) -> SpanRecord:
    return SpanRecord(
        trace_id=trace_id(trace),
        span_id=span_id,
        parent_id=parent,
        service=service,
        name=f"{service} {span_id}",
        kind="server" if parent is None else "client",
        start_ns=(1_700_000_000_000 + trace * 1000 + start_ms) * MS,
        end_ns=(1_700_000_000_000 + trace * 1000 + end_ms) * MS,
        attributes=attributes,
    )


def request(store: TraceStore, n: int, **attributes: object) -> None:
    """A whole request: opened, a child span, then the root."""
    store.open(trace_id(n), "root")
    store.add([span(n, "child", parent="root", start_ms=1, end_ms=5)])
    store.add([span(n, "root", **attributes)])


def test_it_keeps_the_newest_traces_up_to_its_capacity() -> None:
    store = TraceStore(capacity=3)
    for n in range(1, 6):
        request(store, n)

    assert len(store) == 3
    assert [t["trace_id"] for t in store.recent(10)] == [trace_id(5), trace_id(4), trace_id(3)]
    assert store.get(trace_id(1)) is None


def test_newest_first_is_by_start_even_when_they_finish_out_of_order() -> None:
    store = TraceStore(capacity=10)
    store.open(trace_id(1), "root")
    store.open(trace_id(2), "root")
    store.add([span(2, "root")])
    store.add([span(1, "root")])

    assert [t["trace_id"] for t in store.recent(10)] == [trace_id(2), trace_id(1)]
    assert [t["trace_id"] for t in store.recent(1)] == [trace_id(2)]


def test_a_request_shows_once_its_root_span_ends_with_what_the_user_saw() -> None:
    store = TraceStore(capacity=10)
    store.open(trace_id(1), "root")
    store.add([span(1, "child", parent="root", service="order", start_ms=2, end_ms=7)])

    assert store.recent(10) == []
    assert store.get(trace_id(1)) is None

    store.add(
        [
            span(
                1,
                "root",
                **{
                    "http.request.method": "POST",
                    "url.path": "/api/orders",
                    "http.response.status_code": 201,
                    "orderflow.request_id": "req-1",
                },
            )
        ]
    )
    trace = store.get(trace_id(1))

    assert trace is not None
    assert (trace["request_id"], trace["method"], trace["path"], trace["status"]) == (
        "req-1",
        "POST",
        "/api/orders",
        201,
    )
    assert trace["duration_ms"] == 10.0
    assert trace["started_at"].endswith("Z")
    root, child = trace["spans"]
    assert (root["span_id"], root["parent_id"], root["start_ms"]) == ("root", None, 0.0)
    assert (child["parent_id"], child["service"], child["start_ms"], child["duration_ms"]) == (
        "root",
        "order",
        2.0,
        5.0,
    )


def test_older_semantic_convention_names_are_read_too() -> None:
    store = TraceStore(capacity=1)
    request(
        store, 1, **{"http.method": "GET", "http.target": "/api/x?a=1", "http.status_code": 503}
    )

    trace = store.recent(1)[0]

    assert (trace["method"], trace["path"], trace["status"]) == ("GET", "/api/x", 503)


def test_spans_of_traces_it_does_not_hold_are_dropped() -> None:
    store = TraceStore(capacity=1)
    request(store, 1)
    request(store, 2)  # evicts 1

    store.add([span(1, "late", parent="root", service="customer")])
    store.add([span(9, "stray", service="customer")])  # a request that bypassed the gateway

    assert len(store) == 1
    assert store.get(trace_id(1)) is None
    assert [s["span_id"] for s in store.recent(1)[0]["spans"]] == ["root", "child"]


def test_each_trace_keeps_at_most_max_spans_and_its_root() -> None:
    store = TraceStore(capacity=1, max_spans=3)
    store.open(trace_id(1), "root")
    store.add([span(1, f"s{n}", parent="root", start_ms=n) for n in range(1, 10)])
    store.add([span(1, "root")])

    trace = store.get(trace_id(1))
    assert trace is not None
    assert [s["span_id"] for s in trace["spans"]] == ["root", "s1", "s2", "s3"]


def test_a_parent_the_store_does_not_hold_is_shown_as_none() -> None:
    store = TraceStore(capacity=1)
    store.open(trace_id(1), "root")
    store.add([span(1, "root", parent="caller-span")])  # the client sent its own traceparent

    assert store.recent(1)[0]["spans"][0]["parent_id"] is None


def test_events_are_timed_from_the_start_of_the_request() -> None:
    store = TraceStore(capacity=1)
    store.open(trace_id(1), "root")
    root = span(1, "root")
    with_event = SpanRecord(
        **{
            **{f: getattr(root, f) for f in SpanRecord.__dataclass_fields__},
            "events": (SpanEvent("retry", root.start_ns + 3 * MS, {"attempt": 1}),),
        }
    )
    store.add([with_event])

    assert store.recent(1)[0]["spans"][0]["events"] == [
        {"name": "retry", "at_ms": 3.0, "attributes": {"attempt": 1}}
    ]


def test_concurrent_writers_leave_it_bounded_and_every_trace_whole() -> None:
    store = TraceStore(capacity=50)
    writers, per_writer = 8, 200
    start = threading.Barrier(writers)

    def write(first: int) -> None:
        start.wait()
        for n in range(first, first + per_writer):
            request(store, n)

    threads = [threading.Thread(target=write, args=(w * per_writer + 1,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    traces = store.recent(1000)
    assert len(store) == 50
    assert len(traces) == 50
    assert all([s["span_id"] for s in t["spans"]] == ["root", "child"] for t in traces)


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        TraceStore(capacity=0)

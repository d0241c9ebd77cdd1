"""The Lab's API models: what /docs shows and the frontend's types are generated from."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .faults import DEFAULT_TTL_S, MAX_DELAY_MS, MAX_TTL_S

AbortStatus = Literal[500, 502, 503, 504]
CircuitState = Literal["closed", "open", "half_open"]


class LabSpanEvent(BaseModel):
    name: str = Field(examples=["retry", "fault_abort", "circuit_opened", "idempotent_replay"])
    at_ms: float = Field(description="Milliseconds since the request started")
    attributes: dict[str, Any]


class LabSpan(BaseModel):
    span_id: str
    parent_id: str | None = Field(description="The parent span in this trace; null for the root")
    service: str = Field(examples=["gateway", "order", "customer"])
    name: str = Field(examples=["POST /api/orders", "GET customer", "INSERT orders"])
    kind: str = Field(examples=["server", "client", "internal"])
    start_ms: float = Field(description="Milliseconds since the request started")
    duration_ms: float
    status: Literal["ok", "error"]
    status_message: str | None
    attributes: dict[str, Any]
    events: list[LabSpanEvent]


class LabTrace(BaseModel):
    """One request through the gateway, with the spans of every component it reached."""

    trace_id: str
    request_id: str | None = Field(description="The X-Request-ID of the request and its logs")
    method: str | None
    path: str | None
    status: int | None
    started_at: datetime
    duration_ms: float
    spans: list[LabSpan] = Field(description="By start time, the root first")


class LabTraces(BaseModel):
    items: list[LabTrace] = Field(description="The most recent requests, newest first")


class FaultSpec(BaseModel):
    """A fault in front of one upstream; it ends by itself after ``ttl_s``."""

    model_config = ConfigDict(extra="forbid")

    delay_ms: int = Field(default=0, ge=0, le=MAX_DELAY_MS, description="Wait before the call")
    delay_percent: float = Field(default=0, ge=0, le=100, description="Share of calls delayed")
    abort_status: AbortStatus | None = Field(
        default=None, description="The status an aborted call answers, without being sent"
    )
    abort_percent: float = Field(default=0, ge=0, le=100, description="Share of calls aborted")
    ttl_s: int = Field(default=DEFAULT_TTL_S, ge=1, le=MAX_TTL_S, description="Seconds it lasts")

    @model_validator(mode="after")
    def _abort_needs_a_status(self) -> Self:
        if self.abort_percent > 0 and self.abort_status is None:
            raise ValueError("abort_percent needs an abort_status")
        return self


class LabFault(BaseModel):
    service: str
    delay_ms: int
    delay_percent: float
    abort_status: AbortStatus | None
    abort_percent: float
    ttl_s: int
    set_at: datetime
    expires_at: datetime
    expires_in_s: float = Field(description="Seconds until it ends by itself")


class LabFaults(BaseModel):
    items: list[LabFault] = Field(description="The faults now in force, one per upstream at most")
    services: list[str] = Field(description="The upstreams a fault may be set in front of")


class Circuit(BaseModel):
    """An upstream's breaker and load, the numbers /metrics shows."""

    service: str
    state: CircuitState
    failure_rate: float | None = Field(
        description="Failed share (0..1) of the calls in the breaker's window; null if none"
    )
    window_calls: int = Field(description="Calls in the breaker's window")
    window_failures: int
    retry_after_s: float = Field(description="Seconds until an open circuit lets a probe by")
    in_flight: int = Field(description="Calls to it now in flight")
    max_concurrency: int = Field(description="Calls it may have in flight")
    queued: int = Field(description="Calls waiting for a slot")


class Circuits(BaseModel):
    items: list[Circuit]

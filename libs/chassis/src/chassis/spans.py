"""Spans for any code that wants one, free when the process does not trace.

Nothing here imports OpenTelemetry. :func:`chassis.tracing.configure_tracing` installs a
backend when the component traces; until then every call is a no-op on :data:`NO_SPAN`, so a
component that exports nothing never loads the SDK (memory) nor pays for spans (CPU).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Literal, Protocol

AttributeValue = str | bool | int | float
Kind = Literal["internal", "client", "server"]


class Span(Protocol):
    """What code may do to a span it holds."""

    def set(self, **attributes: AttributeValue) -> None: ...

    def event(self, name: str, **attributes: AttributeValue) -> None: ...

    def fail(self, description: str) -> None:
        """Mark the span as an error, with a short reason."""


class Backend(Protocol):
    def span(
        self, name: str, kind: Kind, attributes: Mapping[str, AttributeValue]
    ) -> AbstractContextManager[Span]: ...

    def current(self) -> Span: ...

    def inject(self, headers: dict[str, str]) -> bool:
        """Write the current span's W3C context into ``headers``; False if there is none."""


class _NoSpan:
    __slots__ = ()

    def set(self, **attributes: AttributeValue) -> None:
        pass

    def event(self, name: str, **attributes: AttributeValue) -> None:
        pass

    def fail(self, description: str) -> None:
        pass


NO_SPAN: Span = _NoSpan()
_NO_SPAN_CONTEXT: AbstractContextManager[Span] = nullcontext(NO_SPAN)
_backend: Backend | None = None


def install(backend: Backend | None) -> None:
    """Called by :mod:`chassis.tracing` (``None`` again in tests that turn tracing off)."""
    global _backend
    _backend = backend


def enabled() -> bool:
    return _backend is not None


def span(
    name: str, *, kind: Kind = "internal", attributes: Mapping[str, AttributeValue] | None = None
) -> AbstractContextManager[Span]:
    """``with span("lookup", attributes={"key": k}) as s:``: a child of the current span,
    current inside it."""
    if _backend is None:
        return _NO_SPAN_CONTEXT
    return _backend.span(name, kind, attributes or {})


def current() -> Span:
    """The span of the work in progress (a no-op span when there is none)."""
    return NO_SPAN if _backend is None else _backend.current()


def event(name: str, **attributes: AttributeValue) -> None:
    """Record that something happened during the current span (an idempotent replay, ...)."""
    if _backend is not None:
        _backend.current().event(name, **attributes)


def inject(headers: dict[str, str]) -> bool:
    """Write the current span's trace context into ``headers``; False when nothing was."""
    return _backend is not None and _backend.inject(headers)

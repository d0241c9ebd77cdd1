"""The Lab: watch requests cross the system, inject faults, see the breakers move.

Admin only, and off unless ``GATEWAY_LAB_ENABLED=true`` (``make run`` sets it): off, nothing of
it runs and its routes answer 404.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from chassis import get_logger

from ..settings import GatewaySettings
from .faults import FaultTable
from .traces import TraceStore

log = get_logger(__name__)


@dataclass
class Lab:
    traces: TraceStore
    faults: FaultTable
    receiver_url: str = ""
    """Where the services send their spans (OTLP/HTTP)."""


@asynccontextmanager
async def running(settings: GatewaySettings, services: Iterable[str]) -> AsyncIterator[Lab]:
    """The Lab of this gateway process: the store of traces, fed by the gateway's own spans
    in-process and the services' through the OTLP receiver, and the fault table."""
    # Imported only now: the SDK and protobuf cost memory a gateway without the Lab never pays.
    from chassis.tracing import add_span_processor

    from . import otlp

    lab = Lab(TraceStore(settings.lab_trace_capacity), FaultTable(services))
    stop_processing = add_span_processor(otlp.LabSpanProcessor(lab.traces, settings.service_name))
    runner = await otlp.start_receiver(lab.traces, settings.lab_otlp_host, settings.lab_otlp_port)
    lab.receiver_url = f"http://{settings.lab_otlp_host}:{otlp.bound_port(runner)}"
    log.info("lab_started", otlp_receiver=lab.receiver_url)
    try:
        yield lab
    finally:
        await runner.cleanup()
        stop_processing()


__all__ = ["Lab", "running"]

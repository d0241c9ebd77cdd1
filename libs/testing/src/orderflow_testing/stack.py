"""The whole back end as real processes on free ports: customer, order and gateway."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .processes import ServiceProcess, customer_service, free_port


def lab_settings(receiver_port: int) -> dict[str, dict[str, str]]:
    """The Lab on in the gateway, its span receiver on ``receiver_port``, the services sending
    their spans there: the settings ``make run`` gives each component."""
    endpoint = f"http://127.0.0.1:{receiver_port}"
    return {
        "customer": {"CUSTOMER_LAB_OTLP_ENDPOINT": endpoint},
        "order": {"ORDER_LAB_OTLP_ENDPOINT": endpoint},
        "gateway": {"GATEWAY_LAB_ENABLED": "true", "GATEWAY_LAB_OTLP_PORT": str(receiver_port)},
    }


class Stack:
    """Customer, order and gateway processes wired to each other, each on a free port.

    Databases default to SQLite files under ``workdir``; pass ``customer_db``/``order_db`` URLs
    for PostgreSQL. ``env`` adds settings per component (``{"gateway": {...}}``). ``lab``
    turns the gateway's Lab on, its span receiver on a free port, and the services export
    their spans to it, as ``make run`` does.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        customer_db: str | None = None,
        order_db: str | None = None,
        env: Mapping[str, Mapping[str, str]] | None = None,
        lab: bool = False,
    ) -> None:
        extra = env or {}
        ports = {name: free_port() for name in ("order", "gateway")}
        order_url = f"http://127.0.0.1:{ports['order']}"
        labbed = lab_settings(free_port()) if lab else {}
        self.customer = customer_service(
            workdir,
            customer_db or f"sqlite+aiosqlite:///{workdir / 'customer.db'}",
            **labbed.get("customer", {}),
            **extra.get("customer", {}),
        )
        self.order = ServiceProcess(
            "order",
            "orderflow-order",
            port=ports["order"],
            log_dir=workdir,
            env={
                "ORDER_PORT": str(ports["order"]),
                "ORDER_DATABASE_URL": order_db or f"sqlite+aiosqlite:///{workdir / 'order.db'}",
                "ORDER_CUSTOMER_SERVICE_URL": self.customer.url,
                **labbed.get("order", {}),
                **extra.get("order", {}),
            },
        )
        self.gateway = ServiceProcess(
            "gateway",
            "orderflow-gateway",
            port=ports["gateway"],
            log_dir=workdir,
            env={
                "GATEWAY_HOST": "127.0.0.1",
                "GATEWAY_PORT": str(ports["gateway"]),
                "GATEWAY_CUSTOMER_SERVICE_URL": self.customer.url,
                "GATEWAY_ORDER_SERVICE_URL": order_url,
                **labbed.get("gateway", {}),
                **extra.get("gateway", {}),
            },
        )
        self.processes = (self.customer, self.order, self.gateway)

    @property
    def url(self) -> str:
        """The gateway: the public entry point."""
        return self.gateway.url

    def start(self, timeout: float = 60.0) -> Stack:
        for process in self.processes:
            process.start(wait=False)
        for process in self.processes:
            process.wait_ready(timeout)
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.logs()}" for p in self.processes)

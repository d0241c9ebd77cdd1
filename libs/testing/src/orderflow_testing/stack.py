"""The whole back end as real processes on free ports: customer, order and gateway."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .issuer import TestIssuer
from .processes import Issuer, ServiceProcess, auth_env, customer_service, free_port


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
    for PostgreSQL. ``env`` adds settings per component (``{"gateway": {...}}``). Every
    component trusts the tokens of ``issuer`` (a ``TestIssuer`` of the stack's own unless
    given); ``headers(role)`` signs a request in. ``lab`` turns the gateway's Lab on, its span
    receiver on a free port, and the services export their spans to it, as ``make run`` does.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        customer_db: str | None = None,
        order_db: str | None = None,
        env: Mapping[str, Mapping[str, str]] | None = None,
        issuer: Issuer | None = None,
        lab: bool = False,
    ) -> None:
        extra = env or {}
        self._own_issuer: TestIssuer | None = None
        if issuer is None:
            issuer = self._own_issuer = TestIssuer()
        self.issuer = issuer
        ports = {name: free_port() for name in ("order", "gateway")}
        order_url = f"http://127.0.0.1:{ports['order']}"
        labbed = lab_settings(free_port()) if lab else {}
        self.customer = customer_service(
            workdir,
            customer_db or f"sqlite+aiosqlite:///{workdir / 'customer.db'}",
            issuer=self.issuer,
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
                **auth_env("ORDER", self.issuer),
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
                **auth_env("GATEWAY", self.issuer),
                **labbed.get("gateway", {}),
                **extra.get("gateway", {}),
            },
        )
        self.processes = (self.customer, self.order, self.gateway)

    @property
    def url(self) -> str:
        """The gateway: the public entry point."""
        return self.gateway.url

    def headers(self, role: str = "admin", customer_id: str | None = None) -> dict[str, str]:
        """An ``Authorization`` header for a caller with ``role`` (a customer: of
        ``customer_id``), valid for every component of this stack."""
        return self.issuer.headers(role, customer_id)

    def start(self, timeout: float = 60.0) -> Stack:
        for process in self.processes:
            process.start(wait=False)
        for process in self.processes:
            process.wait_ready(timeout)
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        if self._own_issuer is not None:
            self._own_issuer.close()
            self._own_issuer = None

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.logs()}" for p in self.processes)

"""The whole back end as real processes on free ports: customer, order, identity and gateway."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from .processes import (
    FAST_PASSWORD_HASHING,
    Issuer,
    customer_service,
    free_port,
    gateway_service,
    identity_service,
    order_service,
)
from .signin import IdentitySignIn


def lab_settings(receiver_port: int) -> dict[str, dict[str, str]]:
    """The Lab on in the gateway, its span receiver on ``receiver_port``, the services sending
    their spans there: the settings ``make run`` gives each component."""
    endpoint = f"http://127.0.0.1:{receiver_port}"
    return {
        "customer": {"CUSTOMER_LAB_OTLP_ENDPOINT": endpoint},
        "order": {"ORDER_LAB_OTLP_ENDPOINT": endpoint},
        "identity": {"IDENTITY_LAB_OTLP_ENDPOINT": endpoint},
        "gateway": {"GATEWAY_LAB_ENABLED": "true", "GATEWAY_LAB_OTLP_PORT": str(receiver_port)},
    }


class Stack:
    """Customer, order, identity and gateway processes wired to each other, each on a free port.

    Databases default to SQLite files under ``workdir``; pass ``customer_db``/``order_db``/
    ``identity_db`` URLs for PostgreSQL. ``env`` adds settings per component
    (``{"gateway": {...}}``).

    By default the identity service is the issuer: it runs with its development accounts,
    every other component trusts its tokens, and ``headers(role)`` signs in for real through
    the gateway (:class:`IdentitySignIn`). Given another ``issuer`` (a ``TestIssuer``, to forge
    tokens), the components trust that one instead, and identity runs without demo accounts.
    ``lab`` turns the gateway's Lab on, its span receiver on a free port, and the services
    export their spans to it, as ``make run`` does.
    """

    def __init__(
        self,
        workdir: Path,
        *,
        customer_db: str | None = None,
        order_db: str | None = None,
        identity_db: str | None = None,
        env: Mapping[str, Mapping[str, str]] | None = None,
        issuer: Issuer | None = None,
        lab: bool = False,
    ) -> None:
        extra = env or {}
        ports = {name: free_port() for name in ("order", "gateway")}
        order_url = f"http://127.0.0.1:{ports['order']}"
        labbed = lab_settings(free_port()) if lab else {}
        gateway_url = f"http://127.0.0.1:{ports['gateway']}"
        identity_db = identity_db or f"sqlite+aiosqlite:///{workdir / 'identity.db'}"
        self.identity = identity_service(
            workdir,
            identity_db,
            issuer_url=f"{gateway_url}/api/auth",
            demo_accounts=issuer is None,
            **FAST_PASSWORD_HASHING,
            **labbed.get("identity", {}),
            **extra.get("identity", {}),
        )
        self.issuer: Issuer = issuer or IdentitySignIn(
            issuer=f"{gateway_url}/api/auth",
            jwks_url=f"{self.identity.url}/jwks.json",
            token_url=f"{gateway_url}/api/auth/token",
            identity_database_url=identity_db,
        )
        self.customer = customer_service(
            workdir,
            customer_db or f"sqlite+aiosqlite:///{workdir / 'customer.db'}",
            issuer=self.issuer,
            **labbed.get("customer", {}),
            **extra.get("customer", {}),
        )
        # Made before the customer service, whose port it could not know yet.
        self.identity.env["IDENTITY_CUSTOMER_SERVICE_URL"] = self.customer.url
        self.order = order_service(
            workdir,
            order_db or f"sqlite+aiosqlite:///{workdir / 'order.db'}",
            issuer=self.issuer,
            customer_service_url=self.customer.url,
            port=ports["order"],
            **labbed.get("order", {}),
            **extra.get("order", {}),
        )
        self.gateway = gateway_service(
            workdir,
            issuer=self.issuer,
            customer_service_url=self.customer.url,
            order_service_url=order_url,
            identity_service_url=self.identity.url,
            port=ports["gateway"],
            **labbed.get("gateway", {}),
            **extra.get("gateway", {}),
        )
        self.processes = (self.customer, self.identity, self.order, self.gateway)

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

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ---\n{p.logs()}" for p in self.processes)

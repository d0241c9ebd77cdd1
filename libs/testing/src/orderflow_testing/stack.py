"""The whole back end as real processes on free ports: customer, order, identity and gateway."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path

import httpx

from .processes import (
    FAST_PASSWORD_HASHING,
    ServiceProcess,
    customer_service,
    free_port,
    identity_service,
    run_script,
)

DEMO_LOGINS = {
    "staff": ("staff@example.com", "orderflow-staff"),
    "customer": ("customer@example.com", "orderflow-customer"),
}
DEMO_CLIENT = ("orderflow-cli", "orderflow-cli-secret")


class Stack:
    """Customer, order, identity and gateway processes wired to each other, each on a free port.

    Databases default to SQLite files under ``workdir``; pass ``customer_db``/``order_db``/
    ``identity_db`` URLs for PostgreSQL. ``env`` adds settings per component
    (``{"gateway": {...}}``). The identity service runs with its demo accounts, and every other
    component trusts its tokens (``<P>_AUTH_ISSUER``, ``<P>_AUTH_JWKS_URL``).
    """

    def __init__(
        self,
        workdir: Path,
        *,
        customer_db: str | None = None,
        order_db: str | None = None,
        identity_db: str | None = None,
        env: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        extra = env or {}
        ports = {name: free_port() for name in ("order", "gateway")}
        order_url = f"http://127.0.0.1:{ports['order']}"
        gateway_url = f"http://127.0.0.1:{ports['gateway']}"
        self.issuer = f"{gateway_url}/api/auth"
        self.customer = customer_service(
            workdir,
            customer_db or f"sqlite+aiosqlite:///{workdir / 'customer.db'}",
            **extra.get("customer", {}),
        )
        self.identity_db = identity_db or f"sqlite+aiosqlite:///{workdir / 'identity.db'}"
        self.identity = identity_service(
            workdir,
            self.identity_db,
            issuer=self.issuer,
            customer_service_url=self.customer.url,
            **FAST_PASSWORD_HASHING,
            **extra.get("identity", {}),
        )
        # Made before identity, whose port it could not know yet.
        self.customer.env.update({**self._trust("CUSTOMER"), **extra.get("customer", {})})
        self.order = ServiceProcess(
            "order",
            "orderflow-order",
            port=ports["order"],
            log_dir=workdir,
            env={
                "ORDER_PORT": str(ports["order"]),
                "ORDER_DATABASE_URL": order_db or f"sqlite+aiosqlite:///{workdir / 'order.db'}",
                "ORDER_CUSTOMER_SERVICE_URL": self.customer.url,
                **self._trust("ORDER"),
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
                "GATEWAY_IDENTITY_SERVICE_URL": self.identity.url,
                **self._trust("GATEWAY"),
                **extra.get("gateway", {}),
            },
        )
        self.processes = (self.customer, self.identity, self.order, self.gateway)
        self._tokens: dict[tuple[str, str | None], str] = {}

    def _trust(self, prefix: str) -> dict[str, str]:
        """Settings that make a component accept this stack's tokens."""
        return {
            f"{prefix}_AUTH_ISSUER": self.issuer,
            f"{prefix}_AUTH_JWKS_URL": f"{self.identity.url}/jwks.json",
        }

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

    def token(self, role: str = "admin", customer_id: str | None = None) -> str:
        """An access token signed in for real through the gateway's token endpoint: the demo
        client (client_credentials) for ``admin``, the demo staff or customer by password, or
        for ``customer_id``, a customer user made for that record by ``add-user``."""
        key = (role, customer_id)
        if key not in self._tokens:
            if role == "admin":
                data = {"grant_type": "client_credentials"}
                auth: tuple[str, str] | None = DEMO_CLIENT
            else:
                username, password = self._login(role, customer_id)
                data = {"grant_type": "password", "username": username, "password": password}
                auth = None
            response = httpx.post(f"{self.url}/api/auth/token", data=data, auth=auth, timeout=30)
            response.raise_for_status()
            self._tokens[key] = str(response.json()["access_token"])
        return self._tokens[key]

    def headers(self, role: str = "admin", customer_id: str | None = None) -> dict[str, str]:
        """``Authorization`` for a caller of ``role`` (see :meth:`token`)."""
        return {"Authorization": f"Bearer {self.token(role, customer_id)}"}

    def _login(self, role: str, customer_id: str | None) -> tuple[str, str]:
        if customer_id is None or role != "customer":
            return DEMO_LOGINS[role]
        email = f"customer-{customer_id}@example.com"
        password = uuid.uuid4().hex
        result = run_script(
            "orderflow-identity",
            "add-user",
            *("--email", email, "--name", f"Customer {customer_id[:8]}"),
            *("--password", password, "--role", "customer", "--customer-id", customer_id),
            env={"IDENTITY_DATABASE_URL": self.identity_db, **FAST_PASSWORD_HASHING},
        )
        if result.returncode != 0:
            raise RuntimeError(f"add-user failed: {result.stderr}")
        return email, password

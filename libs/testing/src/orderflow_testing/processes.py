"""Real processes on free ports, for system tests and failure drills."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol, TypeVar

import httpx

BIN = Path(sys.executable).parent
T = TypeVar("T")


class Issuer(Protocol):
    """What a stack needs of a token issuer: ``TestIssuer``, the identity service, any OIDC
    provider's test double."""

    @property
    def issuer(self) -> str: ...
    @property
    def jwks_url(self) -> str: ...
    def headers(self, role: str = "admin", customer_id: str | None = None) -> dict[str, str]: ...


def auth_env(prefix: str, issuer: Issuer) -> dict[str, str]:
    """The settings that make component ``prefix`` (``GATEWAY``, ...) trust ``issuer``."""
    return {f"{prefix}_AUTH_ISSUER": issuer.issuer, f"{prefix}_AUTH_JWKS_URL": issuer.jwks_url}


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(
    url: str, process: subprocess.Popen[bytes], timeout: float = 30.0, *, path: str = "/readyz"
) -> None:
    """Until ``url`` + ``path`` (readiness; ``/healthz`` for liveness alone) answers 200; fails at
    once if ``process`` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited early with status {process.returncode}")
        try:
            if httpx.get(f"{url}{path}", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"not ready after {timeout}s")


def eventually(find: Callable[[], T | None], timeout: float = 15.0, interval: float = 0.1) -> T:
    """The first answer of ``find`` that is not ``None`` (or ``False``), asked every ``interval``
    seconds; an :class:`AssertionError` once ``timeout`` has passed without one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = find()
        if found is not None and found is not False:
            return found
        time.sleep(interval)
    raise AssertionError(f"not so within {timeout}s")


class ServiceProcess:
    """One OrderFlow component run by its console script, e.g. ``orderflow-customer``.

    Output goes to ``log_path`` so a failing test can show it; ``url`` is its base URL.
    """

    def __init__(
        self, name: str, script: str, *, port: int, env: Mapping[str, str], log_dir: Path
    ) -> None:
        self.name = name
        self.command = [str(BIN / script)]
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, **env}
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, wait: bool = True, timeout: float = 30.0) -> ServiceProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0, *, path: str = "/readyz") -> None:
        assert self.process is not None, "start() first"
        try:
            wait_ready(self.url, self.process, timeout, path=path)
        except (RuntimeError, TimeoutError) as exc:
            raise type(exc)(f"{self.name}: {exc}\n{self.logs()}") from None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` (SIGKILL by default: no clean-up at all) and wait for the exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=15)

    def stop(self) -> None:
        """Graceful stop: SIGTERM, then SIGKILL if it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def run_script(script: str, *args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a component's console script to completion (e.g. ``migrate``) with only ``env``."""
    return subprocess.run(
        [str(BIN / script), *args],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def customer_service(
    log_dir: Path, database_url: str, *, issuer: Issuer, **env: str
) -> ServiceProcess:
    """The customer service on a free port, on ``database_url``, trusting ``issuer``'s tokens
    (not started yet)."""
    port = free_port()
    return ServiceProcess(
        "customer",
        "orderflow-customer",
        port=port,
        log_dir=log_dir,
        env={
            "CUSTOMER_PORT": str(port),
            "CUSTOMER_DATABASE_URL": database_url,
            **auth_env("CUSTOMER", issuer),
            **env,
        },
    )


def order_service(
    log_dir: Path,
    database_url: str,
    *,
    issuer: Issuer,
    customer_service_url: str,
    name: str = "order",
    port: int | None = None,
    **env: str,
) -> ServiceProcess:
    """The order service on ``port`` (a free one by default), on ``database_url``, asking
    ``customer_service_url`` about customers and trusting ``issuer``'s tokens (not started yet).
    ``name`` tells replicas apart in the logs."""
    port = port or free_port()
    return ServiceProcess(
        name,
        "orderflow-order",
        port=port,
        log_dir=log_dir,
        env={
            "ORDER_PORT": str(port),
            "ORDER_DATABASE_URL": database_url,
            "ORDER_CUSTOMER_SERVICE_URL": customer_service_url,
            **auth_env("ORDER", issuer),
            **env,
        },
    )


# Budgets no test reaches unless it sets its own (the rate-limit tests do, small).
ROOMY_BUDGETS = {
    "GATEWAY_RATE_LIMIT_READS": "100000/s",
    "GATEWAY_RATE_LIMIT_WRITES": "100000/s",
    "GATEWAY_RATE_LIMIT_LOGIN_FAILURES": "100000/s",
}


def gateway_service(
    log_dir: Path,
    *,
    issuer: Issuer,
    customer_service_url: str,
    order_service_url: str,
    identity_service_url: str,
    name: str = "gateway",
    port: int | None = None,
    **env: str,
) -> ServiceProcess:
    """The gateway on 127.0.0.1 and ``port`` (a free one by default) in front of the three
    services, trusting ``issuer``'s tokens, with budgets no test reaches unless ``env`` sets
    them (not started yet)."""
    port = port or free_port()
    return ServiceProcess(
        name,
        "orderflow-gateway",
        port=port,
        log_dir=log_dir,
        env={
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(port),
            "GATEWAY_CUSTOMER_SERVICE_URL": customer_service_url,
            "GATEWAY_ORDER_SERVICE_URL": order_service_url,
            "GATEWAY_IDENTITY_SERVICE_URL": identity_service_url,
            **auth_env("GATEWAY", issuer),
            **ROOMY_BUDGETS,
            **env,
        },
    )


FAST_PASSWORD_HASHING = {
    "IDENTITY_ARGON2_TIME_COST": "1",
    "IDENTITY_ARGON2_MEMORY_KIB": "1024",
    "IDENTITY_ARGON2_PARALLELISM": "1",
}
"""Argon2 at its cheapest, for stacks that sign in often; production refuses it."""


def identity_service(
    log_dir: Path,
    database_url: str,
    *,
    issuer_url: str | None = None,
    customer_service_url: str = "http://127.0.0.1:9",
    demo_accounts: bool = True,
    **env: str,
) -> ServiceProcess:
    """The identity service on a free port, on ``database_url`` (not started yet); its
    development signing key in ``log_dir``. ``issuer_url``, what its tokens name as ``iss``,
    defaults to its own URL (in a stack: the public one, ``<gateway>/api/auth``)."""
    port = free_port()
    return ServiceProcess(
        "identity",
        "orderflow-identity",
        port=port,
        log_dir=log_dir,
        env={
            "IDENTITY_PORT": str(port),
            "IDENTITY_DATABASE_URL": database_url,
            "IDENTITY_ISSUER": issuer_url or f"http://127.0.0.1:{port}",
            "IDENTITY_SIGNING_KEY_FILE": str(log_dir / "identity-signing-key.pem"),
            "IDENTITY_DEMO_ACCOUNTS": "true" if demo_accounts else "false",
            "IDENTITY_CUSTOMER_SERVICE_URL": customer_service_url,
            **env,
        },
    )

"""The processes under test, started the way `make run` starts them: installed console scripts,
production settings (no reload, INFO logs, access log on), each on a free port."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Mapping
from pathlib import Path

import httpx
from orderflow_testing import Issuer, ServiceProcess, auth_env, free_port
from orderflow_testing.processes import BIN, ROOMY_BUDGETS

from .procs import children

SOURCES = {
    "customer": "services/customer",
    "order": "services/order",
    "gateway": "services/api-gateway",
    "identity": "services/identity",
}
SCRIPTS = {
    "customer": "orderflow-customer",
    "order": "orderflow-order",
    "gateway": "orderflow-gateway",
    "identity": "orderflow-identity",
}


# Where each component says it is ready; the frontend has no probe of its own (its /readyz is
# the gateway's, proxied), so its page answering is its readiness, as for `make run`.
READY_PATHS = {"frontend": "/"}


def ready_url(process: ServiceProcess) -> str:
    return process.url + READY_PATHS.get(process.name, "/readyz")


def installed(kind: str) -> bool:
    return (BIN / SCRIPTS[kind]).exists()


def production(prefix: str, port: int, **settings: str) -> dict[str, str]:
    env = {"ENVIRONMENT": "production", "LOG_LEVEL": "INFO", "PORT": str(port), **settings}
    return {f"{prefix}_{key}": value for key, value in env.items()}


def customer(
    workdir: Path, *, database_url: str, issuer: Issuer, name: str = "customer"
) -> ServiceProcess:
    port = free_port()
    env = production("CUSTOMER", port, DATABASE_URL=database_url) | auth_env("CUSTOMER", issuer)
    return ServiceProcess(name, SCRIPTS["customer"], port=port, env=env, log_dir=workdir)


def order(
    workdir: Path, *, database_url: str, customer_url: str, issuer: Issuer, name: str = "order"
) -> ServiceProcess:
    port = free_port()
    env = production(
        "ORDER", port, DATABASE_URL=database_url, CUSTOMER_SERVICE_URL=customer_url
    ) | auth_env("ORDER", issuer)
    return ServiceProcess(name, SCRIPTS["order"], port=port, env=env, log_dir=workdir)


def identity(workdir: Path, *, database_url: str) -> ServiceProcess:
    """In development mode (its key generated into ``workdir``): production would want
    configured keys. No demo accounts: the benchmarks' callers carry the test issuer's tokens."""
    port = free_port()
    env = {
        "IDENTITY_LOG_LEVEL": "INFO",
        "IDENTITY_PORT": str(port),
        "IDENTITY_DATABASE_URL": database_url,
        "IDENTITY_SIGNING_KEY_FILE": str(workdir / "identity-signing-key.pem"),
    }
    return ServiceProcess("identity", SCRIPTS["identity"], port=port, env=env, log_dir=workdir)


def gateway(
    workdir: Path,
    *,
    customer_url: str,
    order_url: str,
    identity_url: str,
    issuer: Issuer,
    name: str = "gateway",
    settings: Mapping[str, str] | None = None,
) -> ServiceProcess:
    port = free_port()
    # The benchmarks measure the proxy, not the budgets: roomy ones unless ``settings`` say.
    env = (
        auth_env("GATEWAY", issuer)
        | ROOMY_BUDGETS
        | production(
            "GATEWAY",
            port,
            HOST="127.0.0.1",
            CUSTOMER_SERVICE_URL=customer_url,
            ORDER_SERVICE_URL=order_url,
            IDENTITY_SERVICE_URL=identity_url,
            **(settings or {}),
        )
    )
    return ServiceProcess(name, SCRIPTS["gateway"], port=port, env=env, log_dir=workdir)


def pid(process: ServiceProcess) -> int:
    assert process.process is not None, f"{process.name} is not started"
    return process.process.pid


async def _ready_times(urls: Mapping[str, str], start: float, limit: float) -> dict[str, float]:
    """Poll every readiness URL until each answers 200; seconds from ``start`` for each."""
    ready: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=1) as client:
        deadline = start + limit
        while len(ready) < len(urls) and time.perf_counter() < deadline:
            for name, url in urls.items():
                if name in ready:
                    continue
                try:
                    if (await client.get(url)).status_code == 200:
                        ready[name] = time.perf_counter() - start
                except httpx.TransportError:
                    pass
            await asyncio.sleep(0.02)
    missing = set(urls) - set(ready)
    if missing:
        raise TimeoutError(f"not ready after {limit}s: {', '.join(sorted(missing))}")
    return ready


def start_all(processes: list[ServiceProcess], timeout: float = 60.0) -> dict[str, float]:
    """Start every process at once; seconds until each was ready (``all`` for the last one)."""
    start = time.perf_counter()
    for process in processes:
        process.start(wait=False)
    try:
        ready = asyncio.run(_ready_times({p.name: ready_url(p) for p in processes}, start, timeout))
    except TimeoutError:
        for process in processes:
            if not process.running:
                raise RuntimeError(f"{process.name} exited:\n{process.logs()[-3000:]}") from None
        raise
    return {**ready, "all": max(ready.values())}


def stop_all(processes: list[ServiceProcess]) -> None:
    """Stop each process, then whatever it started that outlived it (npm leaves vite behind)."""
    for process in reversed(processes):
        descendants = children(process.process.pid) if process.running else []
        process.stop()
        for pid in descendants:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

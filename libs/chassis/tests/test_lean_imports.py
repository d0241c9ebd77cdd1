"""A process imports only what it uses: no Alembic unless it migrates, no OpenTelemetry SDK
unless it exports spans (each checked in a fresh interpreter, as a deployed process starts)."""

import subprocess
import sys

import pytest

PROBE = """
import sys
from {module} import create_app
create_app()
print("imported:" + ",".join(name for name in {heavy!r} if name in sys.modules))
"""
SERVICES = {
    "customer_service.main": "CUSTOMER",
    "order_service.main": "ORDER",
    "identity_service.main": "IDENTITY",
    "api_gateway.main": "GATEWAY",
}


def _imported(module: str, env: dict[str, str], heavy: tuple[str, ...]) -> list[str]:
    probe = PROBE.format(module=module, heavy=heavy)
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    [line] = [line for line in result.stdout.splitlines() if line.startswith("imported:")]
    return [name for name in line.removeprefix("imported:").split(",") if name]


@pytest.mark.parametrize("module", SERVICES)
def test_no_migration_or_span_export_machinery_in_a_process_that_needs_none(module: str) -> None:
    prefix = SERVICES[module]
    env = {"PATH": "/usr/bin:/bin", f"{prefix}_MIGRATE_ON_STARTUP": "false"}
    heavy = ("alembic", "mako", "opentelemetry.sdk.trace", "opentelemetry.exporter")
    assert _imported(module, env, heavy) == []


def test_the_sdk_is_there_when_the_service_exports() -> None:
    env = {"PATH": "/usr/bin:/bin", "CUSTOMER_LAB_OTLP_ENDPOINT": "http://127.0.0.1:9"}
    assert "opentelemetry.sdk.trace" in _imported(
        "customer_service.main", env, ("opentelemetry.sdk.trace",)
    )

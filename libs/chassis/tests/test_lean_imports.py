"""A process imports only what it uses: no Alembic unless it migrates, no OpenTelemetry SDK
unless it exports spans (checked in a fresh interpreter, as a deployed process starts)."""

import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
for module in {modules!r}:
    __import__(module, fromlist=["create_app"]).create_app()
print("imported:" + ",".join(name for name in {heavy!r} if name in sys.modules))
"""
SERVICES = {
    "customer_service.main": "CUSTOMER",
    "order_service.main": "ORDER",
    "identity_service.main": "IDENTITY",
    "api_gateway.main": "GATEWAY",
}


def _imported(modules: list[str], env: dict[str, str], heavy: tuple[str, ...]) -> list[str]:
    probe = PROBE.format(modules=modules, heavy=heavy)
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    [line] = [line for line in result.stdout.splitlines() if line.startswith("imported:")]
    return [name for name in line.removeprefix("imported:").split(",") if name]


def test_no_migration_or_span_export_machinery_in_processes_that_need_none() -> None:
    env = {f"{prefix}_MIGRATE_ON_STARTUP": "false" for prefix in SERVICES.values()}
    heavy = ("alembic", "mako", "opentelemetry.sdk.trace", "opentelemetry.exporter")
    assert _imported(list(SERVICES), env, heavy) == []


def test_the_sdk_is_there_when_the_service_exports() -> None:
    env = {"CUSTOMER_LAB_OTLP_ENDPOINT": "http://127.0.0.1:9"}
    heavy = ("opentelemetry.sdk.trace",)
    assert _imported(["customer_service.main"], env, heavy) == ["opentelemetry.sdk.trace"]


RESTART = """
import asyncio, sys
from asgi_lifespan import LifespanManager
from customer_service.main import create_app

async def main():
    async with LifespanManager(create_app()):
        pass

asyncio.run(main())
print("imported:" + ",".join(name for name in ("alembic", "mako") if name in sys.modules))
"""


def test_a_restart_on_a_database_at_head_does_not_load_alembic(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "CUSTOMER_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'customer.db'}",
    }

    def start() -> list[str]:
        result = subprocess.run(
            [sys.executable, "-c", RESTART], env=env, capture_output=True, text=True, check=True
        )
        [line] = [line for line in result.stdout.splitlines() if line.startswith("imported:")]
        return [name for name in line.removeprefix("imported:").split(",") if name]

    assert start() == ["alembic", "mako"]  # a new database: migrated
    assert start() == []  # the same one again: nothing to migrate, nothing loaded


def test_the_gateway_loads_no_database_library_with_the_lab_on_or_off() -> None:
    heavy = ("sqlalchemy", "aiosqlite", "asyncpg", "alembic")
    for lab in ("false", "true"):
        env = {"GATEWAY_LAB_ENABLED": lab, "GATEWAY_LAB_OTLP_PORT": "0"}
        assert _imported(["api_gateway.main"], env, heavy) == [], f"Lab {lab}"

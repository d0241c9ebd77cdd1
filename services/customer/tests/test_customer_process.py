"""The customer service as a real process: migrates its file, serves, survives SIGKILL."""

from pathlib import Path

import httpx
import pytest
from orderflow_testing import ServiceProcess, free_port

pytestmark = pytest.mark.system


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "CUSTOMER_PORT": str(port),
        "CUSTOMER_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'customer.db'}",
    }
    service = ServiceProcess("customer", "orderflow-customer", port=port, env=env, log_dir=tmp_path)
    try:
        service.start()
        created = httpx.post(
            f"{service.url}/customers", json={"name": "Ada", "email": "ada@example.com"}
        )
        assert created.status_code == 201
        service.kill()

        service.start()
        fetched = httpx.get(f"{service.url}/customers/{created.json()['id']}")
        assert fetched.json() == created.json()
    finally:
        service.stop()


def test_migrate_command_creates_the_schema_and_exits(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = tmp_path / "customer.db"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "orderflow-customer"), "migrate"],
        env={"CUSTOMER_DATABASE_URL": f"sqlite+aiosqlite:///{db}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert db.exists()

"""The customer service as a real process: migrates its file, serves, survives SIGKILL."""

from pathlib import Path

import httpx
import pytest
from orderflow_testing import TestIssuer, customer_service, run_script

pytestmark = pytest.mark.system


def test_acknowledged_writes_survive_sigkill(tmp_path: Path, issuer: TestIssuer) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'customer.db'}"
    service = customer_service(tmp_path, url, issuer=issuer)
    headers = issuer.headers("staff")
    try:
        service.start()
        created = httpx.post(
            f"{service.url}/customers",
            json={"name": "Ada", "email": "ada@example.com"},
            headers=headers,
        )
        assert created.status_code == 201
        service.kill()

        service.start()
        fetched = httpx.get(f"{service.url}/customers/{created.json()['id']}", headers=headers)
        assert fetched.json() == created.json()
    finally:
        service.stop()


def test_migrate_command_creates_the_schema_and_exits(tmp_path: Path) -> None:
    db = tmp_path / "customer.db"
    result = run_script(
        "orderflow-customer", "migrate", env={"CUSTOMER_DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert db.exists()

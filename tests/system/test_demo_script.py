"""`make demo` against a running stack: it signs in as the orderflow-cli client and loads data."""

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .conftest import StackFactory

pytestmark = pytest.mark.system
REPO = Path(__file__).resolve().parents[2]


def test_the_demo_script_signs_in_and_loads_through_the_gateway(make_stack: StackFactory) -> None:
    stack = make_stack()
    command = [sys.executable, str(REPO / "scripts" / "demo.py"), "--gateway", stack.url]
    sizes = ["--customers", "5", "--orders", "12", "--concurrency", "4"]

    result = subprocess.run(
        [*command, *sizes], capture_output=True, text=True, timeout=120, check=False
    )
    wrong_secret = subprocess.run(
        [*command, *sizes, "--client-secret", "wrong"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    dashboard = httpx.get(f"{stack.url}/api/dashboard", headers=stack.headers("staff")).json()
    assert dashboard["orders"]["total"] == 12
    assert wrong_secret.returncode != 0
    assert "could not sign in as orderflow-cli" in wrong_secret.stderr

"""`make demo`'s script loads its data signed in, and a second run adds nothing."""

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .conftest import StackFactory

pytestmark = pytest.mark.system
DEMO = Path(__file__).resolve().parents[2] / "scripts" / "demo.py"


def test_the_demo_loads_through_the_gateway_signed_in_and_twice_is_once(
    make_stack: StackFactory,
) -> None:
    stack = make_stack()
    token = stack.headers("admin")["Authorization"].removeprefix("Bearer ")
    command = [
        sys.executable,
        str(DEMO),
        f"--gateway={stack.url}",
        "--customers=5",
        "--orders=20",
        f"--token={token}",
    ]
    for _ in range(2):
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    stats = httpx.get(f"{stack.url}/api/dashboard", headers=stack.headers()).json()
    assert (stats["customers"]["total"], stats["orders"]["total"]) == (5, 20)


def test_a_refused_sign_in_says_why(make_stack: StackFactory) -> None:
    stack = make_stack()
    done = subprocess.run(
        [
            sys.executable,
            str(DEMO),
            f"--gateway={stack.url}",
            "--client-secret=not-the-secret",
            "--customers=1",
            "--orders=1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode != 0
    assert "could not sign in as orderflow-cli" in done.stderr

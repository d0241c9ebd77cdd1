"""`make run` as a user runs it: everything ready, a crashed service restarted, and Ctrl-C or
SIGTERM stopping every process it started, in order, each saying so, without a traceback."""

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from orderflow_testing import free_port

pytestmark = pytest.mark.system
REPO = Path(__file__).resolve().parents[2]


class MakeRun:
    def __init__(self, log: Path) -> None:
        names = ("CUSTOMER", "ORDER", "IDENTITY", "GATEWAY", "FRONTEND", "LAB_OTLP")
        self.ports = {name: free_port() for name in names}
        self.log = log
        self.seen: set[int] = set()
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "run", "MEMORY=1"]
            + [f"{name}_PORT={port}" for name, port in self.ports.items()],
            cwd=REPO,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, as a terminal gives it
            env=_clean_environment(),
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, pattern: str, timeout: float = 180.0, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while len(re.findall(pattern, self.output(), re.MULTILINE)) < count:
            assert self.process.poll() is None, self.output()[-4000:]
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n{self.output()[-4000:]}"
            time.sleep(0.2)

    def pids(self, pattern: str) -> list[int]:
        """Processes this run started (at any depth) whose command line matches ``pattern``."""
        return [pid for pid in self.everything() if re.search(pattern, _cmdline(pid))]

    def everything(self) -> list[int]:
        """Every process below make now; remembered, since orphans leave make's tree."""
        found = _descendants(self.process.pid)
        self.seen.update(found)
        return found

    def still_running(self) -> list[int]:
        """Of every process this run was ever seen to start, those not yet gone."""
        return [pid for pid in self.seen if _alive(pid)]


def _clean_environment() -> dict[str, str]:
    """This environment without what an enclosing `make test` exported: a fresh terminal's."""
    prefixes = (
        "CUSTOMER_",
        "ORDER_",
        "GATEWAY_",
        "IDENTITY_",
        "FRONTEND_",
        "LAB_",
        "ORDERFLOW_GATEWAY",
        "MAKE",
        "MFLAGS",
    )
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``, found through /proc (no session or group assumed)."""
    try:
        children = [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return []
    return [pid for child in children for pid in (child, *_descendants(child))]


@pytest.fixture
def make_run(tmp_path: Path) -> Iterator[MakeRun]:
    run = MakeRun(tmp_path / "make-run.log")
    yield run
    run.everything()
    for pid in run.still_running():
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_make_run_starts_restarts_and_stops_everything(
    make_run: MakeRun, stop_signal: signal.Signals
) -> None:
    make_run.wait_for(r"^supervise \| all ready in ")
    gateway = f"http://127.0.0.1:{make_run.ports['GATEWAY']}"
    frontend = f"http://127.0.0.1:{make_run.ports['FRONTEND']}"
    assert httpx.get(f"{gateway}/readyz").status_code == 200
    # The UI's server proxies /api to the gateway, whose door answers a caller without a token.
    proxied = httpx.get(f"{frontend}/api/dashboard")
    assert proxied.status_code == 401
    assert proxied.headers["www-authenticate"] == 'Bearer realm="orderflow"'
    assert "customer@example.com / orderflow-customer" in make_run.output()
    signed_in = httpx.post(
        f"{gateway}/api/auth/token",
        data={
            "grant_type": "password",
            "username": "customer@example.com",
            "password": "orderflow-customer",
        },
    )
    assert signed_in.status_code == 200, signed_in.text
    # "all ready" waits for the demo customer's link to its customer record.
    claims = jwt.decode(signed_in.json()["access_token"], options={"verify_signature": False})
    assert claims["customer_id"] is not None
    # Signed in, through the UI's server as the browser goes.
    me = httpx.get(
        f"{frontend}/api/auth/me",
        headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"},
    )
    assert me.json()["customer_id"] == claims["customer_id"]
    # The Lab is on (off, it would be a 404), for admins only.
    assert httpx.get(f"{gateway}/api/lab/traces").status_code == 401

    [customer] = make_run.pids(r"bin/python .*/bin/orderflow-customer$")
    os.kill(customer, signal.SIGKILL)
    make_run.wait_for(r"^customer +\| restarted$")
    deadline = time.monotonic() + 30
    while httpx.get(f"{gateway}/readyz").status_code != 200:
        assert time.monotonic() < deadline, make_run.output()[-4000:]
        time.sleep(0.2)

    assert len(make_run.everything()) >= 6  # the supervisor and the five components
    if stop_signal == signal.SIGINT:
        os.killpg(make_run.process.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
    else:
        make_run.process.send_signal(signal.SIGTERM)  # `kill <pid of make>`
    # make itself ends as the signal it was sent asks; what it ran exited cleanly.
    assert make_run.process.wait(timeout=30) in (0, -stop_signal)
    lines = make_run.output().splitlines()
    assert lines[-1] == "supervise | all stopped, exit status 0", lines[-20:]
    stopped = [line.split(" |")[0].strip() for line in lines if re.search(r"\| stopped \(", line)]
    assert stopped == ["frontend", "gateway", "identity", "order", "customer"]
    for name in ("gateway", "identity", "order", "customer"):
        assert re.search(rf"^{name} +\| stopped \(status 0\)$", make_run.output(), re.MULTILINE)
        # and the service's own last word, from its log
        assert re.search(rf"^{name} +\| .*\bstopped\b.*{name}", make_run.output(), re.MULTILINE)
    assert "Traceback" not in make_run.output()
    deadline = time.monotonic() + 20
    while make_run.still_running():
        left = {pid: _cmdline(pid) for pid in make_run.still_running()}
        assert time.monotonic() < deadline, f"left behind: {left}"
        time.sleep(0.2)

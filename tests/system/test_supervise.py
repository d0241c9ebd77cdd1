"""The supervisor of `make run` with small stand-in components: readiness, restarts with
backoff, and stops in order on SIGINT and SIGTERM with exit status 0."""

import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from orderflow_testing import free_port

pytestmark = pytest.mark.system
SUPERVISE = Path(__file__).resolve().parents[2] / "scripts" / "supervise.py"
# A component that says it stopped when asked to, as the services do.
POLITE = (
    "import signal, sys, time\n"
    "def stop(*_):\n"
    "    print('{name} stopping', flush=True); sys.exit(0)\n"
    "signal.signal(signal.SIGTERM, stop)\n"
    "print('{name} up', flush=True)\n"
    "while True: time.sleep(1)\n"
)


class Supervised:
    started: ClassVar[list["Supervised"]] = []

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.log = tmp_path / "supervise.log"
        self.process = subprocess.Popen(
            [sys.executable, str(SUPERVISE), *args],
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        Supervised.started.append(self)

    def output(self) -> str:
        return self.log.read_text()

    def wait_for(self, pattern: str, count: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(re.findall(pattern, self.output(), re.MULTILINE)) < count:
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, f"no {pattern!r} in:\n{self.output()}"
            time.sleep(0.05)


@pytest.fixture(autouse=True)
def _stop_what_a_failed_test_left() -> Iterator[None]:
    yield
    while Supervised.started:
        process = Supervised.started.pop().process
        if process.poll() is None:
            process.terminate()  # it stops its components; they die with it in any case
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def polite(name: str) -> str:
    return f"{name}={sys.executable} -c {shlex.quote(POLITE.format(name=name))}"


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_stops_every_component_last_started_first_and_exits_0(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    port = free_port()
    web = f"web={sys.executable} -m http.server {port} --bind 127.0.0.1"
    run = Supervised(
        tmp_path,
        *("--run", polite("first"), "--run", polite("second"), "--run", web),
        *("--ready", f"web=http://127.0.0.1:{port}/", "--show", "site=http://here"),
        "--show==second line",
    )
    run.wait_for(r"^supervise \| all ready in [0-9.]+s$")
    assert re.search(r"^supervise \|   site  http://here$", run.output(), re.MULTILINE)
    assert re.search(r"^supervise \|         second line$", run.output(), re.MULTILINE)
    assert re.search(r"^first     \| first up$", run.output(), re.MULTILINE)
    assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200

    run.process.send_signal(stop_signal)
    assert run.process.wait(timeout=30) == 0
    lines = run.output().splitlines()
    stopped = [line.split(" |")[0].strip() for line in lines if re.search(r"\| stopped ", line)]
    assert stopped == ["web", "second", "first"]
    assert "second    | second stopping" in lines
    assert "first     | stopped (status 0)" in lines
    assert lines[-1] == "supervise | all stopped, exit status 0"
    assert "Traceback" not in run.output()


def test_restarts_a_component_that_exits_with_a_growing_delay(tmp_path: Path) -> None:
    crash = f"crash={sys.executable} -c 'print(\"crashing\"); raise SystemExit(3)'"
    run = Supervised(
        tmp_path, "--run", crash, "--run", polite("steady"), "--backoff=0.1", "--max-backoff=0.4"
    )
    run.wait_for(r"^crash +\| restarted$", count=4)
    delays = re.findall(r"exited with status 3; restarting in ([0-9.]+)s", run.output())
    assert delays[:4] == ["0.1", "0.2", "0.4", "0.4"]
    assert run.output().count("steady up") == 1  # the others are left alone
    run.process.send_signal(signal.SIGTERM)
    assert run.process.wait(timeout=30) == 0


def test_the_delay_starts_over_after_a_healthy_run(tmp_path: Path) -> None:
    flaky = f"flaky={sys.executable} -c 'import time; time.sleep(0.3); raise SystemExit(1)'"
    run = Supervised(tmp_path, "--run", flaky, "--backoff=0.1", "--healthy-after=0.2")
    run.wait_for(r"^flaky +\| restarted$", count=3)
    delays = re.findall(r"restarting in ([0-9.]+)s", run.output())
    assert set(delays) == {"0.1"}
    run.process.send_signal(signal.SIGINT)
    assert run.process.wait(timeout=30) == 0


def test_a_component_killed_outright_is_started_again(tmp_path: Path) -> None:
    run = Supervised(tmp_path, "--run", polite("victim"), "--backoff=0.1")
    run.wait_for(r"victim up")
    [child] = Path(f"/proc/{run.process.pid}/task/{run.process.pid}/children").read_text().split()
    subprocess.run(["kill", "-KILL", child], check=True)
    run.wait_for(r"^victim +\| exited with signal SIGKILL; restarting in 0.1s$")
    run.wait_for(r"victim up", count=2)
    run.process.send_signal(signal.SIGTERM)
    assert run.process.wait(timeout=30) == 0


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_a_service_stops_on_either_signal_with_status_0_and_no_traceback(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    port = free_port()
    log = tmp_path / "customer.log"
    service = subprocess.Popen(
        [str(Path(sys.executable).parent / "orderflow-customer")],
        env={
            "PATH": "/usr/bin:/bin",
            "CUSTOMER_PORT": str(port),
            "CUSTOMER_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'customer.db'}",
        },
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while '"started"' not in log.read_text():
            assert service.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        service.send_signal(stop_signal)
        assert service.wait(timeout=30) == 0, log.read_text()
        assert '"event": "stopped"' in log.read_text()
        assert "Traceback" not in log.read_text()
    finally:
        if service.poll() is None:
            service.kill()

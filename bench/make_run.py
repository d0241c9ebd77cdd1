"""``python -m bench.make_run``: what `make run` costs a laptop, as a person sees it.

Runs `make run` on free ports, its SQLite files and signing key in a temporary folder,
``--runs`` times in a row with nothing changed in between (the first may install or build and
creates the databases; the others are restarts, as a second `make run` is) and reports, per run, the
seconds from typing the command to "all ready" as the supervisor prints it (and the CPU
time all its processes spent to get there), and, after
``--settle`` seconds at rest, the resident memory of every process it started: the supervisor
and each component (with anything a component started itself). Each run is stopped with
SIGINT, as Ctrl-C does.

    uv run python -m bench.make_run            # 3 runs, the table on stdout
    uv run python -m bench.make_run --json     # the figures as JSON
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from .procs import cpu_seconds, rss_mb, tree

REPO = Path(__file__).resolve().parents[1]
PORTS = ("CUSTOMER", "ORDER", "IDENTITY", "GATEWAY", "FRONTEND", "LAB_OTLP")
COMPONENTS = ("customer", "order", "identity", "gateway", "frontend")
READY = re.compile(r"^supervise \| all ready in ", re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _environment() -> dict[str, str]:
    """A fresh terminal's environment: nothing an enclosing make or test run exported."""
    prefixes = ("CUSTOMER_", "ORDER_", "GATEWAY_", "IDENTITY_", "FRONTEND_", "MAKE", "MFLAGS")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def one_run(data: Path, settle: float, timeout: float = 180.0) -> dict[str, Any]:
    ports = {name: _free_port() for name in PORTS}
    env = _environment()
    for service in ("customer", "order", "identity"):
        env[f"{service.upper()}_DATABASE_URL"] = f"sqlite+aiosqlite:///{data}/{service}.db"
    env["IDENTITY_SIGNING_KEY_FILE"] = str(data / "identity-signing-key.pem")
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        started = time.monotonic()
        make = subprocess.Popen(
            ["make", "--no-print-directory", "run"]
            + [f"{name}_PORT={port}" for name, port in ports.items()],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
        try:
            while not READY.search(Path(log.name).read_text(errors="replace")):
                if make.poll() is not None or time.monotonic() - started > timeout:
                    raise RuntimeError(Path(log.name).read_text(errors="replace")[-3000:])
                time.sleep(0.05)
            ready_s = time.monotonic() - started
            # CPU the start took, all processes together: on N idle cores, at least cpu/N s.
            start_cpu = cpu_seconds(make.pid)
            time.sleep(settle)
            [supervisor] = [p for p in tree(make.pid)[1:] if "supervise.py" in _cmdline(p)]
            own = Path(f"/proc/{supervisor}/statm").read_text().split()[1]
            rss = {"supervisor": int(own) * os.sysconf("SC_PAGE_SIZE") / 1e6}
            pss = {"supervisor": _pss_mb([supervisor])}
            components = [
                int(pid)
                for pid in Path(f"/proc/{supervisor}/task/{supervisor}/children")
                .read_text()
                .split()
            ]
            for pid in components:
                name = _component_name(_cmdline(pid))
                rss[name] = rss.get(name, 0.0) + rss_mb(pid)
                pss[name] = pss.get(name, 0.0) + _pss_mb(tree(pid))
        finally:
            os.killpg(make.pid, signal.SIGINT)
            make.wait(timeout=60)
    rss = {name: round(value, 1) for name, value in rss.items()}
    return {
        "ready_s": round(ready_s, 2),
        "start_cpu_s": round(start_cpu, 2),
        "rss_mb": rss,
        "total_mb": round(sum(rss.values()), 1),
        "pss_total_mb": round(sum(pss.values()), 1),
    }


def _pss_mb(pids: list[int]) -> float:
    """Proportional set size: a page shared by n processes counts 1/n in each (smaps_rollup)."""
    total_kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kb += int(line.split()[1])
        except OSError:
            continue
    return total_kb * 1024 / 1e6


def _component_name(cmdline: str) -> str:
    for name, marker in (
        ("frontend", "orderflow-ui-server"),
        ("customer", "orderflow-customer"),
        ("order", "orderflow-order"),
        ("identity", "orderflow-identity"),
        ("gateway", "orderflow-gateway"),
    ):
        if marker in cmdline:
            return name
    return cmdline.split(" ", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.make_run", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=5.0, help="seconds at rest before RSS")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="orderflow-make-run-") as data:
        runs = [one_run(Path(data), args.settle) for _ in range(args.runs)]
    if args.json:
        print(json.dumps(runs, indent=2))
        return
    names = ["supervisor", *COMPONENTS]
    header = f"| run | all ready, s | CPU to ready, s | {' | '.join(names)} |"
    print(f"{header} total RSS, MB | total PSS, MB |")
    print(f"|---|---|---|{'---|' * len(names)}---|---|")
    for index, run in enumerate(runs, 1):
        cells = " | ".join(f"{run['rss_mb'].get(name, 0):.0f}" for name in names)
        print(
            f"| {index} | {run['ready_s']:.1f} | {run['start_cpu_s']:.1f} | {cells} "
            f"| {run['total_mb']:.0f} "
            f"| {run['pss_total_mb']:.0f} |"
        )
    print(f"load average at the end: {Path('/proc/loadavg').read_text().split()[0]}")


if __name__ == "__main__":
    main()

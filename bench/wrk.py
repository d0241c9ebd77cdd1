"""wrk, driven from Python: one run, its figures parsed from a JSON line our Lua script prints."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LUA = Path(__file__).parent / "lua"
MARKER = "BENCH_RESULT "
FAILED_MARKER = "BENCH_FAILED "


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    errors: dict[str, int]
    latency_us: dict[str, float]
    failed_statuses: dict[str, int] | None = None  # when the script counts them

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "errors": self.errors,
            "latency_ms": {k: round(v / 1000, 3) for k, v in self.latency_us.items()},
            **({"failed_statuses": self.failed_statuses} if self.failed_statuses else {}),
        }


def require_tools() -> None:
    missing = [tool for tool in ("wrk", "nginx") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(
            f"missing {', '.join(missing)}: `make bench` installs them "
            "(apt-get install -y wrk nginx)"
        )


def _script(extra: str | None) -> Path:
    """Our reporting ``done`` appended to ``extra`` (a request generator), as one script."""
    text = (LUA / extra).read_text() if extra else ""
    text += "\n" + (LUA / "report.lua").read_text()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-", delete=False) as handle:
        handle.write(text)
    return Path(handle.name)


def run(
    url: str,
    *,
    connections: int,
    seconds: int,
    script: str | None = None,
    script_args: tuple[str, ...] = (),
    threads: int = 1,
    timeout_s: int = 5,
    headers: Mapping[str, str] | None = None,
) -> WrkResult:
    """One wrk run against ``url`` sending ``headers`` (the caller's ``Authorization``);
    raises if wrk fails or prints no result line."""
    lua = _script(script)
    command = [
        "wrk",
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{max(1, seconds)}s",  # wrk takes whole seconds only
        f"--timeout={max(1, timeout_s)}s",
        "--latency",
        *(f"-H{name}: {value}" for name, value in (headers or {}).items()),
        "-s",
        str(lua),
        url,
    ]
    if script_args:
        command += ["--", *script_args]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 30, check=False
        )
    finally:
        lua.unlink(missing_ok=True)
    lines = done.stdout.splitlines()
    failed = next(
        (
            json.loads(line[len(FAILED_MARKER) :])
            for line in lines
            if line.startswith(FAILED_MARKER)
        ),
        None,
    )
    for line in lines:
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            return WrkResult(
                requests=data["requests"],
                seconds=data["duration_us"] / 1e6,
                errors=data["errors"],
                latency_us={k: float(v) for k, v in data["latency_us"].items()},
                failed_statuses=failed,
            )
    raise RuntimeError(
        f"wrk printed no result (exit {done.returncode}):\n{done.stdout}{done.stderr}"
    )

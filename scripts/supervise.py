"""Run the components of `make run` / `make dev` side by side, as one foreground program.

Each component is a process of its own (in a process group of its own, so that the terminal's
Ctrl-C reaches only this supervisor, which then stops them in order). Its output is printed a
line at a time behind its name. When every readiness URL answers 200, the URLs and logins are
printed. A component that exits on its own is started again after a delay that doubles from
``--backoff`` up to ``--max-backoff`` and goes back to ``--backoff`` once it has run for
``--healthy-after`` seconds. SIGINT, SIGTERM or SIGHUP stop every component, the last started
first, each with SIGTERM and ``--stop-timeout`` seconds before SIGKILL; then the supervisor
exits with status 0. Standard library only (docs/adr/0022-supervisor.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import os
import shlex
import signal
import sys
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field

_COLORS = (36, 35, 34, 33, 32, 37, 96, 95)  # cyan, magenta, blue, yellow, green, white, ...
_PR_SET_PDEATHSIG = 1
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _use_colors() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


class Console:
    """Lines behind a name, padded so that the components' output lines up."""

    def __init__(self, names: Sequence[str], colors: bool) -> None:
        self.width = max(len(name) for name in names)
        self.colors = colors
        self.prefixes: dict[str, bytes] = {}
        for index, name in enumerate(names):
            self.prefixes[name] = self._prefix(name, _COLORS[index % len(_COLORS)])

    def _prefix(self, name: str, color: int) -> bytes:
        label = f"{name:<{self.width}} |"
        return (f"\x1b[{color}m{label}\x1b[0m " if self.colors else f"{label} ").encode()

    def write(self, name: str, line: bytes) -> None:
        prefix = self.prefixes.get(name) or self.prefixes.setdefault(name, self._prefix(name, 1))
        sys.stdout.buffer.write(prefix + line.rstrip(b"\r\n") + b"\n")
        sys.stdout.buffer.flush()

    def say(self, text: str) -> None:
        self.write("supervise", text.encode())


@dataclass
class Component:
    name: str
    argv: list[str]
    process: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    delay: float = 0.0
    stopping: bool = False
    pumps: list[asyncio.Task[None]] = field(default_factory=list)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.components = [Component(name, shlex.split(command)) for name, command in args.run]
        names = [component.name for component in self.components]
        self.console = Console([*names, "supervise"], _use_colors())
        self.stop = asyncio.Event()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        if self.console.colors:
            env["FORCE_COLOR"] = "1"  # their output is a pipe to us, but ends in a terminal
        self.env = env

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in _STOP_SIGNALS:
            loop.add_signal_handler(sig, self.stop.set)
        for component in self.components:
            await self._start(component)
        watchers = [asyncio.create_task(self._watch(c)) for c in self.components]
        ready = asyncio.create_task(self._await_ready())
        await self.stop.wait()
        ready.cancel()
        self.console.say("stopping")
        for component in reversed(self.components):
            component.stopping = True
        for watcher in watchers:
            watcher.cancel()
        for component in reversed(self.components):
            await self._stop(component)
        self.console.say("all stopped, exit status 0")
        return 0

    async def _start(self, component: Component) -> None:
        try:
            component.process = await asyncio.create_subprocess_exec(
                *component.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        except OSError as error:
            self.console.write(component.name, f"cannot start: {error}".encode())
            component.process = None
            return
        component.started_at = time.monotonic()
        assert component.process.stdout is not None
        component.pumps = [asyncio.create_task(self._pump(component, component.process.stdout))]

    async def _pump(self, component: Component, stream: asyncio.StreamReader) -> None:
        pending = b""
        while chunk := await stream.read(65536):
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                self.console.write(component.name, line)
        if pending:
            self.console.write(component.name, pending)

    async def _watch(self, component: Component) -> None:
        """Start the component again whenever it exits on its own."""
        while True:
            status = await component.process.wait() if component.process else None
            await asyncio.gather(*component.pumps)
            ran = time.monotonic() - component.started_at
            if ran >= self.args.healthy_after or component.delay == 0:
                component.delay = self.args.backoff
            else:
                component.delay = min(component.delay * 2, self.args.max_backoff)
            self.console.write(
                component.name,
                f"exited with {_describe(status)}; restarting in {component.delay:.1f}s".encode(),
            )
            await asyncio.sleep(component.delay)
            await self._start(component)
            if component.process is not None:
                self.console.write(component.name, b"restarted")

    async def _stop(self, component: Component) -> None:
        process = component.process
        if process is None or process.returncode is not None:
            self.console.write(component.name, b"stopped")
            return
        self._signal_group(process.pid, signal.SIGTERM)
        try:
            status = await asyncio.wait_for(process.wait(), self.args.stop_timeout)
        except TimeoutError:
            self.console.write(
                component.name, f"still running after {self.args.stop_timeout:.0f}s".encode()
            )
            self._signal_group(process.pid, signal.SIGKILL)
            status = await process.wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*component.pumps), 2)
        self._signal_group(process.pid, signal.SIGKILL)  # whatever it left in its group
        self.console.write(component.name, f"stopped ({_describe(status)})".encode())

    @staticmethod
    def _signal_group(pid: int, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)

    async def _await_ready(self) -> None:
        start = time.monotonic()
        pending = dict(self.args.ready)
        while pending and time.monotonic() - start < self.args.ready_timeout:
            answers = await asyncio.gather(*(_is_ready(url) for url in pending.values()))
            for name, ready in zip(list(pending), answers, strict=True):
                if ready:
                    self.console.write(
                        name, f"ready after {time.monotonic() - start:.1f}s".encode()
                    )
                    del pending[name]
            await asyncio.sleep(0.1)
        if pending:
            self.console.say(
                f"not ready after {self.args.ready_timeout:.0f}s: {', '.join(pending)}"
            )
            return  # the components keep running and say why in their own logs
        self.console.say(f"all ready in {time.monotonic() - start:.1f}s")
        width = max((len(label) for label, _ in self.args.show), default=0)
        for label, url in self.args.show:
            self.console.say(f"  {label:<{width}}  {url}")


def _describe(status: int | None) -> str:
    if status is None:
        return "no process"
    if status < 0:
        return f"signal {signal.Signals(-status).name}"
    return f"status {status}"


async def _is_ready(url: str) -> bool:
    """One GET over plain HTTP/1.0: 200 or not. (No urllib: its ssl, email and http.client
    imports, and a thread per probe, would cost this resident process ~10 MB.)"""
    parts = urllib.parse.urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        async with asyncio.timeout(1):
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
            try:
                writer.write(f"GET {path} HTTP/1.0\r\nHost: {parts.netloc}\r\n\r\n".encode())
                status_line = await reader.readline()
            finally:
                writer.close()
    except (OSError, TimeoutError, ValueError):
        return False
    return status_line.split(b" ", 2)[1:2] == [b"200"]


def _pair(text: str) -> tuple[str, str]:
    name, value = _line(text)
    if not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _line(text: str) -> tuple[str, str]:
    """``LABEL=TEXT``; an empty label continues the line above."""
    label, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected LABEL=TEXT, got {text!r}")
    return label, value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--run",
        type=_pair,
        action="append",
        default=[],
        required=True,
        metavar="NAME=COMMAND",
        help="a component and its command line",
    )
    parser.add_argument(
        "--ready",
        type=_pair,
        action="append",
        default=[],
        metavar="NAME=URL",
        help="answers 200 when the component is ready",
    )
    parser.add_argument(
        "--show",
        type=_line,
        action="append",
        default=[],
        metavar="LABEL=TEXT",
        help="printed once every component is ready",
    )
    parser.add_argument("--ready-timeout", type=float, default=120.0)
    parser.add_argument("--stop-timeout", type=float, default=15.0)
    parser.add_argument("--backoff", type=float, default=0.5)
    parser.add_argument("--max-backoff", type=float, default=30.0)
    parser.add_argument("--healthy-after", type=float, default=30.0)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(Supervisor(parse_args(argv)).run())


if __name__ == "__main__":
    sys.exit(main())

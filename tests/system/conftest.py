"""Failure drills: the real stack, real processes, real faults (docs/drills.md tells the story)."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from orderflow_testing import Stack

StackFactory = Callable[..., Stack]


@pytest.fixture
def make_stack(tmp_path: Path) -> Iterator[StackFactory]:
    """Start a stack (customer, order, identity, gateway) and stop it after the test; logs on
    failure."""
    started: list[Stack] = []

    def make(**kwargs: object) -> Stack:
        stack = Stack(tmp_path, **kwargs)  # type: ignore[arg-type]
        started.append(stack)
        return stack.start()

    yield make
    for stack in started:
        stack.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if call.when == "call" and report.failed:  # type: ignore[attr-defined]
        for path in sorted(Path(item.funcargs.get("tmp_path", ".")).glob("*.log")):  # type: ignore[attr-defined]
            report.sections.append((f"log {path.name}", path.read_text(errors="replace")[-6000:]))  # type: ignore[attr-defined]
    return report

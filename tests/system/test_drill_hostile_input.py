"""Drill 4: hostile input. Schemathesis generates requests from each component's own OpenAPI
document (valid, invalid and adversarial: wrong types, huge numbers, control characters, NUL
bytes) and sends them, signed in as an admin, to the real processes; every operation that pages
also gets cursors shaped like real ones, forged (schemathesis_hooks.py). No answer may be a
5xx, every answer must match the status codes, content types, headers and schemas the document
promises, and a 405 must name in Allow every method its path serves."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from orderflow_testing import ServiceProcess, Stack

pytestmark = pytest.mark.system
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "allow_header_conformance",  # a 405's Allow names every method of the path
    ]
)
HOOKS = Path(__file__).parent / "schemathesis_hooks.py"


def _fuzz(
    process: ServiceProcess, report_dir: Path, authorization: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{process.url}/openapi.json",
            # Signed in as an admin, so every operation gets past its door.
            "--header",
            f"Authorization: {authorization}",
            "--checks",
            CHECKS,
            "--max-examples",
            "30",
            "--seed",
            "20261126",
            # One worker: CPython 3.11's ast.parse is not safe across threads, and hypothesis
            # calls it to describe strategies ("AST constructor recursion depth mismatch").
            "--workers",
            "1",
            "--no-shrink",
            "--warnings",
            "off",
            "--report-dir",
            str(report_dir),
        ],
        cwd=report_dir,  # its caches stay out of the repository
        env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = Stack(tmp_path_factory.mktemp("hostile")).start()
    yield stack
    stack.stop()


@pytest.mark.parametrize("component", ["gateway", "customer", "order"])
def test_generated_requests_get_documented_answers_and_no_5xx(
    stack: Stack, component: str, tmp_path: Path
) -> None:
    authorization = stack.headers("admin")["Authorization"]
    result = _fuzz(getattr(stack, component), tmp_path, authorization)

    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout
    selected = re.search(r"Selected: (\d+)/(\d+)", result.stdout)
    tested = re.search(r"Tested: (\d+)", result.stdout)
    assert selected is not None, result.stdout[-3000:]
    assert tested is not None, result.stdout[-3000:]
    assert int(tested[1]) == int(selected[2]) > 0, "every documented operation was exercised"

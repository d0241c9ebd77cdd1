"""The GitHub workflow a fork runs: valid against GitHub's schema, and running what we run."""

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"


def check_jsonschema() -> str:
    """The validator installed beside this interpreter (the dev group); it ships the schema."""
    beside = Path(sys.executable).parent / "check-jsonschema"
    found = str(beside) if beside.exists() else shutil.which("check-jsonschema")
    assert found, "check-jsonschema is missing: `make install` installs the dev group"
    return found


def load(path: Path) -> dict[str, Any]:
    # PyYAML reads the bare key `on` as True; the workflow is read as GitHub reads it.
    document: dict[Any, Any] = yaml.safe_load(path.read_text())
    if True in document:
        document["on"] = document.pop(True)
    return document


def test_the_workflow_is_valid_against_githubs_schema() -> None:
    result = subprocess.run(
        [check_jsonschema(), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    result = subprocess.run(
        [check_jsonschema(), "--builtin-schema", "vendor.github-workflows", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "stepz" in result.stdout


def test_the_job_runs_make_test_against_postgres_and_redis() -> None:
    (job,) = load(WORKFLOW)["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    assert {"postgres", "redis"} <= set(job["services"])
    assert job["env"]["ORDERFLOW_TEST_POSTGRES_URL"].startswith("postgresql+asyncpg://")
    assert job["env"]["ORDERFLOW_TEST_REDIS_URL"] == "redis://127.0.0.1:6379/9"
    commands = [step.get("run", "") for step in job["steps"]]
    assert "make test" in commands


def test_the_caches_and_artifacts_name_files_that_exist() -> None:
    (job,) = load(WORKFLOW)["jobs"].values()
    steps = {step.get("uses", "").split("@")[0]: step for step in job["steps"]}
    uv = steps["astral-sh/setup-uv"]["with"]
    assert uv["enable-cache"] is True
    assert (REPO / uv["cache-dependency-glob"]).is_file()
    node = steps["actions/setup-node"]["with"]
    assert node["cache"] == "npm"
    for lock in node["cache-dependency-path"].split():
        assert (REPO / lock).is_file(), f"the npm cache is keyed by {lock}, which is not here"

    upload = steps["actions/upload-artifact"]
    assert upload["if"] == "failure()"
    uploaded = set(upload["with"]["path"].split())
    # Where Playwright writes its traces and screenshots, and where the e2e stack logs.
    config = (REPO / "frontend" / "playwright.config.ts").read_text()
    assert 'outputDir: "test-results"' in config
    assert "frontend/test-results/" in uploaded
    stack = (REPO / "frontend" / "tests" / "e2e" / "stack.ts").read_text()
    assert 'join(FRONTEND_DIR, "artifacts")' in stack
    assert "frontend/artifacts/" in uploaded

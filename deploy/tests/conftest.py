"""Fixtures for the deployment checks: the repository's paths and each overlay, built once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
OVERLAYS = ("local", "production")
KUBECTL = Path(sys.executable).parent / "kubectl"

# The tests share dockerfiles.py; pytest's importlib mode puts no test folder on sys.path.
sys.path.insert(0, str(Path(__file__).parent))

Manifest = dict[str, Any]


def kustomize_build(path: Path) -> list[Manifest]:
    """``kubectl kustomize`` (kustomize built into kubectl), parsed."""
    result = subprocess.run(
        [str(KUBECTL), "kustomize", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"kustomize build of {path} failed:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="session")
def built() -> dict[str, list[Manifest]]:
    """Every overlay's objects, as ``kubectl apply -k`` would send them."""
    return {overlay: kustomize_build(DEPLOY / "k8s" / "overlays" / overlay) for overlay in OVERLAYS}


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def objects(built: dict[str, list[Manifest]], overlay: str) -> list[Manifest]:
    return built[overlay]

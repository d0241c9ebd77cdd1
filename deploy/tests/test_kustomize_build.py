"""Each overlay builds, and each object it makes is valid on the Kubernetes versions we support."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
Manifest = dict[str, Any]

# The oldest Kubernetes we support (preStop sleep, matchLabelKeys) and the newest schemas known.
KUBERNETES_VERSIONS = ("1.31.0", kubernetes_validate.latest_version() + ".0")


def name_of(obj: Manifest) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_is_valid_against_the_strict_schemas(
    objects: list[Manifest], version: str
) -> None:
    failures = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(part) for part in exc.path)
            failures.append(f"{name_of(obj)}: {path}: {exc.message}")
    assert not failures, "\n".join(failures)


def test_the_validator_is_not_vacuous(objects: list[Manifest]) -> None:
    deployment = copy.deepcopy(next(o for o in objects if o["kind"] == "Deployment"))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}

    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


def test_everything_lives_in_the_orderflow_namespace(objects: list[Manifest]) -> None:
    for obj in objects:
        if obj["kind"] == "Namespace":
            assert obj["metadata"]["name"] == "orderflow"
        else:
            assert obj["metadata"].get("namespace") == "orderflow", name_of(obj)


def test_every_object_is_labelled_part_of_orderflow(objects: list[Manifest]) -> None:
    for obj in objects:
        labels = obj["metadata"].get("labels", {})
        assert labels.get("app.kubernetes.io/part-of") == "orderflow", name_of(obj)


def test_the_root_ingress_file_is_the_one_the_base_builds() -> None:
    root = REPO / "ingress-orderflow.yaml"
    base = REPO / "deploy" / "k8s" / "base" / "ingress.yaml"

    assert root.is_symlink()
    assert root.resolve() == base.resolve()
    assert yaml.safe_load(Path(root).read_text())["kind"] == "Ingress"

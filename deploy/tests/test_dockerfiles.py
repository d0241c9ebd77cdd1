"""The images: lint-clean, pinned, non-root, health-checked, built from the lock, no secrets."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from dockerfiles import ignored, stages

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "deploy" / "docker"
HADOLINT = Path(sys.executable).parent / "hadolint"


@dataclass(frozen=True)
class PythonImage:
    dockerfile: str
    directory: str  # under services/
    package: str
    script: str
    env_prefix: str
    port: int


PYTHON_IMAGES = (
    PythonImage(
        "customer", "customer", "orderflow-customer", "orderflow-customer", "CUSTOMER", 8001
    ),
    PythonImage("order", "order", "orderflow-order", "orderflow-order", "ORDER", 8002),
    PythonImage(
        "identity", "identity", "orderflow-identity", "orderflow-identity", "IDENTITY", 8003
    ),
    PythonImage(
        "api-gateway", "api-gateway", "orderflow-gateway", "orderflow-gateway", "GATEWAY", 8000
    ),
)
DOCKERFILES = sorted(DOCKER.glob("*.Dockerfile"))
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE", re.IGNORECASE)


def test_there_is_an_image_per_component() -> None:
    names = {p.name.removesuffix(".Dockerfile") for p in DOCKERFILES}
    assert names == {"customer", "order", "identity", "api-gateway", "frontend"}


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.name)
def test_hadolint_finds_nothing(path: Path) -> None:
    result = subprocess.run(
        [str(HADOLINT), "--no-color", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.name)
def test_every_base_image_is_pinned_to_a_version(path: Path) -> None:
    for stage in stages(path):
        repository, _, tag = stage.image.rpartition(":")
        assert repository, f"{stage.image}: no tag"
        assert "/" not in tag, f"{stage.image}: no tag"
        assert tag != "latest", stage.image
        assert re.search(r"\d", tag), f"{stage.image}: not a version"


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.name)
def test_the_image_runs_as_a_non_root_user_with_a_healthcheck(path: Path) -> None:
    *builders, final = stages(path)
    assert builders, "multi-stage: build tools stay out of the final image"
    (user,) = final.values("USER")
    uid = user.split(":")[0]
    assert uid.isdigit(), f"USER {user}: numeric, so runAsNonRoot can check it"
    assert int(uid) != 0, f"USER {user}"
    assert final.values("HEALTHCHECK"), "no HEALTHCHECK"
    assert final.values("EXPOSE")


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.name)
def test_no_secret_is_baked_in(path: Path) -> None:
    for stage in stages(path):
        names = list(stage.env) + [v.split("=")[0] for v in stage.values("ARG")]
        assert not [n for n in names if SECRET_NAME.search(n)], names
        for value in stage.values("COPY") + stage.values("ADD"):
            assert ".env" not in shlex.split(value)[0], value


@pytest.mark.parametrize("image", PYTHON_IMAGES, ids=lambda i: i.dockerfile)
def test_python_images_install_from_the_lock_without_dev_tools(image: PythonImage) -> None:
    build = stages(DOCKER / f"{image.dockerfile}.Dockerfile")[-2]
    syncs = [v for v in build.values("RUN") if "uv sync" in v]
    assert len(syncs) == 2, "dependencies first, then the workspace members"
    for command in syncs:
        args = shlex.split(command)
        assert {"--frozen", "--no-dev"} <= set(args), command
        assert args[args.index("--package") + 1] == image.package, command
    assert "--no-editable" in syncs[-1], "the final venv must not point back at the sources"


@pytest.mark.parametrize("image", PYTHON_IMAGES, ids=lambda i: i.dockerfile)
def test_python_images_serve_on_their_port_read_only(image: PythonImage) -> None:
    final = stages(DOCKER / f"{image.dockerfile}.Dockerfile")[-1]
    env = final.env
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env[f"{image.env_prefix}_HOST"] == "0.0.0.0"
    assert env[f"{image.env_prefix}_PORT"] == str(image.port)
    assert final.values("EXPOSE") == [str(image.port)]
    assert json.loads(final.values("ENTRYPOINT")[0]) == [image.script]
    assert image.env_prefix + "_PORT" in final.values("HEALTHCHECK")[0]


@pytest.mark.parametrize("image", PYTHON_IMAGES, ids=lambda i: i.dockerfile)
def test_the_entrypoint_is_the_packages_console_script(image: PythonImage) -> None:
    pyproject = REPO / "services" / image.directory / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text())["project"]
    assert project["name"] == image.package
    assert image.script in project["scripts"]


def normalised(image: PythonImage) -> list[tuple[str, str]]:
    """The image's instructions with its own names replaced by placeholders."""
    text_of = [
        (i, v)
        for stage in stages(DOCKER / f"{image.dockerfile}.Dockerfile")
        for i, v in [("FROM", stage.image), *stage.instructions]
    ]
    replacements = [
        (f"services/{image.directory}", "services/SVC"),
        (image.package, "PACKAGE"),
        (image.script, "SCRIPT"),
        (image.env_prefix, "PREFIX"),
        (str(image.port), "PORT"),
    ]
    result = []
    for instruction, value in text_of:
        for old, new in replacements:
            value = value.replace(old, new)
        result.append((instruction, value))
    return result


def test_the_python_images_differ_only_in_their_names() -> None:
    first, *others = PYTHON_IMAGES
    for other in others:
        assert normalised(other) == normalised(first), other.dockerfile


def test_the_frontend_image_serves_the_build_with_unprivileged_nginx() -> None:
    build, final = stages(DOCKER / "frontend.Dockerfile")
    assert build.image.startswith("node:")
    commands = [
        [a for a in shlex.split(v) if not a.startswith("--mount")] for v in build.values("RUN")
    ]
    assert ["npm", "ci"] in [c[:2] for c in commands], "npm ci: exactly the lock"
    assert final.image.startswith("nginxinc/nginx-unprivileged:")
    assert "GATEWAY_UPSTREAM" in final.env
    assert any("dist /usr/share/nginx/html" in v for v in final.values("COPY"))


def test_nginx_sends_api_to_the_gateway_and_answers_health_itself() -> None:
    conf = (DOCKER / "frontend" / "default.conf.template").read_text()
    (port,) = stages(DOCKER / "frontend.Dockerfile")[-1].values("EXPOSE")
    assert re.search(rf"listen\s+{port};", conf)
    for location in ("= /api", "^~ /api/"):
        block = re.search(rf"location {re.escape(location)} \{{(.*?)\n    \}}", conf, re.S)
        assert block, location
        assert "proxy_pass http://${GATEWAY_UPSTREAM};" in block.group(1), location
    for probe in ("/healthz", "/readyz"):
        assert re.search(rf"location = {probe} \{{[^}}]*return 200", conf), probe
    assert "try_files $uri $uri/ /index.html;" in conf, "client-side routes fall back to the app"


def test_nginx_sends_the_security_headers_of_the_ui_server() -> None:
    from ui_server.app import SECURITY_HEADERS

    conf = (DOCKER / "frontend" / "default.conf.template").read_text()
    server_level = conf.split("location", 1)[0]
    for name, value in SECURITY_HEADERS.items():
        value = value if " " not in value else f'"{value}"'
        assert re.search(rf"add_header {name} {re.escape(value)} always;", server_level), name


def copied_sources(path: Path) -> list[str]:
    sources = []
    for stage in stages(path):
        for value in stage.values("COPY"):
            args = [a for a in shlex.split(value) if not a.startswith("--")]
            if any(a.startswith("--from") for a in shlex.split(value)):
                continue
            sources.extend(args[:-1])
    return sources


@pytest.mark.parametrize("path", DOCKERFILES, ids=lambda p: p.name)
def test_what_the_image_copies_exists_and_is_not_ignored(path: Path) -> None:
    for source in copied_sources(path):
        if (
            source.startswith("services/")
            and not (REPO / source.split("/")[0] / source.split("/")[1]).exists()
        ):
            continue  # a service still being built on another branch
        if source.startswith("frontend/") and not (REPO / "frontend").exists():
            continue
        assert (REPO / source.rstrip("/")).exists(), source
        assert not ignored(source.rstrip("/")), source


@pytest.mark.parametrize(
    "path",
    [".venv/bin/python", ".env", "var/customer.db", "frontend/node_modules/x", "a/tests/t.py"],
)
def test_the_build_context_leaves_out_local_state_and_secrets(path: str) -> None:
    assert ignored(path)


def test_compose_and_kubernetes_use_the_same_image_tags() -> None:
    compose = yaml.safe_load((REPO / "deploy" / "compose.yaml").read_text())
    kustomization = yaml.safe_load(
        (REPO / "deploy" / "k8s" / "base" / "kustomization.yaml").read_text()
    )
    k8s = {i["name"]: i["newTag"] for i in kustomization["images"]}
    for name, service in compose["services"].items():
        if "build" in service:
            image, _, tag = service["image"].rpartition(":")
            assert k8s[image] == tag, name


@pytest.mark.parametrize(
    "path",
    [
        "uv.lock",
        "services/customer/src/customer_service/migrations/env.py",
        "frontend/src/main.tsx",
    ],
)
def test_the_build_context_keeps_what_images_need(path: str) -> None:
    assert not ignored(path)

"""The Python images' build and entrypoints, run here as plain processes (no Docker engine here).

Each image's build stage is replayed (its COPYs and ``uv sync``s), then its ENTRYPOINT runs
with its ENV, in an empty working directory, on a fresh PostgreSQL database: once as Kubernetes
runs it (an init container's ``migrate``, then the server with start-up migration off) and once
as compose runs it (the server migrates, then serves). Its HEALTHCHECK must pass, and nothing
may be written outside the database: the image runs with a read-only root filesystem.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from dockerfiles import REPO, replay_build, stages
from identity_service.keys import generate_private_key, private_pem
from orderflow_testing import TestIssuer, auth_env, free_port, wait_ready
from orderflow_testing.postgres import PostgresServer

pytestmark = [pytest.mark.system, pytest.mark.postgres]

DOCKER = REPO / "deploy" / "docker"


@dataclass(frozen=True)
class Image:
    name: str
    directory: str
    prefix: str
    # A request that needs the migrated schema, and its status when all is well.
    method: str
    path: str
    body: dict[str, object] | None
    status: int
    form: dict[str, str] | None = None
    settings: dict[str, str] = field(default_factory=dict)


IMAGES = [
    Image(
        "customer",
        "customer",
        "CUSTOMER",
        "POST",
        "/customers",
        {"name": "A", "email": "a@b.io"},
        201,
    ),
    # An order needs its customer service; listing needs only the order service's own schema.
    Image("order", "order", "ORDER", "GET", "/orders", None, 200),
    # A sign-in looks the user up: the schema must be there for the 400 (not a 500).
    Image(
        "identity",
        "identity",
        "IDENTITY",
        "POST",
        "/token",
        None,
        400,
        form={"grant_type": "password", "username": "a@b.io", "password": "x"},
        settings={"signing_keys": json.dumps({"k1": private_pem(generate_private_key())})},
    ),
]


@dataclass
class Built:
    image: Image
    venv: Path
    env: dict[str, str]
    entrypoint: list[str]
    healthcheck: list[str]
    issuer: TestIssuer
    """Whose tokens the services accept, and the request carries."""


@pytest.fixture(scope="module", params=IMAGES, ids=lambda i: i.name)
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, issuer: TestIssuer
) -> Built:
    image: Image = request.param
    dockerfile = DOCKER / f"{image.name}.Dockerfile"
    root = tmp_path_factory.mktemp(f"image-{image.name}")
    venv = root / "venv"
    replay_build(dockerfile, root / "src", venv)

    final = stages(dockerfile)[-1]
    env = {
        **final.env,
        "PATH": f"{venv}/bin:{os.environ['PATH']}",
        "HOME": str(root),
    }
    (healthcheck,) = final.values("HEALTHCHECK")
    return Built(
        image=image,
        venv=venv,
        env=env,
        entrypoint=[str(venv / "bin" / json.loads(final.values("ENTRYPOINT")[0])[0])],
        healthcheck=json.loads(healthcheck.split("CMD", 1)[1]),
        issuer=issuer,
    )


def files_under(path: Path) -> set[Path]:
    return {p for p in path.rglob("*")}


class Container:
    """The image's entrypoint as a process: its ENV only, in an empty working directory."""

    def __init__(self, built: Built, workdir: Path, database_url: str, **settings: str) -> None:
        self.port = free_port()
        prefix = built.image.prefix
        self.env = {
            **built.env,
            f"{prefix}_HOST": "127.0.0.1",
            f"{prefix}_PORT": str(self.port),
            f"{prefix}_DATABASE_URL": database_url,
            **auth_env(prefix, built.issuer),
            **{f"{prefix}_{k.upper()}": v for k, v in {**built.image.settings, **settings}.items()},
        }
        self.built = built
        self.workdir = workdir
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.built.entrypoint, *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def start(self) -> None:
        log = (self.workdir.parent / f"{self.built.image.name}-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            self.built.entrypoint, cwd=self.workdir, env=self.env, stdout=log, stderr=log
        )
        wait_ready(self.url, self.process, timeout=60)

    def request(self) -> httpx.Response:
        image = self.built.image
        return httpx.request(
            image.method,
            f"{self.url}{image.path}",
            json=image.body,
            data=image.form,
            headers=self.built.issuer.headers("admin"),
            timeout=10,
        )

    def healthcheck(self) -> int:
        return subprocess.run(
            self.built.healthcheck, cwd=self.workdir, env=self.env, timeout=10, check=False
        ).returncode

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    path = tmp_path / "app"
    path.mkdir()
    return path


@pytest.fixture
def container_factory(
    built: Built, workdir: Path, postgres_server: PostgresServer
) -> Iterator[list[Container]]:
    started: list[Container] = []
    yield started
    for container in started:
        container.stop()


def test_kubernetes_way_init_container_migrates_then_the_server_serves(
    built: Built, workdir: Path, postgres_server: PostgresServer, container_factory: list[Container]
) -> None:
    database = postgres_server.create_database("orderflow_image")
    before = files_under(built.venv)

    init = Container(built, workdir, database)
    migrated = init.run("migrate")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr

    server = Container(built, workdir, database, migrate_on_startup="false")
    container_factory.append(server)
    server.start()
    assert server.request().status_code == built.image.status
    assert server.healthcheck() == 0
    server.stop()

    assert files_under(workdir) == set(), "wrote into its working directory"
    assert files_under(built.venv) == before, "wrote into its installation"


def test_compose_way_the_server_migrates_on_start_and_serves(
    built: Built, workdir: Path, postgres_server: PostgresServer, container_factory: list[Container]
) -> None:
    server = Container(built, workdir, postgres_server.create_database("orderflow_image"))
    container_factory.append(server)
    server.start()

    assert server.request().status_code == built.image.status
    assert server.healthcheck() == 0


def test_the_healthcheck_fails_when_nothing_serves(built: Built, workdir: Path) -> None:
    idle = Container(built, workdir, "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert idle.healthcheck() != 0

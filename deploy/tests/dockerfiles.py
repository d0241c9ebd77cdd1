"""Reading the images' build files: Dockerfile stages and .dockerignore, as Docker reads them."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from dockerfile_parse import DockerfileParser

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def values(self, instruction: str) -> list[str]:
        return [v for i, v in self.instructions if i == instruction]

    @property
    def env(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for value in self.values("ENV"):
            for pair in shlex.split(value):
                key, _, val = pair.partition("=")
                found[key] = val
        return found


def stages(path: Path) -> list[Stage]:
    parsed: list[Stage] = []
    for item in DockerfileParser(path=str(path)).structure:
        instruction, value = item["instruction"], item["value"]
        if instruction == "FROM":
            image, _, name = value.partition(" AS ")
            parsed.append(Stage(image.strip(), name.strip() or None))
        elif instruction != "COMMENT":
            parsed[-1].instructions.append((instruction, value))
    return parsed


def dockerignore_patterns() -> list[str]:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern as Docker reads it: ``**`` any directories, ``*`` within one."""
    parts = re.split(r"(\*\*/|\*\*|\*|\?)", pattern.strip("/"))
    table = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(table.get(part, re.escape(part)) for part in parts) + "$")


def ignored(path: str) -> bool:
    """Ignored itself or through a directory it is in, as Docker does."""
    segments = path.split("/")
    ancestors = ["/".join(segments[: i + 1]) for i in range(len(segments))]
    return any(pattern_regex(p).match(a) for p in dockerignore_patterns() for a in ancestors)


def replay_build(dockerfile: Path, staging: Path, venv: Path) -> None:
    """Replay a Python image's build stage here, without Docker: its COPYs from the repository
    (minus what .dockerignore leaves out) into ``staging``, then its RUNs (the ``uv sync``s),
    with the stage's ENV and the virtual environment at ``venv`` instead of /app/.venv."""
    import os
    import shutil
    import subprocess

    build = stages(dockerfile)[-2]
    env = {**os.environ, **build.env, "UV_PROJECT_ENVIRONMENT": str(venv)}
    env.pop("VIRTUAL_ENV", None)
    for instruction, value in build.instructions:
        args = [a for a in shlex.split(value) if not a.startswith("--mount")]
        if instruction == "COPY" and not any(a.startswith("--from") for a in args):
            *sources, destination = args
            for source in sources:
                target = staging / destination
                if destination.endswith("/") or len(sources) > 1:
                    target = target / Path(source).name
                target.parent.mkdir(parents=True, exist_ok=True)
                origin = REPO / source
                if origin.is_dir():
                    shutil.copytree(
                        origin,
                        target,
                        dirs_exist_ok=True,
                        ignore=lambda d, names: [
                            n for n in names if ignored(str((Path(d) / n).relative_to(REPO)))
                        ],
                    )
                else:
                    shutil.copy2(origin, target)
        elif instruction == "RUN":
            subprocess.run(args, cwd=staging, env=env, check=True, timeout=600)

"""The repository stands alone: no tracked file points at documents or trackers outside it."""

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# What a reader of this repository cannot follow: files that are not in it, and ticket numbers
# of a tracker that is not linked from it. Order ids in the UI (#1a2b3c4d) are 8 characters long.
OUTSIDE = {
    "a document outside the repository": re.compile(r"\b(PRODUCT|STYLE)\.md\b|\.\./shared\b"),
    "an issue number": re.compile(
        r"\b[Ii]ssues? #?\d+\b|(?<![\w&/#])#\d{1,4}\b(?![\w-])|\bGH-\d+\b"
    ),
}
# Locks are generated. This file is scanned too: its examples below are put together from
# pieces, so that it holds no citation itself.
SKIPPED = {"uv.lock", "package-lock.json"}


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, timeout=30
    ).stdout.decode()
    return [
        REPO / name
        for name in listed.split("\0")
        if name and Path(name).name not in SKIPPED and name not in SKIPPED
    ]


def findings(path: Path, text: str) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for what, pattern in OUTSIDE.items():
            if match := pattern.search(line):
                found.append(f"{path}:{number}: {what} ({match.group(0)!r})")
    return found


# A path in backticks, from the repository's root: `bench/overhead.py`, `docs/api.md`.
NAMED_PATH = re.compile(
    r"`(?:\./)?((?:bench|docs|libs|services|deploy|scripts|frontend|tests|mk)/[\w./-]+)`"
)
# Made by a build or by the reader, or the example of docs/adding-a-service.md.
NOT_TRACKED = re.compile(r"^frontend/dist\b|^deploy/\.env$|payment")


TEXT_SUFFIXES = {".md", ".py", ".ts", ".tsx", ".yml", ".yaml", ".mk"}


def test_every_path_named_in_backticks_exists() -> None:
    missing = []
    for path in tracked_files():
        # ADRs are records of their day: a superseded one may name what has since gone.
        relative = path.relative_to(REPO).as_posix()
        if path.suffix not in TEXT_SUFFIXES or relative.startswith("docs/adr/"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for named in NAMED_PATH.findall(line):
                if NOT_TRACKED.search(named):
                    continue
                if not ((REPO / named).exists() or (path.parent / named).exists()):
                    missing.append(f"{relative}:{number}: {named}")
    assert not missing, "\n".join(missing)


def test_no_tracked_file_cites_what_is_not_in_the_repository() -> None:
    found = []
    for path in tracked_files():
        if not path.is_file():
            continue  # deleted in the worktree, not yet committed
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images and other binaries
        found += findings(path.relative_to(REPO), text)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "line",
    [
        "see " + "PRODUCT" + ".md for the contract",
        "as .." + "/shared/" + "STYLE" + ".md says",
        "fixed in " + "issue" + " 12",
        "Issue #" + "7 asked for it",
        "(#" + "12) the breaker",
        "closes GH" + "-40",
    ],
)
def test_the_scan_names_file_and_line(line: str) -> None:
    (finding,) = findings(Path("docs/x.md"), f"first\n{line}\nlast\n")
    assert finding.startswith("docs/x.md:2: ")


@pytest.mark.parametrize(
    "line",
    ["order #1a2b3c4d", "order #22222222", "PKCS#8 PEM", "color: #fff", "&#39;", "issues show"],
)
def test_what_is_not_a_citation_passes(line: str) -> None:
    assert findings(Path("x"), line) == []

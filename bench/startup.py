"""Part 4, the stack: from starting the processes to all of them ready, and what they hold in
memory when idle and after the load.

Start-up is mostly Python importing FastAPI, SQLAlchemy, pydantic and OpenTelemetry, so it
depends on whether compiled bytecode is at hand. It is timed both ways, in turns:

- ``as_installed``: whatever ``.pyc`` files are in ``__pycache__`` are used (written by Python
  on an earlier start, or precompiled by the install), with the environment as it is;
- ``no_bytecode``: Python is pointed at an empty cache (``PYTHONPYCACHEPREFIX``) and may not
  write (``PYTHONDONTWRITEBYTECODE=1``), so every start compiles every module from source, as on
  a machine whose environment forbids writing bytecode and whose install did not precompile.
"""

from __future__ import annotations

import shutil
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

from . import stack
from .config import Profile
from .lab import Lab
from .procs import rss_mb
from .stats import summary


def precompiled_share() -> float:
    """The share of installed modules with compiled bytecode beside them (1.0 after
    ``uv sync --compile-bytecode``; Python writes the rest on first import unless forbidden)."""
    site = Path(sysconfig.get_paths()["purelib"])
    sources = sum(1 for _ in site.rglob("*.py"))
    compiled = sum(1 for _ in site.rglob("__pycache__/*.pyc"))
    return round(min(1.0, compiled / sources), 2) if sources else 0.0


def measure_startup(lab: Lab, profile: Profile) -> dict[str, Any]:
    """Start the main processes ``startup_runs`` times each way (databases already migrated and
    loaded, as after a first `make run`); they are left running, as installed."""
    empty_cache = tempfile.mkdtemp(prefix="orderflow-no-pyc-")
    no_bytecode = {"PYTHONPYCACHEPREFIX": empty_cache, "PYTHONDONTWRITEBYTECODE": "1"}
    ways: dict[str, dict[str, str]] = {"as_installed": {}}
    if profile.startup_without_bytecode:
        ways = {"no_bytecode": no_bytecode, **ways}
    runs: dict[str, list[dict[str, float]]] = {way: [] for way in ways}
    shipped = {process.name: dict(process.env) for process in lab.main}
    for run in range(profile.startup_runs):
        for n, (way, env) in enumerate(ways.items()):
            if run or n:
                stack.stop_all(lab.main)
            for process in lab.main:
                process.env = {**shipped[process.name], **env}
            runs[way].append(stack.start_all(lab.main))
            print(f"  start-up {way:<12} run {run + 1}: {runs[way][-1]['all']:.2f}s", flush=True)
    shutil.rmtree(empty_cache, ignore_errors=True)
    return {
        "processes": [p.name for p in lab.main],
        "precompiled_share": precompiled_share(),
        "seconds_to_ready": {
            way: {name: summary(r[name] for r in samples) for name in samples[0]}
            for way, samples in runs.items()
        },
    }


def memory(lab: Lab, *, settle: float = 1.0) -> dict[str, float]:
    """Resident memory of each main process (the frontend's npm and node together), in MB."""
    time.sleep(settle)
    rss = {p.name: round(rss_mb(stack.pid(p)), 1) for p in lab.main}
    return {**rss, "total": round(sum(rss.values()), 1)}

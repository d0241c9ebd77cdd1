"""Part 4, the stack: from starting the processes to all of them ready, and what they hold in
memory when idle and after the load."""

from __future__ import annotations

import time
from typing import Any

from . import stack
from .config import Profile
from .lab import Lab
from .procs import rss_mb
from .stats import summary


def measure_startup(lab: Lab, profile: Profile) -> dict[str, Any]:
    """Start the main processes ``startup_runs`` times (databases already migrated and loaded,
    as after a first `make run`); they are left running."""
    runs: list[dict[str, float]] = []
    for run in range(profile.startup_runs):
        if run:
            stack.stop_all(lab.main)
        runs.append(stack.start_all(lab.main))
        print(f"  start-up run {run + 1}: all ready in {runs[-1]['all']:.2f}s", flush=True)
    return {
        "processes": [p.name for p in lab.main],
        "seconds_to_ready": {name: summary(r[name] for r in runs) for name in runs[0]},
    }


def memory(lab: Lab, *, settle: float = 1.0) -> dict[str, float]:
    """Resident memory of each main process (the frontend's npm and node together), in MB."""
    time.sleep(settle)
    rss = {p.name: round(rss_mb(stack.pid(p)), 1) for p in lab.main}
    return {**rss, "total": round(sum(rss.values()), 1)}

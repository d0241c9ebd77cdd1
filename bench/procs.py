"""What a process costs, read from /proc: CPU time and resident memory, children included."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def _stat_fields(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    # The command name is in parentheses and may hold spaces: split after its closing one.
    return raw[raw.rindex(")") + 2 :].split()


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (nginx workers, the node under npm, ...)."""
    by_parent: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int(_stat_fields(int(entry.name))[1])
        except (OSError, ValueError, IndexError):
            continue
        by_parent.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        kids = by_parent.get(pending.pop(), [])
        found.extend(kids)
        pending.extend(kids)
    return found


def tree(pid: int) -> list[int]:
    return [pid, *children(pid)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its descendants, in seconds."""
    total = 0
    for member in tree(pid):
        try:
            fields = _stat_fields(member)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` and its descendants, in MB (10^6 bytes)."""
    total_pages = 0
    for member in tree(pid):
        try:
            total_pages += int(Path(f"/proc/{member}/statm").read_text().split()[1])
        except OSError:
            continue
    return total_pages * PAGE_BYTES / 1e6


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (all cores, idle and iowait excluded)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def children_cpu_seconds() -> float:
    """CPU time of this process's finished children (the wrk runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuMeter:
    """CPU seconds each named process spends between :meth:`start` and :meth:`stop`, and what
    the rest of the machine spent meanwhile (``other``: neither them nor our load generator),
    to tell a quiet run from one that shared the cores with something else."""

    pids: dict[str, int]

    def start(self) -> None:
        self._before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._busy = machine_busy_seconds()
        self._wrk = children_cpu_seconds()

    def stop(self) -> dict[str, float]:
        used = {name: cpu_seconds(pid) - self._before[name] for name, pid in self.pids.items()}
        wrk = children_cpu_seconds() - self._wrk
        other = machine_busy_seconds() - self._busy - sum(used.values()) - wrk
        return {**used, "wrk": wrk, "other": max(0.0, other)}

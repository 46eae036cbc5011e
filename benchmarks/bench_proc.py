"""The child process a benchmark runs: its CPU seconds and memory, with its whole process
tree (render workers, a Spark JVM), and the machine's load average."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def tree(pid: int) -> list[int]:
    """PID and its live descendants (a Spark run's JVM is a child of `cohort run`)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def tree_cpu(pid: int) -> float | None:
    """CPU seconds of PID and its live descendants, with the children they reaped."""
    total = None
    for member in tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total = (total or 0) + sum(int(f) for f in fields[11:15]) / TICK  # u, s, cu, cs time
    return total


def tree_rss_mib(pid: int) -> float:
    """Resident MiB of PID and its descendants now (the JVM's memory is not in PID's VmHWM)."""
    total = 0.0
    for member in tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return total


def peak_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def reset_hwm(pid: int) -> None:
    with contextlib.suppress(OSError):  # not permitted: the stage peak is the peak so far
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def stop(proc: subprocess.Popen) -> None:
    """--engine-timeout: stop the run and everything it started (a JVM)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)


def wait(proc: subprocess.Popen) -> tuple[int, float, float]:
    """Exit code, CPU seconds and peak RSS (MiB) of PROC."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024

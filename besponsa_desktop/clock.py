"""Time since this process was launched, for ``--smoke`` and the start-up benchmark.

Standard library only, so that the benchmark's empty window can use the same clock without
loading anything of the program."""

from __future__ import annotations

import os
import time

_IMPORTED = time.perf_counter()


def seconds_since_launch() -> float:
    """Wall time since this process started (Linux: from /proc), else since import."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        return max(uptime - started, time.perf_counter() - _IMPORTED)
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _IMPORTED

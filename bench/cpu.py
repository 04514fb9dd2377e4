"""Where the machine's CPU went during a phase: per process tree, and the machine as a whole.

A :class:`CpuSampler` thread reads ``/proc`` every ``interval`` seconds; afterwards
:meth:`CpuSampler.busy` turns the samples nearest a ``time.monotonic()`` window into
percent of one core. A tree counts its live processes and, through ``cutime``, the
children they already reaped, so backends that come and go are not lost.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["CpuSampler", "machine_ticks"]

TICK = os.sysconf("SC_CLK_TCK")


def _proc_stats() -> dict[int, tuple[int, float]]:
    """pid → (parent pid, CPU seconds of the process and its reaped children)."""
    stats: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue  # it exited while we looked
        utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
        stats[int(entry)] = (int(fields[1]), (utime + stime + cutime + cstime) / TICK)
    return stats


def _tree_seconds(root: int, stats: Mapping[int, tuple[int, float]]) -> float:
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    total, todo, seen = 0.0, [root], set[int]()
    while todo and len(seen) < len(stats):
        pid = todo.pop()
        if pid in seen or pid not in stats:
            continue
        seen.add(pid)
        total += stats[pid][1]
        todo.extend(children.get(pid, ()))
    return total


def machine_ticks() -> tuple[float, float, float]:
    """Seconds since boot the CPUs spent (busy, idle, stolen by the hypervisor), all cores."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    busy = user + nice + system + irq + softirq
    return busy / TICK, (idle + iowait) / TICK, steal / TICK


@dataclass(frozen=True)
class _Sample:
    at: float
    trees: dict[str, float]
    machine: tuple[float, float, float]


class CpuSampler:
    """Samples the CPU time of named process trees until :meth:`stop`."""

    def __init__(self, roots: Mapping[str, int], interval: float = 0.25) -> None:
        self.roots = dict(roots)
        self.interval = interval
        self._samples: list[_Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        # At most a day of samples, so a forgotten sampler cannot grow without bound.
        for _ in range(int(86_400 / self.interval)):
            stats = _proc_stats()
            trees = {name: _tree_seconds(pid, stats) for name, pid in self.roots.items()}
            self._samples.append(_Sample(time.monotonic(), trees, machine_ticks()))
            if self._stop.wait(self.interval):
                return

    def busy(self, start: float, end: float) -> dict[str, float]:
        """Percent of one core each tree used in [start, end]; also the machine's total and steal."""
        samples = list(self._samples)
        inside = [s for s in samples if start <= s.at <= end]
        if len(inside) < 2:
            return {}
        first, last = inside[0], inside[-1]
        wall = last.at - first.at
        busy = {name: 100 * (last.trees[name] - first.trees[name]) / wall for name in self.roots}
        busy["machine"] = 100 * (last.machine[0] - first.machine[0]) / wall
        busy["steal"] = 100 * (last.machine[2] - first.machine[2]) / wall
        return busy

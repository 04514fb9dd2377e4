"""The benchmark's table and JSON: figures next to DESIGN.md's targets and the raw baseline."""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import time
from pathlib import Path
from typing import Any

from bench.cpu import machine_ticks
from bench.latency import PhaseResult
from bench.sql_baseline import MODES

__all__ = [
    "TARGETS",
    "machine_context",
    "render",
    "render_rows",
    "table_rows",
    "targets_met",
    "write_json",
]

# DESIGN.md, "Performance targets": POST /v1/offers with outbox write, one worker, PostgreSQL.
TARGETS = {"throughput_req_s": 1000.0, "p99_ms": 25.0, "at_rate": 700.0}
COLUMNS = ("measure", "value", "target", "baseline", "ratio")


def machine_context() -> dict[str, Any]:
    """The machine, and how busy it already was during one second before anything started."""
    busy_before, idle_before, steal_before = machine_ticks()
    time.sleep(1.0)
    busy, idle, steal = machine_ticks()
    wall = (busy - busy_before) + (idle - idle_before) + (steal - steal_before)
    cores = os.cpu_count() or 1
    return {
        "cores": cores,
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
        "busy_before_start": round(100 * cores * (busy - busy_before) / wall, 1) if wall else None,
    }


def _cpu_model() -> str:
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def targets_met(phases: dict[str, PhaseResult], rate: float) -> dict[str, bool | None]:
    """None for the latency target when the open loop ran below the target's rate."""
    p99_met = phases["open"].p99_ms <= TARGETS["p99_ms"] if rate >= TARGETS["at_rate"] else None
    return {
        "throughput": phases["closed"].rate >= TARGETS["throughput_req_s"],
        "p99_at_rate": p99_met,
    }


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f} ms"


def _ratio(value: float, baseline: float) -> str:
    return "-" if not baseline or math.isnan(baseline) else f"{value / baseline:.2f}"


def _verdict(met: bool | None) -> str:
    return "" if met is None else " met" if met else " MISSED"


def table_rows(phases: dict[str, PhaseResult], rate: float) -> list[dict[str, str]]:
    """One dict per printed line; ratio = catalog ÷ the offer+outbox baseline."""
    closed, opened, base = phases["closed"], phases["open"], phases["baseline offer+outbox"]
    met = targets_met(phases, rate)
    at = f"@{rate:.0f} req/s"
    p99_target = (
        f"≤{TARGETS['p99_ms']:.0f} ms{_verdict(met['p99_at_rate'])}"
        if met["p99_at_rate"] is not None
        else f"(at {TARGETS['at_rate']:.0f})"
    )
    rows = [
        (
            "POST /v1/offers max throughput",
            f"{closed.rate:.0f} req/s",
            f"≥{TARGETS['throughput_req_s']:.0f}{_verdict(met['throughput'])}",
            f"{base.rate:.0f} tx/s",
            _ratio(closed.rate, base.rate),
        ),
        ("POST /v1/offers p50, closed loop", _ms(closed.p50_ms), "", _ms(base.p50_ms), ""),
        ("POST /v1/offers p99, closed loop", _ms(closed.p99_ms), "", _ms(base.p99_ms), ""),
        ("POST /v1/offers errors, closed loop", str(closed.errors), "0", str(base.errors), ""),
        (f"POST /v1/offers achieved {at}", f"{opened.rate:.0f} req/s", f"{rate:.0f}", "", ""),
        (f"POST /v1/offers p50 {at}", _ms(opened.p50_ms), "", "", ""),
        (f"POST /v1/offers p99 {at}", _ms(opened.p99_ms), p99_target, "", ""),
        (f"POST /v1/offers max {at}", _ms(opened.max_ms), "", "", ""),
        (f"POST /v1/offers errors+unsent {at}", f"{opened.errors}+{opened.unsent}", "0", "", ""),
    ]
    for mode in MODES:
        result = phases[f"baseline {mode}"]
        latency = f"{result.p50_ms:.1f}/{result.p99_ms:.1f} ms"
        rows.append((f"bare SQL {mode}", f"{result.rate:.0f} tx/s", "", "", ""))
        rows.append((f"bare SQL {mode} p50/p99", latency, "", "", ""))
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def render(report: dict[str, Any]) -> str:
    """The table, then what it was measured on and where the CPU went."""
    rows: list[dict[str, str]] = report["table"]
    widths = {key: max(len(key), *(len(row[key]) for row in rows)) for key in COLUMNS}
    lines = [
        "  ".join(str(row[key]).ljust(widths[key]) for key in COLUMNS).rstrip()
        for row in [dict(zip(COLUMNS, COLUMNS, strict=True)), *rows]
    ]
    pg, machine = report["postgres"], report["machine"]
    lines += [
        "",
        f"baseline: bare SQL offer+outbox through asyncpg, pool of"
        f" {report['settings']['connections']}; ratio = catalog ÷ baseline",
        f"PostgreSQL {pg['server_version']}: fsync={pg['fsync']}"
        f" synchronous_commit={pg['synchronous_commit']} wal_sync_method={pg['wal_sync_method']}"
        f" shared_buffers={pg['shared_buffers']}",
        f"machine: {machine['cores']} cores ({machine['cpu']}); load average"
        f" {' '.join(f'{v:.2f}' for v in machine['load_average'])} before,"
        f" {' '.join(f'{v:.2f}' for v in machine['load_average_after'])} after;"
        f" {machine['busy_before_start']}% of one core busy before start",
    ]
    if (machine["busy_before_start"] or 0) > 25:
        lines.append(
            "WARNING: the machine was busy before the benchmark started; the figures are"
            " pessimistic (see other= below)"
        )
    lines.append(
        "CPU in % of one core during each measured window (other = kernel threads, this"
        " process and anything else running on the machine):"
    )
    for name, phase in report["phases"].items():
        shares = " ".join(f"{k}={v:.0f}" for k, v in phase["cpu_percent_of_one_core"].items())
        line = f"  {name:<30} {shares}"
        if "outbox_backlog_at_end" in phase:
            drained = phase["outbox_drain_s"]
            line += f"; outbox rows left {phase['outbox_backlog_at_end']}, drained in" + (
                " (not within 120 s)" if math.isnan(drained) else f" {drained:.1f} s"
            )
        lines.append(line)
    return "\n".join(lines)


def _finite(value: Any) -> Any:
    """NaN (nothing measured) as JSON null, which every reader understands."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def write_json(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_finite(report), indent=2, ensure_ascii=False) + "\n")


def render_rows(table: list[tuple[str, str, str, str, str]]) -> str:
    """(measure, value, target, baseline, ratio) rows as an aligned text table."""
    header = ("measure", "value", "target", "baseline", "ratio")
    widths = [max(len(str(r[i])) for r in [header, *table]) for i in range(5)]
    return "\n".join(
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *table]
    )

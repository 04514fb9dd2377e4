"""Benchmark of the catalog's ``POST /v1/offers`` on PostgreSQL, next to a bare-SQL baseline.

Usage (from the repository root)::

    python -m bench.catalog_offers                  # 2 s warm-up + 10 s per phase, 700 req/s
    python -m bench.catalog_offers --quick          # 1 s + 2 s per phase, 200 req/s (for CI)
    python -m bench.catalog_offers --connections 16 --duration 20 --rate 500 --json out.json
    python -m bench.catalog_offers --profile var/bench/profiles  # where the catalog spends it

One run starts everything it needs on free 127.0.0.1 ports and stops it again, also on
Ctrl-C or an error: a throwaway PostgreSQL cluster (fsync and synchronous_commit on, as
in production) with two databases, a Kafka broker from deploy/kafka/launch.py, and the
catalog as one uvicorn worker, whose outbox relay publishes to Kafka while it serves.
Load comes from separate processes (bench.http_load, bench.sql_baseline) so that the
client does not share an event loop with what it measures. Phases, in order:

1. closed loop: ``--connections`` keep-alive connections post offers back to back;
2. open loop: offers posted on a fixed timetable of ``--rate`` per second, latency
   counted from each request's scheduled time (no coordinated omission);
3. raw baseline against the second database through asyncpg with a pool of
   ``--connections``: an offer row plus an outbox row per transaction, the offer row
   alone, and offer + outbox + ``pg_notify`` (what the catalog's outbox adds).

Between the catalog phases the benchmark waits for the relay to empty the outbox. It
prints a table and writes every figure, the PostgreSQL durability settings and the CPU
each process used to ``--json`` (default var/bench/catalog.json). Targets come from
DESIGN.md ("Performance targets"); missing them is reported, not an error. The exit
status is 1 only when a phase completed nothing or failed otherwise than by timing out
(an answer other than 201, a refused connection, a database error): the benchmark
then no longer measures what it claims to.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import asyncpg

from bench.cpu import CpuSampler
from bench.latency import PhaseResult
from bench.offer import OFFER
from bench.profile import recording
from bench.report import TARGETS, machine_context, render, table_rows, targets_met, write_json
from bench.servers import ROOT, CatalogServer, Kafka, Postgres, http_call
from bench.sql_baseline import MODES, create_tables
from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="short phases at a low rate")
    parser.add_argument("--duration", type=float, help="measured seconds per phase (10; quick 2)")
    parser.add_argument("--warmup", type=float, help="unmeasured seconds first (2; quick 1)")
    parser.add_argument("--rate", type=float, help="open-loop requests per second (700; quick 200)")
    parser.add_argument("--connections", type=int, default=32, help="connections and pool size")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench" / "catalog.json")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample the catalog with py-spy during the closed loop into DIR/catalog.txt",
    )
    args = parser.parse_args(argv)
    args.duration = args.duration or (2.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0)
    args.rate = args.rate or (200.0 if args.quick else TARGETS["at_rate"])
    if not (0 < args.duration <= 600 and 0 <= args.warmup <= 60 and 0 < args.rate <= 20_000):
        parser.error("duration must be in (0, 600], warmup in [0, 60], rate in (0, 20000]")
    if not 1 <= args.connections <= 150:
        parser.error("connections must be between 1 and 150")
    return args


def run_phase(module: str, argv: list[str], timeout: float) -> PhaseResult:
    """Run one load process to its end and read the result it prints."""
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", module, *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    if process.returncode != 0:
        raise RuntimeError(f"{module} failed: {err.decode(errors='replace')[-2000:]}")
    return PhaseResult(**json.loads(out.decode().strip().splitlines()[-1]))


async def outbox_backlog(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM outbox"))
    finally:
        await conn.close()


async def wait_for_empty_outbox(dsn: str, patience: float = 120.0) -> float:
    """Seconds until the relay published every row; NaN when it did not in ``patience``."""
    started = time.monotonic()
    while time.monotonic() - started < patience:
        if await outbox_backlog(dsn) == 0:
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    return math.nan


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _raise_interrupt(signum: int, _frame: object) -> NoReturn:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def cleanup_uninterrupted() -> Iterator[contextlib.ExitStack]:
    """An exit stack whose clean-up a second Ctrl-C cannot cut short."""
    stack = contextlib.ExitStack()
    try:
        yield stack
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("stopping everything the benchmark started ...", file=sys.stderr, flush=True)
        stack.close()


@dataclass
class Running:
    """What one run started: the catalog's database and process, and who watches the CPU."""

    postgres: Postgres
    catalog: CatalogServer
    token: str
    sampler: CpuSampler


def start_everything(stack: contextlib.ExitStack) -> Running:
    """PostgreSQL, Kafka, the catalog with one provider; each registered on ``stack`` to stop."""
    log("starting PostgreSQL ...")
    postgres = Postgres()
    stack.callback(postgres.stop)
    postgres.start()
    asyncio.run(postgres.create_databases("catalog", "baseline"))
    log("starting Kafka ...")
    kafka = Kafka()
    stack.callback(kafka.stop)
    kafka.start()
    log("starting the catalog ...")
    url = postgres.dsn("catalog").replace("postgresql://", "postgresql+asyncpg://")
    catalog = CatalogServer(url, kafka.bootstrap)
    stack.callback(catalog.stop)
    catalog.start()
    catalog.wait_ready()
    codec = JwtCodec(catalog.jwt_secret)
    provider = {"id": "bench-provider", "name": "Bench", "contact_email": "bench@example.org"}
    admin = codec.issue("admin", Role.ADMIN)
    status, body = http_call(
        catalog.port, "POST", "/v1/providers", json.dumps(provider).encode(), admin
    )
    if status != 201:
        raise RuntimeError(f"registering the provider answered {status}: {body[:500]!r}")
    sampler = CpuSampler(
        {"catalog": catalog.pid(), "postgres": postgres.pid(), "kafka": kafka.pid()}
    )
    stack.callback(sampler.stop)
    sampler.start()
    token = codec.issue("bench-provider", Role.PROVIDER)
    return Running(postgres, catalog, token, sampler)


def measure(
    args: argparse.Namespace, running: Running
) -> dict[str, tuple[PhaseResult, dict[str, Any]]]:
    """Every phase in order: each one's result and what else was seen meanwhile."""
    common = ["--connections", str(args.connections), "--warmup", str(args.warmup)]
    common += ["--duration", str(args.duration)]
    timeout = args.warmup + args.duration + 90
    catalog_db = running.postgres.dsn("catalog")
    phases: dict[str, tuple[PhaseResult, dict[str, Any]]] = {}
    for mode in ("closed", "open"):
        log(f"catalog, {mode} loop ...")
        target = ["--port", str(running.catalog.port), "--token", running.token]
        profile = args.profile if mode == "closed" else None
        with recording(running.catalog.pid(), profile, "catalog"):
            result = run_phase(
                "bench.http_load", [mode, *target, "--rate", str(args.rate), *common], timeout
            )
        seen = {
            "cpu_percent_of_one_core": cpu_shares(running.sampler, result),
            "outbox_backlog_at_end": asyncio.run(outbox_backlog(catalog_db)),
            "outbox_drain_s": asyncio.run(wait_for_empty_outbox(catalog_db)),
        }
        phases[mode] = (result, seen)
    baseline_db = running.postgres.dsn("baseline")
    asyncio.run(create_tables(baseline_db))
    for mode in MODES:
        log(f"bare SQL baseline, {mode} ...")
        result = run_phase(
            "bench.sql_baseline", ["--dsn", baseline_db, "--mode", mode, *common], timeout
        )
        phases[f"baseline {mode}"] = (
            result,
            {"cpu_percent_of_one_core": cpu_shares(running.sampler, result)},
        )
    return phases


def cpu_shares(sampler: CpuSampler, result: PhaseResult) -> dict[str, float]:
    """Percent of one core per process tree in the phase's measured window."""
    busy = sampler.busy(result.window_start, result.window_end)
    if not busy:
        return {}
    busy["client"] = 100 * result.client_cpu_s / result.elapsed_s if result.elapsed_s else math.nan
    # Whatever else ran: the kernel's own threads, this process, and anyone else on the machine.
    named = sum(v for k, v in busy.items() if k not in ("machine", "steal"))
    busy["other"] = max(busy["machine"] - named, 0.0)  # below zero is sampling noise
    return {name: round(value, 1) for name, value in busy.items()}


def benchmark(args: argparse.Namespace) -> int:
    report: dict[str, Any] = {
        "benchmark": "catalog POST /v1/offers",
        "generated_at": datetime.now(UTC).isoformat(),
        "machine": machine_context(),
        "settings": {k: v for k, v in vars(args).items() if k not in ("json", "profile")},
        "offer": OFFER,
    }
    with cleanup_uninterrupted() as stack:
        running = start_everything(stack)
        report["postgres"] = asyncio.run(running.postgres.settings())
        measured = measure(args, running)
    report["machine"]["load_average_after"] = os.getloadavg()
    phases = {name: result for name, (result, _) in measured.items()}
    report["phases"] = {name: result.as_dict() | seen for name, (result, seen) in measured.items()}
    report["table"] = table_rows(phases, args.rate)
    report["targets"] = TARGETS | {"met": targets_met(phases, args.rate)}
    report["json"] = str(args.json)
    write_json(report, args.json)
    print(render(report))
    print(f"\nJSON written to {args.json}")
    broken = [
        name
        for name, phase in phases.items()
        if phase.completed == 0 or set(phase.error_kinds) - {"timeout"}
    ]
    if broken:
        log(f"broken phases (nothing completed, or failures other than timeouts): {broken}")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        return benchmark(args)
    except KeyboardInterrupt:
        log("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())

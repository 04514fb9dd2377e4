"""One new offer matched against N open needs, next to a brute-force scan in the same run.

    python -m bench.matching_offers [--sizes 10000,100000,1000000] [--offers 30] [--probes 4]
                                    [--quick]

For each size a fresh SQLite read model is filled with N random open needs
of Kreis Unna. A separate process, so that its peak memory is its own, then
runs matching as the service does: it builds the need index from the store
and takes ``--offers`` new offers, measuring for each

- find: the index answering which open needs the offer fits (every hard
  condition) — the figure DESIGN.md's target is about. After each commit,
  ``--probes`` further new offers are found too (and not committed), so that
  p99 rests on enough finds to mean something: with 50 finds it would be the
  slowest one;
- commit: matching's whole use case for an offer event — catch-up, find,
  loading the fitting needs, score and reasons, the rank check, one match
  row and one outbox event per match, one transaction. It grows with the
  matches an offer makes, not with N.

The baseline, in this process, holds every need in memory and checks each
offer against each need with the same hard conditions. Both must find the
same needs for every offer, or the run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from lotse_matching.adapters import orm
from lotse_matching.bootstrap import Matching, bootstrap
from lotse_matching.collector import settle
from lotse_matching.config import MatchingSettings
from lotse_matching.domain.conditions import first_failure
from lotse_matching.domain.model import Context, Need
from lotse_matching.service_layer import handlers
from lotse_shared.contracts import NeedDetails, NeedStatus, OfferPublished
from lotse_shared.migrations import upgrade

MUNICIPALITIES = [f"059780{n:02d}" for n in range(4, 41, 4)]
CATEGORIES = [
    "integration_course", "language_course", "vocational_language_course", "school_place",
    "vocational_training", "recognition", "counselling", "qualification", "leisure", "childcare",
]  # fmt: skip
LEVELS = ["A0", "A1", "A2", "B1", "B2", "C1", "C2"]
TIMES = ["morning", "afternoon", "evening", "weekend"]
TARGET_P99_MS, TARGET_MB = 2.0, 200.0


def need_row(rng: random.Random, nid: int) -> dict[str, Any]:
    details = {
        "municipality": rng.choice(MUNICIPALITIES),
        "age": rng.randint(16, 70),
        "languages": rng.sample(["ar", "uk", "fa", "tr", "ru", "en"], 1),
        "german_level": rng.choice(LEVELS[:5]),
        "literacy": "latin",
        "categories": rng.sample(CATEGORIES, rng.choice([1, 2])),
        "times_of_day": rng.sample(TIMES, rng.choice([0, 1, 2])),
        "childcare_needed": rng.random() < 0.15,
        "barrier_free_needed": rng.random() < 0.05,
        "max_travel_km": float(rng.choice([5, 10, 15, 25])),
    }
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128))),
        "reference": "UNN-BENCH1",
        "advisor_id": f"adv-{rng.randrange(200)}",
        "status": "open",
        "version": 1,
        "details": details,
        "nid": nid,
        "seq": nid,
    }


def new_offer(rng: random.Random) -> OfferPublished:
    low = rng.randrange(4)
    return OfferPublished.model_validate(
        {
            "offer_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "provider_id": "bench",
            "title": {"de": "Kurs"},
            "description": {"de": "-"},
            "category": rng.choice(CATEGORIES),
            "location": {"municipality": rng.choice(MUNICIPALITIES)},
            "german_level_min": LEVELS[low],
            "german_level_max": LEVELS[low + 2],
            "age_min": 16,
            "age_max": rng.choice([27, 67]),
            "times_of_day": rng.sample(TIMES, rng.choice([1, 2])),
            "childcare": rng.random() < 0.3,
            "places_total": 20,
            "places_available": rng.randint(1, 20),
            "contact_email": "kurse@bench.example",
            "status": "published",
            "version": 1,
            "updated_at": datetime.now(UTC),
        }
    )


def matching_on(database: Path) -> Matching:
    return bootstrap(MatchingSettings(MATCHING_DATABASE_URL=f"sqlite+aiosqlite:///{database}"))


async def populate(database: Path, size: int, rng: random.Random) -> None:
    matching = matching_on(database)
    await upgrade(matching.runtime.engine, str(resources.files("lotse_matching") / "migrations"))
    async with matching.runtime.engine.begin() as conn:
        for start in range(0, size, 10_000):
            rows = [need_row(rng, nid) for nid in range(start + 1, min(start + 10_000, size) + 1)]
            await conn.execute(insert(orm.needs), rows)
    await matching.runtime.engine.dispose()


def peak_rss_kb() -> int:
    """This process's high-water mark (VmHWM; unlike ru_maxrss it starts afresh at exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def fingerprint(nids: list[int]) -> str:
    """A short stand-in for a set of needs, so that the worker's memory holds no copies of it."""
    return hashlib.sha256(",".join(map(str, sorted(nids))).encode()).hexdigest()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 3), "p99": round(percentile(values, 0.99), 3)}


async def run_lotse(
    database: Path, events: list[OfferPublished], probes: list[OfferPublished]
) -> dict[str, Any]:
    """The service's side, in its own process: build the index, then match each offer.

    Each commit is followed by the finds for the next offer and its share of
    ``probes``; found, not committed.
    """
    matching = matching_on(database)
    started = time.perf_counter()
    await matching.build_index()
    built = time.perf_counter() - started
    find_ms: list[float] = []
    commit_ms: list[float] = []
    found: list[str] = []
    per_offer = len(probes) // len(events)
    for n, event in enumerate(events):
        ctx = Context(datetime.now(UTC).date(), matching.policy.region)
        for finding in [event, *probes[n * per_offer : (n + 1) * per_offer]]:
            offer = handlers.offer_from(finding)
            t0 = time.perf_counter()
            fitting = matching.need_index.fitting(offer, ctx)
            find_ms.append((time.perf_counter() - t0) * 1000)
            found.append(fingerprint(fitting.tolist()))
        t0 = time.perf_counter()
        change = handlers.OfferChange(handlers.offer_from(event), f"bench-{n}")
        await handlers.apply([change], matching.uow(), matching.policy, "bench")
        commit_ms.append((time.perf_counter() - t0) * 1000)
    async with matching.runtime.engine.connect() as conn:
        matches = int(await conn.scalar(select(func.count()).select_from(orm.matches)) or 0)
    await matching.runtime.engine.dispose()
    return {
        "index_build_s": round(built, 1),
        "index_mb": round(matching.need_index.nbytes / 2**20, 1),
        "finds": len(find_ms),
        "find_ms": summary(find_ms),
        "commit_ms": summary(commit_ms),
        "matches_per_offer": round(matches / len(events), 1),
        "peak_rss_mb": round(peak_rss_kb() / 1024, 1),
        "found": found,
    }


async def scan(database: Path, events: list[OfferPublished]) -> tuple[list[float], list[str]]:
    """The baseline: every open need in memory, each offer checked against each need."""
    matching = matching_on(database)
    needs: list[tuple[int, Need]] = []
    async with matching.runtime.engine.connect() as conn:
        rows = await conn.execute(select(orm.needs).where(orm.needs.c.status == "open"))
        for r in rows:
            details = NeedDetails.model_validate(r.details)
            needs.append(
                (r.nid, Need(r.id, r.reference, r.advisor_id, NeedStatus.OPEN, 1, details))
            )
    await matching.runtime.engine.dispose()
    scan_ms: list[float] = []
    found: list[str] = []
    for event in events:
        offer = handlers.offer_from(event)
        ctx = Context(datetime.now(UTC).date(), matching.policy.region)
        t0 = time.perf_counter()
        fitting = [nid for nid, need in needs if first_failure(need, offer, ctx) is None]
        scan_ms.append((time.perf_counter() - t0) * 1000)
        found.append(fingerprint(fitting))
    return scan_ms, found


def measure(size: int, offers: int, probes: int, folder: Path) -> dict[str, Any]:
    rng = random.Random(size)
    database = folder / f"m{size}.db"
    started = time.perf_counter()
    asyncio.run(populate(database, size, rng))
    filled = time.perf_counter() - started
    events = [new_offer(rng) for _ in range(offers)]
    probing = [new_offer(rng) for _ in range(offers * probes)]
    offers_file = folder / f"offers{size}.json"
    offers_file.write_text(
        json.dumps(
            {
                kind: [e.model_dump(mode="json") for e in some]
                for kind, some in (("events", events), ("probes", probing))
            }
        )
    )
    in_order = [
        e
        for n, event in enumerate(events)
        for e in [event, *probing[n * probes : (n + 1) * probes]]
    ]
    scan_ms, scanned = asyncio.run(scan(database, in_order))
    child = subprocess.run(  # noqa: S603 - this very script, with paths it chose
        [
            sys.executable,
            "-m",
            "bench.matching_offers",
            "--worker",
            str(database),
            str(offers_file),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    lotse: dict[str, Any] = json.loads(child.stdout)
    if lotse.pop("found") != scanned:
        raise SystemExit(f"{size} needs: the index and the scan found different needs")
    return (
        {"open_needs": size, "offers": offers, "fill_s": round(filled, 1)}
        | lotse
        | {"scan_ms": summary(scan_ms)}
    )


def render(results: list[dict[str, Any]]) -> str:
    lines = [
        "open needs  matches/offer  finds  find p50  find p99  scan p50   scan p99  ratio p99"
        "  commit p50  commit p99  index  peak RSS  index build"
    ]
    for r in results:
        find, scan_, commit = r["find_ms"], r["scan_ms"], r["commit_ms"]
        ratio = find["p99"] / scan_["p99"] if scan_["p99"] else 0.0
        lines.append(
            f"{r['open_needs']:>10}  {r['matches_per_offer']:>13}  {r['finds']:>5}"
            f"  {find['p50']:>5.2f} ms"
            f"  {find['p99']:>5.2f} ms  {scan_['p50']:>5.0f} ms  {scan_['p99']:>6.0f} ms"
            f"  {ratio:>9.4f}  {commit['p50']:>7.0f} ms  {commit['p99']:>7.0f} ms"
            f"  {r['index_mb']:>3.0f} MB  {r['peak_rss_mb']:>5.0f} MB  {r['index_build_s']:>9.1f} s"
        )
    lines.append(
        f"target (DESIGN.md): find p99 <= {TARGET_P99_MS} ms and <= {TARGET_MB:.0f} MB at"
        " 1,000,000 open needs. find = the index answering which open needs an offer fits;"
        " commit = the whole use case, writing a match and an event per match; scan = every"
        " need checked in memory; peak RSS = the matching process."
    )
    largest = max(results, key=lambda r: r["open_needs"])
    met = largest["find_ms"]["p99"] <= TARGET_P99_MS and largest["peak_rss_mb"] <= TARGET_MB
    lines.append(
        f"at {largest['open_needs']} open needs: {'met' if met else 'MISSED'}"
        f" (find p99 {largest['find_ms']['p99']} ms, peak RSS {largest['peak_rss_mb']} MB)"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--offers", type=int, default=30)
    parser.add_argument(
        "--probes", type=int, default=4, help="offers found, not committed, per offer"
    )
    parser.add_argument("--quick", action="store_true", help="1000 and 5000 needs, 5 offers")
    parser.add_argument("--json", type=Path, default=Path("var/bench/matching.json"))
    parser.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        settle()  # as the service's process does
        database, offers_file = args.worker
        given = json.loads(offers_file.read_text())
        events, probing = (
            [OfferPublished.model_validate(o) for o in given[kind]] for kind in ("events", "probes")
        )
        print(json.dumps(asyncio.run(run_lotse(database, events, probing))))
        return
    sizes = [1000, 5000] if args.quick else [int(s) for s in args.sizes.split(",")]
    offers = 5 if args.quick else args.offers
    folder = Path(tempfile.mkdtemp(prefix="lotse-bench-matching-"))
    try:
        results = [measure(size, offers, args.probes, folder) for size in sizes]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(render(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

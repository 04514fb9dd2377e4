"""One new offer matched against N open needs, next to a brute-force scan in the same run.

    python -m bench.matching_offers [--sizes 10000,100000] [--offers 20] [--quick] [--json PATH]

For each size a fresh SQLite read model is filled with N random open needs
of Kreis Unna; then each of ``--offers`` new offers goes through matching's
own ``offer_changed`` use case (candidate retrieval, the hard conditions,
ranking, match rows and outbox events, one transaction). The baseline loads
every need and checks the same offer against each in Python. Prints p50/p99
latency, the matches an offer found, and the process's peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import shutil
import statistics
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
from lotse_matching.config import MatchingSettings
from lotse_matching.domain.fit import fit
from lotse_matching.domain.model import Context
from lotse_matching.service_layer import handlers
from lotse_shared.contracts import OfferPublished
from lotse_shared.migrations import upgrade

MUNICIPALITIES = [f"059780{n:02d}" for n in range(4, 41, 4)]
CATEGORIES = [
    "integration_course", "language_course", "vocational_language_course", "school_place",
    "vocational_training", "recognition", "counselling", "qualification", "leisure", "childcare",
]  # fmt: skip
LEVELS = ["A0", "A1", "A2", "B1", "B2", "C1", "C2"]
TIMES = ["morning", "afternoon", "evening", "weekend"]


def need_row(rng: random.Random) -> dict[str, Any]:
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
    }


def new_offer(rng: random.Random) -> OfferPublished:
    low = rng.randrange(4)
    return OfferPublished.model_validate(
        {
            "offer_id": str(uuid.uuid4()),
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


async def populate(matching: Matching, size: int, rng: random.Random) -> None:
    async with matching.runtime.engine.begin() as conn:
        for start in range(0, size, 10_000):
            rows = [need_row(rng) for _ in range(min(10_000, size - start))]
            await conn.execute(insert(orm.needs), rows)
            await conn.execute(
                insert(orm.need_categories),
                [
                    {"category": c, "need_id": r["id"]}
                    for r in rows
                    for c in r["details"]["categories"]
                ],
            )


async def brute_force(matching: Matching, event: OfferPublished) -> int:
    """Scan everything: load every need and check the offer against each."""
    offer = handlers.offer_from(event)
    ctx = Context(datetime.now(UTC).date(), matching.policy.region)
    async with matching.uow() as uow:
        needs = await uow.queries.open_needs()
    return sum(fit(n, offer, ctx, matching.policy.rules) is not None for n in needs)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(size: int, offers: int, folder: Path) -> dict[str, Any]:
    rng = random.Random(size)
    settings = MatchingSettings(
        MATCHING_DATABASE_URL=f"sqlite+aiosqlite:///{folder / f'm{size}.db'}"
    )
    matching = bootstrap(settings)
    await upgrade(matching.runtime.engine, str(resources.files("lotse_matching") / "migrations"))
    started = time.perf_counter()
    await populate(matching, size, rng)
    filled = time.perf_counter() - started
    events = [new_offer(rng) for _ in range(offers)]
    lotse_ms, scan_ms = [], []
    for n, event in enumerate(events):
        t0 = time.perf_counter()
        await handlers.offer_changed(event, f"bench-{n}", matching.uow(), matching.policy, "bench")
        lotse_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        await brute_force(matching, event)
        scan_ms.append((time.perf_counter() - t0) * 1000)
    async with matching.runtime.engine.connect() as conn:
        found = int(await conn.scalar(select(func.count()).select_from(orm.matches)) or 0)
    await matching.runtime.engine.dispose()
    return {
        "open_needs": size,
        "offers": offers,
        "fill_s": round(filled, 1),
        "matches_per_offer": round(found / offers, 1),
        "lotse_p50_ms": round(statistics.median(lotse_ms), 2),
        "lotse_p99_ms": round(percentile(lotse_ms, 0.99), 2),
        "scan_p50_ms": round(statistics.median(scan_ms), 2),
        "scan_p99_ms": round(percentile(scan_ms, 0.99), 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--offers", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="1000 and 5000 needs, 5 offers")
    parser.add_argument("--json", type=Path, default=Path("var/bench/matching.json"))
    args = parser.parse_args()
    sizes = [1000, 5000] if args.quick else [int(s) for s in args.sizes.split(",")]
    offers = 5 if args.quick else args.offers
    folder = Path(tempfile.mkdtemp(prefix="lotse-bench-matching-"))
    try:
        results = [asyncio.run(measure(size, offers, folder)) for size in sizes]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        "open needs   matches/offer   lotse p50   lotse p99   scan p50   scan p99   ratio p99   peak RSS"
    )
    for r in results:
        ratio = r["lotse_p99_ms"] / r["scan_p99_ms"] if r["scan_p99_ms"] else 0.0
        print(
            f"{r['open_needs']:>10}   {r['matches_per_offer']:>13}   {r['lotse_p50_ms']:>7} ms"
            f"   {r['lotse_p99_ms']:>7} ms   {r['scan_p50_ms']:>6} ms   {r['scan_p99_ms']:>6} ms"
            f"   {ratio:>9.2f}   {r['peak_rss_mb']:>6} MB"
        )
    print(
        "target: p99 <= 2 ms and <= 200 MB at 1,000,000 open needs (DESIGN.md); SQLite read model, one process"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""The raw baseline: the catalog's writes as bare SQL through asyncpg, from their own process.

    python -m bench.sql_baseline --dsn postgresql://postgres@127.0.0.1:P/baseline \
        --mode offer+outbox --connections 32 --warmup 2 --duration 10

:func:`create_tables` makes tables shaped like the catalog's ``offers`` (same columns,
JSON document, same indexes) and ``outbox``. Running the module keeps a pool of
``--connections`` connections busy, each committing one transaction after the other,
and prints one JSON :class:`bench.latency.PhaseResult`. Modes:

- ``offer``: one INSERT of the offer row per transaction;
- ``offer+outbox``: the offer row and an outbox row of the same event size;
- ``offer+outbox+notify``: as above plus ``pg_notify`` as the catalog's outbox sends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg

from bench.latency import PhaseResult
from bench.offer import OFFER
from lotse_shared.contracts import OfferDetails

__all__ = ["MODES", "create_tables", "transactions"]

MODES = ("offer", "offer+outbox", "offer+outbox+notify")

SCHEMA = """
CREATE TABLE offers (
    id varchar(64) PRIMARY KEY,
    provider_id varchar(64) NOT NULL,
    category varchar(40) NOT NULL,
    municipality varchar(8) NOT NULL,
    status varchar(20) NOT NULL,
    title_search text NOT NULL,
    title_sort text NOT NULL,
    start_date date,
    version integer NOT NULL,
    updated_at timestamptz NOT NULL,
    details json NOT NULL
);
CREATE INDEX ix_offers_provider_id ON offers (provider_id);
CREATE INDEX ix_offers_updated_at_id ON offers (updated_at, id);
CREATE INDEX ix_offers_category_municipality ON offers (category, municipality);
CREATE INDEX ix_offers_start_date_id ON offers (start_date, id);
CREATE INDEX ix_offers_title_sort_id ON offers (title_sort, id);
CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    topic varchar(200) NOT NULL,
    key varchar(200) NOT NULL,
    value text,
    headers json NOT NULL,
    created_at timestamptz NOT NULL
);
"""

INSERT_OFFER = (
    "INSERT INTO offers (id, provider_id, category, municipality, status, title_search,"
    " title_sort, version, updated_at, details) VALUES ($1, 'bench-provider', 'language_course',"
    " '05978028', 'open', 'deutschkurs b1', 'deutschkurs b1', 1, $2, $3)"
)
INSERT_OUTBOX = (
    "INSERT INTO outbox (topic, key, value, headers, created_at)"
    " VALUES ('lotse.offers', $1, $2, $3, $4)"
)
NOTIFY = "SELECT pg_notify('lotse_outbox_bench', '')"


def _event_value(offer_id: str, document: dict[str, Any], at: datetime) -> str:
    """An event as large as the catalog's OfferPublished: the full state plus identity."""
    state = document | {
        "offer_id": offer_id,
        "provider_id": "bench-provider",
        "status": "open",
        "version": 1,
        "updated_at": at.isoformat(),
    }
    return json.dumps(state, ensure_ascii=False)


def _headers(offer_id: str, at: datetime) -> str:
    return json.dumps(
        [
            ["ce_specversion", "1.0"],
            ["ce_id", str(uuid.uuid4())],
            ["ce_source", "/lotse/catalog"],
            ["ce_type", "lotse.offer.published"],
            ["ce_time", at.isoformat()],
            ["ce_subject", offer_id],
            ["content-type", "application/json"],
        ]
    )


async def transactions(
    dsn: str, mode: str, *, connections: int, warmup: float, duration: float
) -> PhaseResult:
    """Each pooled connection commits transactions back to back until the time is up."""
    document = OfferDetails.model_validate(OFFER).model_dump(mode="json")
    details = json.dumps(document, ensure_ascii=False)
    with_outbox = mode != "offer"
    with_notify = mode == "offer+outbox+notify"
    loop = asyncio.get_running_loop()
    cpu_before = time.process_time()
    latencies: list[float] = []
    failures: list[str] = []
    begun = loop.time()
    async with asyncpg.create_pool(
        dsn, min_size=connections, max_size=connections, command_timeout=10
    ) as pool:
        measure_from = loop.time() + warmup
        end = measure_from + duration

        async def writer() -> None:
            async with pool.acquire() as conn:
                while (started := loop.time()) < end:
                    offer_id, at = str(uuid.uuid4()), datetime.now(UTC)
                    try:
                        async with conn.transaction():
                            if with_notify:
                                await conn.execute(NOTIFY)
                            await conn.execute(INSERT_OFFER, offer_id, at, details)
                            if with_outbox:
                                await conn.execute(
                                    INSERT_OUTBOX,
                                    offer_id,
                                    _event_value(offer_id, document, at),
                                    _headers(offer_id, at),
                                    at,
                                )
                        outcome = "ok"
                    except (asyncpg.PostgresError, OSError, TimeoutError) as exc:
                        outcome = type(exc).__name__
                        await asyncio.sleep(0.01)
                    done = loop.time()
                    if started >= measure_from and done <= end:
                        if outcome == "ok":
                            latencies.append((done - started) * 1000)
                        else:
                            failures.append(outcome)

        await asyncio.gather(*(writer() for _ in range(connections)))
    return PhaseResult.from_latencies(
        latencies,
        window_s=duration,
        window_start=measure_from,
        elapsed_s=loop.time() - begun,
        failures=failures,
        client_cpu_s=time.process_time() - cpu_before,
    )


async def create_tables(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SCHEMA)
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--mode", choices=MODES, default="offer+outbox")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args(argv)
    result = asyncio.run(
        transactions(
            args.dsn,
            args.mode,
            connections=args.connections,
            warmup=args.warmup,
            duration=args.duration,
        )
    )
    print(json.dumps(result.as_dict()), flush=True)


if __name__ == "__main__":
    main()

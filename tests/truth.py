"""What the matches should be, computed from scratch, and what Lotse actually holds and said.

The fault and scale-out tests compare the two after doing their worst.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import select

from lotse_matching.adapters import orm
from lotse_matching.domain.eligibility import load_rules
from lotse_matching.domain.model import Need, Offer
from lotse_matching.domain.policy import MatchPolicy
from lotse_matching.service_layer.ranking import best_offers
from lotse_shared.contracts import NeedDetails, NeedStatus, OfferDetails, OfferStatus
from lotse_shared.database import create_engine
from lotse_shared.region import load_region

__all__ = [
    "announced_pairs",
    "catalog_contents",
    "committed_offsets",
    "expected_matches",
    "match_histories",
    "matches_in_database",
]


async def catalog_contents(
    client: httpx.AsyncClient, provider: dict[str, str], advisor: dict[str, str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every offer (all pages) and every need of ``advisor``, as the catalog's API shows them."""
    offers: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/offers", params=params, headers=provider)).json()
        offers.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    needs = (await client.get("/v1/needs", headers=advisor)).json()["items"]
    return offers, needs


def expected_matches(
    offers: list[dict[str, Any]], needs: list[dict[str, Any]], max_per_need: int
) -> set[tuple[str, str]]:
    """The (need, offer) pairs a from-scratch batch computation makes of the catalog's data."""
    policy = MatchPolicy(load_region(), load_rules(), max_per_need=max_per_need)
    truth_offers = [
        Offer(
            o["id"], o["provider_id"], OfferStatus(o["status"]), o["version"],
            OfferDetails.model_validate(o),
        )
        for o in offers
    ]  # fmt: skip
    today = datetime.now(UTC).date()
    expected = set()
    for n in needs:
        need = Need(
            n["id"], n["reference"], n["advisor_id"], NeedStatus(n["status"]), n["version"],
            NeedDetails.model_validate(n),
        )  # fmt: skip
        expected |= {(need.id, o.id) for o, _ in best_offers(need, truth_offers, policy, today)}
    return expected


async def matches_in_database(url: str) -> set[tuple[str, str]]:
    """The active (need, offer) pairs in matching's database."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(select(orm.matches).where(orm.matches.c.status == "active"))
            return {(r.need_id, r.offer_id) for r in rows}
    finally:
        await engine.dispose()


async def announced_pairs(bootstrap: str, topic: str) -> Counter[tuple[str, str]]:
    """Distinct match.found events (by ce_id) per pair."""
    histories = await match_histories(bootstrap, topic)
    return Counter({pair: history.count("found") for pair, history in histories.items()})


async def match_histories(bootstrap: str, topic: str) -> dict[tuple[str, str], list[str]]:
    """Per (need, offer): found / invalidated, in the order published, each ce_id counted once.

    One need's events share a key, so this order is the order matching wrote them.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    seen: set[str] = set()
    histories: dict[tuple[str, str], list[str]] = {}
    try:
        partitions = [TopicPartition(topic, p) for p in range(6)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        for tp, end in ends.items():
            while await consumer.position(tp) < end:
                for record in (await consumer.getmany(tp, timeout_ms=1000)).get(tp, []):
                    headers = dict(record.headers)
                    kind = headers["ce_type"].decode().split(".")[2]
                    if kind not in ("found", "invalidated") or headers["ce_id"] in seen:
                        continue
                    seen.add(headers["ce_id"])
                    data = json.loads(record.value)
                    histories.setdefault((data["need_id"], data["offer_id"]), []).append(kind)
    finally:
        await consumer.stop()
    return histories


async def committed_offsets(bootstrap: str, group: str) -> dict[TopicPartition, int]:
    """The offsets ``group`` has committed, per partition."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
        return {tp: meta.offset for tp, meta in offsets.items()}
    finally:
        await admin.close()

"""Two or three matching instances in one consumer group, one killed mid-stream: no match missed or invented.

Offers and needs go in concurrently over HTTP; afterwards the active
matches must equal a from-scratch computation over what the catalog holds,
and every pair that is matched was announced by exactly one match.found.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role
from tests.processes import JWT_SECRET, Service, start_service, wait_ready
from tests.support import create_database
from tests.truth import announced_pairs, catalog_contents, expected_matches, matches_in_database

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.postgres]

PLACES = ["05978028", "05978036", "05978020", "05978040"]  # Schwerte, Unna, Kamen, Werne
KINDS = ["language_course", "counselling", "integration_course"]


def bearer(sub: str, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {JwtCodec(JWT_SECRET).issue(sub, role)}"}


def offer_body(rng: random.Random) -> dict[str, Any]:
    return {
        "title": {"de": f"Angebot {rng.randrange(10**6)}"},
        "description": {"de": "-"},
        "category": rng.choice(KINDS),
        "location": {"municipality": rng.choice(PLACES)},
        "places_total": 10,
        "places_available": rng.choice([0, 2, 5]),
        "waitlist": rng.random() < 0.2,
        "contact_email": "kurse@vhs.example",
    }


def need_body(rng: random.Random) -> dict[str, Any]:
    return {
        "municipality": rng.choice(PLACES),
        "age": 30,
        "categories": rng.sample(KINDS, rng.choice([1, 2])),
        "max_travel_km": rng.choice([5, 15]),
    }


@pytest.mark.parametrize("count", [2, 3])
async def test_several_instances_and_a_kill_neither_miss_nor_invent_a_match(
    kafka_bootstrap: str, postgres_server: str, tmp_path: Path, count: int
) -> None:
    rng = random.Random(20261128)
    run = uuid.uuid4().hex[:8]
    prefix = f"scale{run}."
    matching_db = create_database(postgres_server, f"m_{run}")
    env = os.environ | {
        "LOTSE_ENV": "test",
        "LOTSE_JWT_SECRET": JWT_SECRET,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "LOTSE_TOPIC_PREFIX": prefix,
        "CATALOG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}",
        "CATALOG_REVIEW_POLICY": "off",
        "MATCHING_DATABASE_URL": matching_db,
        "MATCHING_GROUP_ID": f"matching-{run}",
        "MATCHING_MAX_PER_NEED": "3",
    }
    folders = [tmp_path / f"matching-{i}" for i in range(count)]
    for folder in folders:
        folder.mkdir()
    catalog = start_service("catalog", env, tmp_path)
    instances: list[Service] = [start_service("matching", env, folder) for folder in folders]
    try:
        await asyncio.gather(wait_ready(catalog), *(wait_ready(i) for i in instances))
        admin = bearer("ki", Role.ADMIN)
        provider, advisor = bearer("prov", Role.PROVIDER), bearer("adv", Role.ADVISOR)
        async with httpx.AsyncClient(base_url=catalog.url, timeout=30) as client:
            provider_body = {"id": "prov", "name": "VHS", "contact_email": "info@vhs.example"}
            advisor_body = {"id": "adv", "name": "A", "email": "a@ki.example", "organisation": "KI"}
            assert (
                await client.post("/v1/providers", json=provider_body, headers=admin)
            ).status_code == 201
            assert (
                await client.post("/v1/advisors", json=advisor_body, headers=admin)
            ).status_code == 201

            async def post(url: str, body: dict[str, Any], headers: dict[str, str]) -> None:
                response = await client.post(url, json=body, headers=headers)
                assert response.status_code == 201, response.text

            first = [post("/v1/offers", offer_body(rng), provider) for _ in range(20)]
            first += [post("/v1/needs", need_body(rng), advisor) for _ in range(20)]
            rng.shuffle(first)
            await asyncio.gather(*first)
            instances[0].process.send_signal(
                signal.SIGKILL
            )  # mid-stream: it may hold uncommitted work
            instances[0].process.wait()
            second = [post("/v1/offers", offer_body(rng), provider) for _ in range(20)]
            second += [post("/v1/needs", need_body(rng), advisor) for _ in range(20)]
            rng.shuffle(second)
            await asyncio.gather(*second)
            instances[0] = start_service("matching", env, folders[0])
            await wait_ready(instances[0])

            offers, needs = await catalog_contents(client, provider, advisor)

        expected = expected_matches(offers, needs, max_per_need=3)
        assert len(expected) >= 10, "the generated load should produce matches"

        deadline = time.monotonic() + 60
        active = await matches_in_database(matching_db)
        while active != expected and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            active = await matches_in_database(matching_db)
        assert active == expected
        announced = await announced_pairs(kafka_bootstrap, f"{prefix}lotse.matches")
        assert set(announced) >= expected
        assert all(announced[pair] == 1 for pair in expected), announced
    finally:
        for service in (catalog, *instances):
            service.stop()

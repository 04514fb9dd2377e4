"""Request bodies and look-ups the catalog's API tests share."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import func, select

from lotse_catalog.adapters import orm
from lotse_catalog.bootstrap import Catalog

SECRET = "test-signing-key-that-is-long-enough-0123456789"
SCHWERTE, UNNA = "05978028", "05978036"

Headers = dict[str, str]


async def outbox(catalog: Catalog) -> list[dict[str, Any]]:
    """Every queued event: topic, key, type and payload (None for a tombstone)."""
    async with catalog.runtime.engine.connect() as conn:
        rows = await conn.execute(select(orm.outbox).order_by(orm.outbox.c.id))
        return [
            {
                "topic": r.topic,
                "key": r.key,
                "type": dict(r.headers).get("ce_type"),
                "data": json.loads(r.value) if r.value is not None else None,
                "headers": dict(r.headers),
            }
            for r in rows
        ]


async def count(catalog: Catalog, table: Any) -> int:
    async with catalog.runtime.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


def offer_body(**changes: Any) -> dict[str, Any]:
    return {
        "title": {"de": "Deutschkurs B1 am Abend"},
        "description": {"de": "Zweimal pro Woche, 18 bis 20 Uhr."},
        "category": "language_course",
        "location": {"municipality": SCHWERTE, "address": "Rathausstraße 31"},
        "german_level_min": "A2",
        "german_level_max": "B1",
        "times_of_day": ["evening"],
        "places_total": 16,
        "places_available": 5,
        "contact_email": "kurse@vhs-schwerte.example",
    } | changes


def need_body(**changes: Any) -> dict[str, Any]:
    return {
        "municipality": SCHWERTE,
        "age": 34,
        "languages": ["ar"],
        "german_level": "A2",
        "categories": ["language_course"],
        "case_reference": "MBE-2026-0412",
    } | changes


async def register_provider(
    api: httpx.AsyncClient, admin: Headers, provider_id: str = "vhs-schwerte"
) -> None:
    response = await api.post(
        "/v1/providers",
        json={"id": provider_id, "name": "VHS Schwerte", "contact_email": "info@vhs.example"},
        headers=admin,
    )
    assert response.status_code == 201, response.text


async def register_advisor(
    api: httpx.AsyncClient, admin: Headers, advisor_id: str = "adv-1"
) -> None:
    response = await api.post(
        "/v1/advisors",
        json={
            "id": advisor_id,
            "name": "Aylin Demir",
            "email": f"{advisor_id}@ki.example",
            "organisation": "KI",
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text

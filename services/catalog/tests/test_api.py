"""The catalog API stores what is valid, publishes it through the outbox, and refuses the rest."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from lotse_catalog.adapters import orm
from lotse_catalog.bootstrap import Catalog, bootstrap
from lotse_catalog.config import CatalogSettings
from lotse_catalog.entrypoints.api import create_app
from lotse_shared.migrations import upgrade

SCHWERTE = "05978028"


@pytest.fixture
async def catalog(database_url: str) -> AsyncIterator[Catalog]:
    catalog = bootstrap(CatalogSettings(CATALOG_DATABASE_URL=database_url))
    await upgrade(catalog.runtime.engine, str(resources.files("lotse_catalog") / "migrations"))
    yield catalog
    await catalog.runtime.engine.dispose()


@pytest.fixture
async def api(catalog: Catalog) -> AsyncIterator[httpx.AsyncClient]:
    # No lifespan: these tests look at the outbox, not at Kafka.
    transport = httpx.ASGITransport(app=create_app(catalog))
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as client:
        yield client


async def outbox_rows(catalog: Catalog) -> list[dict[str, Any]]:
    async with catalog.runtime.engine.connect() as conn:
        rows = await conn.execute(select(orm.outbox).order_by(orm.outbox.c.id))
        return [r._asdict() for r in rows]


async def count(catalog: Catalog, table: Any) -> int:
    async with catalog.runtime.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def register_advisor(api: httpx.AsyncClient) -> str:
    response = await api.post(
        "/v1/advisors", json={"id": "adv-1", "name": "Aylin Demir", "email": "a@ki.example"}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_published_offer_is_stored_and_its_event_queued(
    api: httpx.AsyncClient, catalog: Catalog
) -> None:
    response = await api.post(
        "/v1/offers",
        json={"title": "Deutschkurs B1", "category": "language_course", "municipality": SCHWERTE},
    )
    assert response.status_code == 201, response.text
    offer = response.json()
    assert offer["status"] == "published" and offer["version"] == 1
    [row] = await outbox_rows(catalog)
    assert row["topic"] == "lotse.offers"
    assert row["key"] == offer["id"]
    assert dict(row["headers"])["ce_type"] == "lotse.offer.published.v1"
    assert json.loads(row["value"])["title"] == "Deutschkurs B1"


async def test_an_offer_outside_the_region_is_refused_naming_the_field(
    api: httpx.AsyncClient, catalog: Catalog
) -> None:
    response = await api.post(
        "/v1/offers",
        json={"title": "Kurs", "category": "language_course", "municipality": "05913000"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "municipality"
    assert await count(catalog, orm.offers) == 0
    assert await outbox_rows(catalog) == []


async def test_an_unknown_category_is_refused(api: httpx.AsyncClient, catalog: Catalog) -> None:
    response = await api.post(
        "/v1/offers", json={"title": "Kurs", "category": "cooking", "municipality": SCHWERTE}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "category"
    assert await count(catalog, orm.offers) == 0


async def test_a_need_gets_a_reference_and_its_case_reference_is_never_published(
    api: httpx.AsyncClient, catalog: Catalog
) -> None:
    advisor_id = await register_advisor(api)
    response = await api.post(
        "/v1/needs",
        json={
            "advisor_id": advisor_id,
            "municipality": SCHWERTE,
            "categories": ["language_course", "language_course", "counselling"],
            "case_reference": "MBE-2026-0412",
        },
    )
    assert response.status_code == 201, response.text
    need = response.json()
    assert need["reference"].startswith("UNN-") and len(need["reference"]) == 10
    assert need["categories"] == ["language_course", "counselling"]
    rows = await outbox_rows(catalog)
    assert [r["topic"] for r in rows] == ["lotse.directory", "lotse.needs"]
    assert "MBE-2026-0412" not in json.dumps(rows, default=str)


async def test_a_need_with_personal_data_is_refused_and_nothing_stored(
    api: httpx.AsyncClient, catalog: Catalog
) -> None:
    advisor_id = await register_advisor(api)
    response = await api.post(
        "/v1/needs",
        json={
            "advisor_id": advisor_id,
            "municipality": SCHWERTE,
            "categories": ["counselling"],
            "name": "Max",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
    assert await count(catalog, orm.needs) == 0


async def test_a_need_for_an_unknown_advisor_is_refused(
    api: httpx.AsyncClient, catalog: Catalog
) -> None:
    response = await api.post(
        "/v1/needs",
        json={"advisor_id": "nobody", "municipality": SCHWERTE, "categories": ["counselling"]},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "advisor_id", "reason": "no active advisor 'nobody'"}
    ]
    assert await count(catalog, orm.needs) == 0
    assert await outbox_rows(catalog) == []


async def test_an_advisor_id_can_be_registered_once(
    api: httpx.AsyncClient, catalog: Catalog
) -> None:
    await register_advisor(api)
    again = await api.post(
        "/v1/advisors", json={"id": "adv-1", "name": "Other", "email": "o@ki.example"}
    )
    assert again.status_code == 409
    assert await count(catalog, orm.advisors) == 1


async def test_an_invalid_email_is_refused(api: httpx.AsyncClient) -> None:
    response = await api.post("/v1/advisors", json={"name": "A", "email": "not-an-address"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"

"""A catalog that reviews offers, and the calls the review's API tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

import httpx
import pytest

from lotse_catalog.bootstrap import Catalog, bootstrap
from lotse_catalog.config import CatalogSettings
from lotse_shared.migrations import upgrade
from services.catalog.tests.api_support import SECRET, Headers, offer_body, outbox


def reviewing_catalog(policy: str) -> Any:
    """A ``catalog`` fixture for a test module: the catalog with ``CATALOG_REVIEW_POLICY``."""

    @pytest.fixture
    async def catalog(database_url: str) -> AsyncIterator[Catalog]:
        settings = CatalogSettings(
            CATALOG_DATABASE_URL=database_url,
            LOTSE_JWT_SECRET=SECRET,
            LOTSE_ENV="test",
            CATALOG_REVIEW_POLICY=policy,
        )
        catalog = bootstrap(settings)
        await upgrade(catalog.runtime.engine, str(resources.files("lotse_catalog") / "migrations"))
        yield catalog
        await catalog.runtime.engine.dispose()

    return catalog


async def draft(api: httpx.AsyncClient, headers: Headers, **changes: Any) -> dict[str, Any]:
    response = await api.post("/v1/offers", json=offer_body(**changes), headers=headers)
    assert response.status_code == 202, response.text
    review: dict[str, Any] = response.json()
    return review


async def submit(
    api: httpx.AsyncClient, headers: Headers, offer_id: str, version: int | None = None
) -> dict[str, Any]:
    if version is None:
        version = (await api.get(f"/v1/offers/{offer_id}/review", headers=headers)).json()[
            "version"
        ]
    response = await api.post(
        f"/v1/offers/{offer_id}/submit", headers=headers | {"If-Match": f'"{version}"'}
    )
    assert response.status_code == 200, response.text
    review: dict[str, Any] = response.json()
    return review


async def decide(
    api: httpx.AsyncClient,
    headers: Headers,
    offer_id: str,
    revision: int,
    decision: str = "approved",
    comment: str | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {"revision": revision, "decision": decision}
    if comment is not None:
        body["comment"] = comment
    return await api.post(f"/v1/offers/{offer_id}/decisions", json=body, headers=headers)


async def published_offer(
    api: httpx.AsyncClient, provider: Headers, admin: Headers, **changes: Any
) -> dict[str, Any]:
    """An offer submitted by the provider and approved by an admin: what advisors see."""
    review = await draft(api, provider, **changes)
    await submit(api, provider, review["offer_id"])
    approved = await decide(api, admin, review["offer_id"], 1)
    assert approved.status_code == 200, approved.text
    offer: dict[str, Any] = (
        await api.get(f"/v1/offers/{review['offer_id']}", headers=admin)
    ).json()
    return offer


async def events_on(catalog: Catalog, topic: str) -> list[dict[str, Any]]:
    return [e for e in await outbox(catalog) if e["topic"] == topic]

"""CATALOG_REVIEW_POLICY=new_providers: a provider's offers are reviewed until three were
approved; then its offers and changes publish directly."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from lotse_catalog.bootstrap import Catalog, bootstrap
from lotse_catalog.config import CatalogSettings
from lotse_catalog.entrypoints.api import create_app
from services.catalog.tests.api_support import SECRET, Headers, offer_body, register_provider
from services.catalog.tests.review_support import (
    draft,
    events_on,
    published_offer,
    reviewing_catalog,
    submit,
)

catalog = reviewing_catalog("new_providers")


async def test_a_provider_is_trusted_after_three_approved_offers(
    api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers], catalog: Catalog
) -> None:
    await register_provider(api, admin, "vhs-schwerte")
    await register_provider(api, admin, "awo-kamen")
    provider = token("provider", "vhs-schwerte")
    assert (await api.get("/v1/reviews", headers=provider)).json()["offers_reviewed"] is True
    approved = [await published_offer(api, provider, admin) for _ in range(3)]
    assert (await api.get("/v1/reviews", headers=provider)).json()["offers_reviewed"] is False
    by_admin = await api.get("/v1/reviews?provider_id=awo-kamen", headers=admin)
    assert by_admin.json()["offers_reviewed"] is True
    trusted = await api.post("/v1/offers", json=offer_body(), headers=provider)
    assert trusted.status_code == 201, trusted.text
    change = await api.put(
        f"/v1/offers/{approved[0]['id']}",
        json=offer_body(title={"de": "Deutschkurs B2"}),
        headers=provider | {"If-Match": '"1"'},
    )
    assert (change.status_code, change.json()["version"]) == (200, 2)
    newcomer = await api.post(
        "/v1/offers", json=offer_body(), headers=token("provider", "awo-kamen")
    )
    assert newcomer.status_code == 202  # another provider's offers are still reviewed
    assert len(await events_on(catalog, "lotse.offers")) == 5


async def test_a_draft_left_from_before_is_published_on_submitting_once_trusted(
    api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    await register_provider(api, admin, "vhs-schwerte")
    provider = token("provider", "vhs-schwerte")
    waiting = await draft(api, provider)
    for _ in range(3):
        await published_offer(api, provider, admin)
    review = await submit(api, provider, waiting["offer_id"])
    assert (review["state"], review["published_version"]) == ("published", 1)


async def test_offers_published_before_the_review_was_turned_on_count_towards_trust(
    database_url: str, catalog: Catalog, api: httpx.AsyncClient, admin: Headers,
    token: Callable[..., Headers],
) -> None:  # fmt: skip
    await register_provider(api, admin, "vhs-schwerte")
    await register_provider(api, admin, "awo-kamen")
    before = bootstrap(CatalogSettings(CATALOG_DATABASE_URL=database_url, LOTSE_JWT_SECRET=SECRET,
                                       LOTSE_ENV="test", CATALOG_REVIEW_POLICY="off"))  # fmt: skip
    transport = httpx.ASGITransport(app=create_app(before))
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as earlier:
        for _ in range(3):
            posted = await earlier.post(
                "/v1/offers", json=offer_body(), headers=token("provider", "vhs-schwerte")
            )
            assert posted.status_code == 201, posted.text
        posted = await earlier.post(
            "/v1/offers", json=offer_body(), headers=token("provider", "awo-kamen")
        )
        assert posted.status_code == 201
    await before.runtime.engine.dispose()
    known = await api.post(
        "/v1/offers", json=offer_body(), headers=token("provider", "vhs-schwerte")
    )
    assert known.status_code == 201  # three offers on record: trusted
    newer = await api.post("/v1/offers", json=offer_body(), headers=token("provider", "awo-kamen"))
    assert newer.status_code == 202  # one offer on record: still reviewed

"""CATALOG_REVIEW_POLICY=new_providers: a provider's offers are reviewed until three were
approved; then its offers and changes publish directly."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from lotse_catalog.bootstrap import Catalog
from services.catalog.tests.api_support import Headers, offer_body, register_provider
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

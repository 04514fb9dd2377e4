"""A provider checks an offer before saving it: every rule of publishing, nothing stored."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from lotse_catalog.adapters import orm
from lotse_catalog.bootstrap import Catalog
from services.catalog.tests.api_support import (
    UNNA,
    Headers,
    count,
    offer_body,
    outbox,
)


async def test_a_valid_offer_comes_back_as_it_would_be_stored_and_nothing_is_stored(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    before = await outbox(catalog)
    response = await api.post("/v1/offers/validate", json=offer_body(), headers=provider)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["provider_id"] == "vhs-schwerte"
    details = answer["details"]
    assert details["provider_id"] == "vhs-schwerte"
    assert details["title"] == {"de": "Deutschkurs B1 am Abend"}
    assert details["languages_of_instruction"] == ["de"]  # a default, filled in
    assert details["free_of_charge"] is True
    assert not {"id", "status", "version", "updated_at"} & set(details)
    published = await api.post("/v1/offers", json=offer_body(), headers=provider)
    stored = {
        k: v
        for k, v in published.json().items()
        if k not in ("id", "status", "version", "updated_at")
    }
    assert details == stored
    assert await count(catalog, orm.offers) == 1  # only the one published afterwards
    assert len(await outbox(catalog)) == len(before) + 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"location": {"municipality": "05913000"}}, "location.municipality"),
        ({"service_area": [UNNA, "01001000"]}, "service_area[1]"),
        ({"category": "cooking"}, "category"),
        ({"colour": "blue"}, "colour"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"provider_id": "awo-kamen"}, None),
    ],
)
async def test_an_invalid_offer_is_refused_naming_the_field_and_nothing_is_stored(
    api: httpx.AsyncClient,
    provider: Headers,
    catalog: Catalog,
    changes: dict[str, object],
    field: str | None,
) -> None:
    before = await outbox(catalog)
    response = await api.post("/v1/offers/validate", json=offer_body(**changes), headers=provider)
    if field is None:  # publishing for another provider
        assert response.status_code == 403
    else:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]]
    assert await count(catalog, orm.offers) == 0
    assert await outbox(catalog) == before


async def test_a_broken_model_rule_is_refused_with_the_reason(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    response = await api.post(
        "/v1/offers/validate", json=offer_body(places_available=20), headers=provider
    )
    assert response.status_code == 422
    assert "places_available must not exceed places_total" in response.json()["detail"]


async def test_an_inactive_or_unknown_provider_is_refused_as_when_publishing(
    api: httpx.AsyncClient, provider: Headers, admin: Headers, catalog: Catalog
) -> None:
    assert (await api.delete("/v1/providers/vhs-schwerte", headers=admin)).status_code == 200
    before = await outbox(catalog)
    inactive = await api.post("/v1/offers/validate", json=offer_body(), headers=provider)
    assert inactive.status_code == 422
    assert inactive.json()["errors"][0]["field"] == "provider_id"
    unnamed = await api.post("/v1/offers/validate", json=offer_body(), headers=admin)
    assert unnamed.json()["errors"][0]["field"] == "provider_id"
    assert await outbox(catalog) == before


async def test_an_admin_previews_for_the_provider_they_name(
    api: httpx.AsyncClient, provider: Headers, admin: Headers
) -> None:
    response = await api.post(
        "/v1/offers/validate", json=offer_body(provider_id="vhs-schwerte"), headers=admin
    )
    assert response.status_code == 200, response.text
    assert response.json()["provider_id"] == "vhs-schwerte"


async def test_an_advisor_cannot_preview_offers(
    api: httpx.AsyncClient, token: Callable[..., Headers]
) -> None:
    response = await api.post(
        "/v1/offers/validate", json=offer_body(), headers=token("advisor", "adv-1")
    )
    assert response.status_code == 403

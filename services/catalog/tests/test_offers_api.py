"""Providers publish and change their own offers; every change is versioned and published."""

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
    register_provider,
)


async def publish(api: httpx.AsyncClient, headers: Headers, **changes: object) -> httpx.Response:
    response = await api.post("/v1/offers", json=offer_body(**changes), headers=headers)
    assert response.status_code == 201, response.text
    return response


async def test_a_provider_publishes_an_offer_as_itself(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    response = await publish(api, provider)
    offer = response.json()
    assert offer["provider_id"] == "vhs-schwerte"
    assert (offer["status"], offer["version"]) == ("published", 1)
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/v1/offers/{offer['id']}"
    event = (await outbox(catalog))[-1]
    assert (event["topic"], event["key"], event["type"]) == (
        "lotse.offers",
        offer["id"],
        "lotse.offer.published.v1",
    )
    assert event["data"]["places_available"] == 5
    assert event["data"]["title"] == {"de": "Deutschkurs B1 am Abend"}


async def test_a_provider_cannot_publish_for_another_provider(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    response = await api.post(
        "/v1/offers", json=offer_body(provider_id="awo-kamen"), headers=provider
    )
    assert response.status_code == 403
    assert await count(catalog, orm.offers) == 0


async def test_an_admin_publishes_for_a_named_provider_only(
    api: httpx.AsyncClient, provider: Headers, admin: Headers
) -> None:
    missing = await api.post("/v1/offers", json=offer_body(), headers=admin)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "provider_id"
    response = await api.post(
        "/v1/offers", json=offer_body(provider_id="vhs-schwerte"), headers=admin
    )
    assert response.status_code == 201
    assert response.json()["provider_id"] == "vhs-schwerte"


async def test_an_advisor_cannot_publish_offers(
    api: httpx.AsyncClient, token: Callable[..., Headers]
) -> None:
    response = await api.post("/v1/offers", json=offer_body(), headers=token("advisor", "adv-1"))
    assert response.status_code == 403


async def test_an_unregistered_provider_cannot_publish(
    api: httpx.AsyncClient, token: Callable[..., Headers]
) -> None:
    response = await api.post("/v1/offers", json=offer_body(), headers=token("provider", "nobody"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "provider_id"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"location": {"municipality": "05913000"}}, "location.municipality"),
        ({"service_area": [UNNA, "01001000"]}, "service_area[1]"),
        ({"category": "cooking"}, "category"),
        ({"location": {"municipality": UNNA, "floor": 2}}, "location.floor"),
        ({"colour": "blue"}, "colour"),
        ({"places_available": -1}, "places_available"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"title": {"de": "x" * 201}}, "title.de"),
    ],
)
async def test_an_invalid_offer_is_refused_naming_the_field_and_nothing_is_stored(
    api: httpx.AsyncClient,
    provider: Headers,
    catalog: Catalog,
    changes: dict[str, object],
    field: str,
) -> None:
    before = await outbox(catalog)
    response = await api.post("/v1/offers", json=offer_body(**changes), headers=provider)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await count(catalog, orm.offers) == 0
    assert await outbox(catalog) == before


async def test_an_inconsistent_offer_is_refused_with_the_reason(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    response = await api.post("/v1/offers", json=offer_body(places_available=20), headers=provider)
    assert response.status_code == 422
    assert "places_available must not exceed places_total" in response.json()["detail"]


async def test_changing_free_places_needs_the_current_version(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    offer = (await publish(api, provider)).json()
    url = f"/v1/offers/{offer['id']}"
    without = await api.patch(url, json={"places_available": 3}, headers=provider)
    assert without.status_code == 428
    changed = await api.patch(
        url, json={"places_available": 3}, headers=provider | {"If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["places_available"], changed.json()["version"]) == (3, 2)
    assert changed.headers["ETag"] == '"2"'
    stale = await api.patch(
        url, json={"places_available": 1}, headers=provider | {"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert (await api.get(url, headers=provider)).json()["places_available"] == 3
    types = [e["type"] for e in await outbox(catalog) if e["key"] == offer["id"]]
    assert types == ["lotse.offer.published.v1", "lotse.offer.updated.v1"]


async def test_a_patch_that_breaks_a_rule_changes_nothing(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    offer = (await publish(api, provider)).json()
    url = f"/v1/offers/{offer['id']}"
    response = await api.patch(
        url, json={"places_available": 99}, headers=provider | {"If-Match": '"1"'}
    )
    assert response.status_code == 422
    assert (await api.get(url, headers=provider)).json()["version"] == 1


async def test_a_put_replaces_the_details(api: httpx.AsyncClient, provider: Headers) -> None:
    offer = (await publish(api, provider)).json()
    body = offer_body(title={"de": "Deutschkurs B2"}, german_level_max="B2")
    response = await api.put(
        f"/v1/offers/{offer['id']}", json=body, headers=provider | {"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.json()["title"] == {"de": "Deutschkurs B2"}
    assert response.json()["german_level_max"] == "B2"


async def test_a_provider_cannot_change_or_withdraw_another_providers_offer(
    api: httpx.AsyncClient, provider: Headers, admin: Headers, token: Callable[..., Headers]
) -> None:
    offer = (await publish(api, provider)).json()
    await register_provider(api, admin, "awo-kamen")
    other = token("provider", "awo-kamen") | {"If-Match": '"1"'}
    url = f"/v1/offers/{offer['id']}"
    assert (await api.patch(url, json={"places_available": 0}, headers=other)).status_code == 403
    assert (await api.delete(url, headers=other)).status_code == 403
    assert (await api.get(url, headers=provider)).json()["version"] == 1


async def test_a_withdrawn_offer_is_published_as_withdrawn_and_cannot_change(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    offer = (await publish(api, provider)).json()
    url = f"/v1/offers/{offer['id']}"
    withdrawn = await api.delete(url, headers=provider | {"If-Match": '"1"'})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert (await outbox(catalog))[-1]["type"] == "lotse.offer.withdrawn.v1"
    again = await api.patch(
        url, json={"places_available": 1}, headers=provider | {"If-Match": '"2"'}
    )
    assert again.status_code == 409


async def test_deactivating_a_provider_withdraws_its_offers(
    api: httpx.AsyncClient, provider: Headers, admin: Headers, catalog: Catalog
) -> None:
    first = (await publish(api, provider)).json()
    second = (await publish(api, provider)).json()
    response = await api.delete("/v1/providers/vhs-schwerte", headers=admin)
    assert response.status_code == 200
    assert response.json()["active"] is False
    events = await outbox(catalog)
    withdrawn = {e["key"] for e in events if e["type"] == "lotse.offer.withdrawn.v1"}
    assert withdrawn == {first["id"], second["id"]}
    assert events[-3]["type"] == "lotse.provider.updated.v1"
    assert (await api.post("/v1/offers", json=offer_body(), headers=provider)).status_code == 422


async def test_offers_are_listed_by_filter_a_page_at_a_time(
    api: httpx.AsyncClient, provider: Headers, token: Callable[..., Headers]
) -> None:
    for i in range(5):
        await publish(api, provider, title={"de": f"Deutschkurs {i}"})
    await publish(api, provider, category="counselling", title={"de": "Beratung"})
    await publish(api, provider, title={"de": "Kurs in Unna"}, location={"municipality": UNNA})
    reader = token("advisor", "adv-1")

    seen: list[str] = []
    cursor = None
    while True:
        params = {"category": "language_course", "municipality": "05978028", "limit": 2}
        page = (
            await api.get(
                "/v1/offers", params=params | ({"cursor": cursor} if cursor else {}), headers=reader
            )
        ).json()
        seen += [o["title"]["de"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == [f"Deutschkurs {i}" for i in range(5)]
    found = (await api.get("/v1/offers", params={"q": "beRAT"}, headers=reader)).json()["items"]
    assert [o["title"]["de"] for o in found] == ["Beratung"]
    bad = await api.get("/v1/offers", params={"cursor": "garbage"}, headers=reader)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"


async def test_offers_changed_since_a_moment_can_be_fetched(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    old = (await publish(api, provider)).json()
    new = (await publish(api, provider)).json()
    since = new["updated_at"]
    found = (await api.get("/v1/offers", params={"updated_since": since}, headers=provider)).json()[
        "items"
    ]
    assert [o["id"] for o in found] == [new["id"]]
    assert old["id"] not in [o["id"] for o in found]


async def test_an_unknown_offer_is_not_found(api: httpx.AsyncClient, provider: Headers) -> None:
    assert (await api.get("/v1/offers/nope", headers=provider)).status_code == 404


async def test_a_huge_body_is_refused_before_it_is_read(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    response = await api.post(
        "/v1/offers",
        content=b"[" + b"0," * 1_500_000 + b"0]",
        headers=provider | {"content-type": "application/json"},
    )
    assert response.status_code == 413

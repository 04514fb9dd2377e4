"""A page shows a need's matches with one call: several offers by id, whatever their status."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from services.catalog.tests.api_support import Headers, offer_body, register_provider


async def publish(api: httpx.AsyncClient, provider: Headers, title: str) -> str:
    response = await api.post("/v1/offers", json=offer_body(title={"de": title}), headers=provider)
    assert response.status_code == 201, response.text
    offer_id: str = response.json()["id"]
    return offer_id


async def test_offers_are_fetched_by_id_withdrawn_ones_too_unknown_ones_absent(
    api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    await register_provider(api, admin, "vhs-schwerte")
    provider = token("provider", "vhs-schwerte")
    first, second, _other = [await publish(api, provider, f"Kurs {n}") for n in range(3)]
    withdrawn = await api.delete(f"/v1/offers/{second}", headers=provider | {"If-Match": '"1"'})
    assert withdrawn.status_code == 200
    response = await api.get(
        "/v1/offers",
        params=[("id", first), ("id", second), ("id", "no-such-offer")],
        headers=token("advisor", "adv-1"),
    )
    assert response.status_code == 200, response.text
    found = {o["id"]: o["status"] for o in response.json()["items"]}
    assert found == {first: "published", second: "withdrawn"}
    assert response.json()["next_cursor"] is None


async def test_ids_combine_with_the_other_filters(
    api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    await register_provider(api, admin, "vhs-schwerte")
    provider = token("provider", "vhs-schwerte")
    first, second = [await publish(api, provider, f"Kurs {n}") for n in range(2)]
    await api.delete(f"/v1/offers/{second}", headers=provider | {"If-Match": '"1"'})
    response = await api.get(
        "/v1/offers",
        params=[("id", first), ("id", second), ("status", "published")],
        headers=provider,
    )
    assert [o["id"] for o in response.json()["items"]] == [first]


async def test_at_most_a_hundred_ids_are_asked_for_at_once(
    api: httpx.AsyncClient, token: Callable[..., Headers]
) -> None:
    reader = token("advisor", "adv-1")
    hundred = [("id", f"offer-{n}") for n in range(100)]
    assert (await api.get("/v1/offers", params=hundred, headers=reader)).status_code == 200
    response = await api.get("/v1/offers", params=[*hundred, ("id", "offer-100")], headers=reader)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["id"]


async def test_each_id_is_validated_like_an_id(
    api: httpx.AsyncClient, token: Callable[..., Headers]
) -> None:
    response = await api.get(
        "/v1/offers", params=[("id", "ok-1"), ("id", "a b/c")], headers=token("advisor", "adv-1")
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["id[1]"]

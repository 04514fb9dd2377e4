"""Anyone may read the published offers unsigned: nothing else, and within a budget."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from lotse_catalog.entrypoints.public_rate import RateLimited, RequestBudget
from services.catalog.tests.api_support import Headers, register_provider
from services.catalog.tests.test_offers_by_id_api import publish


async def test_published_offers_are_read_without_a_token_withdrawn_ones_never(
    api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    await register_provider(api, admin, "vhs-schwerte")
    provider = token("provider", "vhs-schwerte")
    kept, withdrawn = [await publish(api, provider, f"Kurs {n}") for n in range(2)]
    await api.delete(f"/v1/offers/{withdrawn}", headers=provider | {"If-Match": '"1"'})

    listed = await api.get("/v1/public/offers")
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [o["id"] for o in items] == [kept]
    assert items[0]["provider_name"] == "VHS Schwerte"
    assert "status" not in items[0]
    assert (await api.get(f"/v1/public/offers/{kept}")).json()["title"] == {"de": "Kurs 0"}
    gone = await api.get(f"/v1/public/offers/{withdrawn}")
    assert gone.status_code == 404
    assert (await api.get("/v1/public/offers/no-such-offer")).status_code == 404


async def test_the_published_offers_page_with_a_cursor(
    api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> None:
    await register_provider(api, admin, "vhs-schwerte")
    provider = token("provider", "vhs-schwerte")
    ids = [await publish(api, provider, f"Kurs {n}") for n in range(3)]
    first = (await api.get("/v1/public/offers", params={"limit": 2})).json()
    second = (
        await api.get("/v1/public/offers", params={"limit": 2, "cursor": first["next_cursor"]})
    ).json()
    assert [o["id"] for o in first["items"] + second["items"]] == ids
    assert second["next_cursor"] is None


async def test_a_bad_limit_is_refused_naming_the_field(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/public/offers", params={"limit": 5000})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("limit")
    garbled = await api.get("/v1/public/offers", params={"cursor": "not-a-cursor"})
    assert garbled.status_code == 422
    assert garbled.json()["errors"] == [
        {"field": "cursor", "reason": "not a cursor this API returned"}
    ]


async def test_a_client_beyond_its_budget_is_told_when_to_come_back(
    api: httpx.AsyncClient,
) -> None:
    api_app = api._transport.app  # type: ignore[attr-defined]
    api_app.state.public_budget = RequestBudget(per_minute=60, burst=2)
    assert [(await api.get("/v1/public/offers")).status_code for _ in range(2)] == [200, 200]
    refused = await api.get("/v1/public/offers")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_a_budget_refills_with_time_and_is_kept_per_client() -> None:
    budget = RequestBudget(per_minute=60, burst=1)
    budget.spend("a", now=0.0)
    budget.spend("b", now=0.0)
    with pytest.raises(RateLimited) as refused:
        budget.spend("a", now=0.5)
    assert refused.value.retry_after == 1
    budget.spend("a", now=1.0)

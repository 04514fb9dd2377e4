"""Providers' lists of offers sort by start or title, page by offset, and say how many there are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from services.catalog.tests.api_support import Headers, offer_body, register_provider

# Title, start date: given out of order so that no order of insertion passes by chance.
OFFERS = [
    ("Cafe Sprachtreff", "2027-03-01"),
    ("alphabetisierung", None),
    ("Beratung", "2027-01-11"),
    ("Deutsch B2", "2027-02-01"),
    ("elternkurs", None),
]


@pytest.fixture
async def provider(
    api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> Headers:
    await register_provider(api, admin, "vhs-schwerte")
    headers = token("provider", "vhs-schwerte")
    for title, start in OFFERS:
        body = offer_body(title={"de": title, "en": "Zzz"}, start_date=start)
        assert (await api.post("/v1/offers", json=body, headers=headers)).status_code == 201
    return headers


async def listed(api: httpx.AsyncClient, headers: Headers, **params: Any) -> dict[str, Any]:
    response = await api.get("/v1/offers", params=params, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def titles(page: dict[str, Any]) -> list[str]:
    return [o["title"]["de"] for o in page["items"]]


async def test_offers_sort_by_start_date_with_those_without_one_last(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    ascending = titles(await listed(api, provider, sort="start_date"))
    assert ascending[:3] == ["Beratung", "Deutsch B2", "Cafe Sprachtreff"]
    assert sorted(ascending[3:]) == ["alphabetisierung", "elternkurs"]
    descending = titles(await listed(api, provider, sort="-start_date"))
    assert descending[:3] == ["Cafe Sprachtreff", "Deutsch B2", "Beratung"]
    assert sorted(descending[3:]) == ["alphabetisierung", "elternkurs"]


async def test_offers_sort_by_german_title_whatever_its_case(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    page = await listed(api, provider, sort="title")
    assert titles(page) == [
        "alphabetisierung",
        "Beratung",
        "Cafe Sprachtreff",
        "Deutsch B2",
        "elternkurs",
    ]
    assert page["next_cursor"] is None


async def test_an_offset_pages_through_a_sorted_list_and_total_counts_every_page(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    first = await listed(api, provider, sort="title", limit=2, total="true")
    second = await listed(api, provider, sort="title", limit=2, offset=2, total="true")
    last = await listed(api, provider, sort="title", limit=2, offset=4)
    assert titles(first) + titles(second) + titles(last) == titles(
        await listed(api, provider, sort="title")
    )
    assert (first["total"], second["total"]) == (5, 5)
    assert last.get("total") is None


async def test_start_filters_include_their_ends_and_leave_out_offers_without_a_start(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    both = await listed(
        api,
        provider,
        sort="start_date",
        start_from="2027-01-11",
        start_until="2027-02-01",
        total="true",
    )
    assert titles(both) == ["Beratung", "Deutsch B2"]
    assert both["total"] == 2
    later = await listed(api, provider, start_from="2027-02-01", sort="start_date")
    assert titles(later) == ["Deutsch B2", "Cafe Sprachtreff"]
    until = await listed(api, provider, start_until="2027-01-31", total="true")
    assert (titles(until), until["total"]) == (["Beratung"], 1)


async def test_total_counts_with_the_filters_of_the_keyset_order_too(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    page = await listed(api, provider, q="deutsch", total="true", limit=1)
    assert page["total"] == 1
    everything = await listed(api, provider, total="true", limit=2)
    assert everything["total"] == 5
    assert everything["next_cursor"] is not None


async def test_a_cursor_with_another_sort_is_refused_naming_the_cursor(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    cursor = (await listed(api, provider, limit=2))["next_cursor"]
    response = await api.get(
        "/v1/offers", params={"sort": "title", "cursor": cursor}, headers=provider
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "price"}, "sort"),
        ({"offset": -1}, "offset"),
        ({"offset": 100_001}, "offset"),
        ({"start_from": "soon"}, "start_from"),
        ({"start_from": "2027-02-01", "start_until": "2027-01-01"}, "start_until"),
    ],
)
async def test_bad_list_parameters_are_refused_naming_them(
    api: httpx.AsyncClient, provider: Headers, params: dict[str, Any], field: str
) -> None:
    response = await api.get("/v1/offers", params=params, headers=provider)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]

"""If-Match on offers and needs as RFC 9110 has it: strong comparison, lists, `*`, 400, 412, 428."""

from __future__ import annotations

import httpx
import pytest

from lotse_catalog.adapters import orm
from lotse_catalog.bootstrap import Catalog
from services.catalog.tests.api_support import (
    Headers,
    count,
    need_body,
    offer_body,
    outbox,
)


async def offer_url(api: httpx.AsyncClient, provider: Headers) -> str:
    response = await api.post("/v1/offers", json=offer_body(), headers=provider)
    assert response.status_code == 201, response.text
    return f"/v1/offers/{response.json()['id']}"


async def need_url(api: httpx.AsyncClient, advisor: Headers) -> str:
    response = await api.post("/v1/needs", json=need_body(), headers=advisor)
    assert response.status_code == 201, response.text
    return f"/v1/needs/{response.json()['id']}"


async def free_places(
    api: httpx.AsyncClient, url: str, provider: Headers, if_match: str
) -> httpx.Response:
    return await api.patch(
        url, json={"places_available": 3}, headers=provider | {"If-Match": if_match}
    )


async def events(catalog: Catalog) -> int:
    return len(await outbox(catalog))


# Well-formed entity tags that are not the current one: the condition is false, so 412.
NOT_CURRENT = ['"abc"', '"2"', 'W/"1"', '"01"', '"2", "3"', '"abc", W/"1"', '""']
# Neither * nor a list of entity tags: 400, naming the header.
MALFORMED = ["1", "abc", '"1', '"1" "2"', "W/1", '*, "1"', ",", '"a"b"']
REFUSED = [(tag, 412) for tag in NOT_CURRENT] + [(header, 400) for header in MALFORMED]


@pytest.mark.parametrize(("if_match", "status"), REFUSED)
async def test_an_offer_change_is_refused_unless_if_match_holds(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog, if_match: str, status: int
) -> None:
    url = await offer_url(api, provider)
    before = await events(catalog)
    response = await free_places(api, url, provider, if_match)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    if status == 400:
        assert [error["field"] for error in response.json()["errors"]] == ["If-Match"]
    assert (await api.get(url, headers=provider)).json()["places_available"] == 5
    assert await events(catalog) == before


@pytest.mark.parametrize("if_match", ["*", '"1"', '"7", "1"', 'W/"1", "1"', ' "1" , ,'])
async def test_an_offer_changes_when_if_match_names_its_version_or_any(
    api: httpx.AsyncClient, provider: Headers, if_match: str
) -> None:
    response = await free_places(api, await offer_url(api, provider), provider, if_match)
    assert response.status_code == 200, response.text
    assert (response.json()["places_available"], response.headers["ETag"]) == (3, '"2"')


async def test_if_match_any_does_not_conjure_an_offer_that_does_not_exist(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    response = await api.patch(
        "/v1/offers/no-such-offer",
        json={"places_available": 3},
        headers=provider | {"If-Match": "*"},
    )
    assert response.status_code == 404


async def test_an_offer_is_withdrawn_against_any_version_but_not_against_another(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    url = await offer_url(api, provider)
    stale = await api.delete(url, headers=provider | {"If-Match": '"abc"'})
    assert stale.status_code == 412
    withdrawn = await api.delete(url, headers=provider | {"If-Match": "*"})
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")


@pytest.mark.parametrize(("if_match", "status"), REFUSED)
async def test_a_need_change_is_refused_unless_if_match_holds(
    api: httpx.AsyncClient, advisor: Headers, catalog: Catalog, if_match: str, status: int
) -> None:
    url = await need_url(api, advisor)
    before = await events(catalog)
    changed = await api.put(url, json=need_body(age=35), headers=advisor | {"If-Match": if_match})
    closed = await api.post(f"{url}/close", headers=advisor | {"If-Match": if_match})
    assert (changed.status_code, closed.status_code) == (status, status)
    if status == 400:
        assert [error["field"] for error in changed.json()["errors"]] == ["If-Match"]
    assert (await api.get(url, headers=advisor)).json()["age"] == 34
    assert await events(catalog) == before


async def test_a_need_changes_and_closes_against_any_version(
    api: httpx.AsyncClient, advisor: Headers, catalog: Catalog
) -> None:
    url = await need_url(api, advisor)
    changed = await api.put(url, json=need_body(age=35), headers=advisor | {"If-Match": "*"})
    assert (changed.status_code, changed.json()["version"]) == (200, 2)
    closed = await api.post(f"{url}/close", headers=advisor | {"If-Match": '"1", "2"'})
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert await count(catalog, orm.needs) == 1


async def test_a_missing_if_match_still_asks_for_one(
    api: httpx.AsyncClient, advisor: Headers, provider: Headers
) -> None:
    need, offer = await need_url(api, advisor), await offer_url(api, provider)
    assert (await api.put(need, json=need_body(), headers=advisor)).status_code == 428
    assert (await api.delete(offer, headers=provider)).status_code == 428

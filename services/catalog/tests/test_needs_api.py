"""Advisors keep their own pseudonymous needs; a need's personal side never leaves the catalog."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from lotse_catalog.adapters import orm
from lotse_catalog.bootstrap import Catalog
from lotse_catalog.domain.model import now
from lotse_catalog.service_layer.needs import erase_expired_needs
from services.catalog.tests.api_support import Headers, count, need_body, outbox, register_advisor


@pytest.fixture
async def other_advisor(
    api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> Headers:
    await register_advisor(api, admin, "adv-2")
    return token("advisor", "adv-2")


async def register(
    api: httpx.AsyncClient, headers: Headers, **changes: object
) -> dict[str, object]:
    response = await api.post("/v1/needs", json=need_body(**changes), headers=headers)
    assert response.status_code == 201, response.text
    result: dict[str, object] = response.json()
    return result


async def test_a_need_gets_a_reference_and_its_case_reference_is_never_published(
    api: httpx.AsyncClient, advisor: Headers, catalog: Catalog
) -> None:
    need = await register(
        api, advisor, categories=["language_course", "language_course", "counselling"]
    )
    assert str(need["reference"]).startswith("UNN-")
    assert len(str(need["reference"])) == 10
    assert need["categories"] == ["language_course", "counselling"]
    assert need["case_reference"] == "MBE-2026-0412"
    assert need["expires_on"] == str((now() + timedelta(days=180)).date())
    [event] = [e for e in await outbox(catalog) if e["topic"] == "lotse.needs"]
    assert (event["key"], event["type"]) == (need["id"], "lotse.need.registered.v1")
    assert "MBE-2026-0412" not in json.dumps(await outbox(catalog))
    assert "case_reference" not in event["data"]


@pytest.mark.parametrize("field", ["name", "birth_date", "nationality", "phone", "passport_number"])
async def test_a_need_with_personal_data_is_refused_and_nothing_stored(
    api: httpx.AsyncClient, advisor: Headers, catalog: Catalog, field: str
) -> None:
    response = await api.post("/v1/needs", json=need_body(**{field: "x"}), headers=advisor)
    assert response.status_code == 422
    assert f"{field}: personal data is never stored" in response.json()["detail"]
    assert await count(catalog, orm.needs) == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"age": 130}, "age"),
        ({"categories": []}, "categories"),
        ({"municipality": "05913000"}, "municipality"),
        ({"german_level": "D1"}, "german_level"),
        ({"case_reference": "x" * 65}, "case_reference"),
        ({"max_travel_km": -1}, "max_travel_km"),
    ],
)
async def test_an_invalid_need_is_refused_naming_the_field(
    api: httpx.AsyncClient,
    advisor: Headers,
    catalog: Catalog,
    changes: dict[str, object],
    field: str,
) -> None:
    response = await api.post("/v1/needs", json=need_body(**changes), headers=advisor)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await count(catalog, orm.needs) == 0


async def test_an_advisor_sees_only_their_own_needs(
    api: httpx.AsyncClient, advisor: Headers, other_advisor: Headers
) -> None:
    mine = await register(api, advisor)
    theirs = await register(api, other_advisor)
    assert [n["id"] for n in (await api.get("/v1/needs", headers=advisor)).json()["items"]] == [
        mine["id"]
    ]
    assert (await api.get(f"/v1/needs/{theirs['id']}", headers=advisor)).status_code == 404
    changed = await api.put(
        f"/v1/needs/{theirs['id']}", json=need_body(), headers=advisor | {"If-Match": '"1"'}
    )
    assert changed.status_code == 404
    assert (await api.delete(f"/v1/needs/{theirs['id']}", headers=advisor)).status_code == 404
    assert (await api.get(f"/v1/needs/{theirs['id']}", headers=other_advisor)).status_code == 200


async def test_an_advisors_needs_come_in_pages_newest_change_first(
    api: httpx.AsyncClient, advisor: Headers, other_advisor: Headers
) -> None:
    ids = [(await register(api, advisor))["id"] for _ in range(5)]
    await register(api, other_advisor)
    newest = ids[::-1]
    params = {"newest_first": "true", "limit": "2"}
    first = (await api.get("/v1/needs", params=params, headers=advisor)).json()
    second = (await api.get("/v1/needs", params=params | {"offset": "2"}, headers=advisor)).json()
    assert [n["id"] for n in first["items"] + second["items"]] == newest[:4]
    assert first["total"] == second["total"] == 5
    everything = (await api.get("/v1/needs", headers=advisor)).json()
    assert [n["id"] for n in everything["items"]] == ids and everything["total"] == 5
    too_many = await api.get("/v1/needs", params={"limit": "501"}, headers=advisor)
    assert too_many.status_code == 422


@pytest.mark.parametrize("role", ["admin", "provider"])
async def test_only_advisors_work_with_needs(
    api: httpx.AsyncClient, token: Callable[..., Headers], role: str
) -> None:
    headers = token(role, "x")
    assert (await api.post("/v1/needs", json=need_body(), headers=headers)).status_code == 403
    assert (await api.get("/v1/needs", headers=headers)).status_code == 403


async def test_an_unregistered_advisor_cannot_register_needs(
    api: httpx.AsyncClient, token: Callable[..., Headers], catalog: Catalog
) -> None:
    response = await api.post("/v1/needs", json=need_body(), headers=token("advisor", "ghost"))
    assert response.status_code == 403
    assert await count(catalog, orm.needs) == 0


async def test_a_need_is_changed_against_its_version_and_then_closed(
    api: httpx.AsyncClient, advisor: Headers, catalog: Catalog
) -> None:
    need = await register(api, advisor)
    url = f"/v1/needs/{need['id']}"
    assert (await api.put(url, json=need_body(age=35), headers=advisor)).status_code == 428
    changed = await api.put(url, json=need_body(age=35), headers=advisor | {"If-Match": '"1"'})
    assert changed.status_code == 200
    assert (changed.json()["age"], changed.json()["version"]) == (35, 2)
    assert (
        await api.post(f"{url}/close", headers=advisor | {"If-Match": '"1"'})
    ).status_code == 412
    closed = await api.post(f"{url}/close", headers=advisor | {"If-Match": '"2"'})
    assert closed.json()["status"] == "closed"
    types = [e["type"] for e in await outbox(catalog) if e["key"] == need["id"]]
    assert types == ["lotse.need.registered.v1", "lotse.need.updated.v1", "lotse.need.closed.v1"]


async def test_erasing_a_need_deletes_it_and_publishes_a_tombstone(
    api: httpx.AsyncClient, advisor: Headers, catalog: Catalog
) -> None:
    need = await register(api, advisor)
    response = await api.delete(f"/v1/needs/{need['id']}", headers=advisor)
    assert response.status_code == 204
    assert await count(catalog, orm.needs) == 0
    # Its registration, never relayed, is gone with it: only the tombstone is left to send.
    [last] = [row for row in await outbox(catalog) if row["key"] == need["id"]]
    assert (last["topic"], last["key"], last["data"]) == ("lotse.needs", need["id"], None)
    assert (await api.get(f"/v1/needs/{need['id']}", headers=advisor)).status_code == 404


async def test_expired_needs_are_erased_through_the_same_path(
    api: httpx.AsyncClient, advisor: Headers, catalog: Catalog
) -> None:
    expiring = await register(api, advisor)
    assert await erase_expired_needs(catalog.uow(), now().date()) == 0
    later = now().date() + timedelta(days=181)
    assert await erase_expired_needs(catalog.uow(), later) == 1
    assert await count(catalog, orm.needs) == 0
    last = (await outbox(catalog))[-1]
    assert (last["key"], last["data"]) == (expiring["id"], None)

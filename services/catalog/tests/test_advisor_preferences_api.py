"""Advisors change their own language and notification preference, and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lotse_catalog.bootstrap import Catalog
from services.catalog.tests.api_support import Headers, outbox, register_advisor

URL = "/v1/advisors/adv-1/preferences"
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture
async def advisor(api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]) -> Headers:
    await register_advisor(api, admin, "adv-1")
    return token("advisor", "adv-1", **MERGE_PATCH)


async def stored(api: httpx.AsyncClient, admin: Headers) -> dict[str, Any]:
    response = await api.get("/v1/advisors/adv-1", headers=admin)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_reading_an_advisor_sends_its_version_as_etag(
    api: httpx.AsyncClient, advisor: Headers
) -> None:
    response = await api.get("/v1/advisors/adv-1", headers=advisor)
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'


async def test_an_advisor_changes_their_own_preferences_and_it_is_published(
    api: httpx.AsyncClient, advisor: Headers, catalog: Catalog
) -> None:
    patch = {"language": "en", "notifications": {"mode": "daily_digest", "digest_hour": 7}}
    response = await api.patch(URL, json=patch, headers=advisor | {"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    body = response.json()
    assert response.headers["ETag"] == '"2"'
    assert (body["version"], body["language"], body["name"]) == (2, "en", "Aylin Demir")
    # Fields of the preference not sent keep their value.
    assert body["notifications"] == {"mode": "daily_digest", "digest_hour": 7, "min_score": 0.0}
    event = (await outbox(catalog))[-1]
    assert (event["topic"], event["key"], event["type"]) == (
        "lotse.directory",
        "adv-1",
        "lotse.advisor.updated.v1",
    )
    assert (event["data"]["version"], event["data"]["language"]) == (2, "en")
    assert event["data"]["notifications"]["mode"] == "daily_digest"
    assert event["data"]["notifications"]["digest_hour"] == 7


async def test_an_admin_may_change_an_advisors_preferences(
    api: httpx.AsyncClient, advisor: Headers, admin: Headers
) -> None:
    response = await api.patch(
        URL, json={"notifications": {"min_score": 0.6}}, headers=admin | {"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.json()["notifications"]["min_score"] == 0.6


async def test_another_advisor_is_told_there_is_no_such_advisor(
    api: httpx.AsyncClient, advisor: Headers, admin: Headers, token: Callable[..., Headers]
) -> None:
    other = token("advisor", "adv-2", **MERGE_PATCH) | {"If-Match": '"1"'}
    response = await api.patch(URL, json={"language": "en"}, headers=other)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    missing = await api.patch(
        "/v1/advisors/adv-9/preferences", json={"language": "en"}, headers=other
    )
    assert (missing.status_code, missing.json()["title"]) == (404, response.json()["title"])
    assert (await stored(api, admin))["language"] == "de"


async def test_a_provider_may_not_change_an_advisors_preferences(
    api: httpx.AsyncClient, advisor: Headers, admin: Headers, token: Callable[..., Headers]
) -> None:
    provider = token("provider", "vhs-schwerte") | {"If-Match": '"1"'}
    response = await api.patch(URL, json={"language": "en"}, headers=provider)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert (await stored(api, admin))["version"] == 1


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"name": "Someone Else"}, "name"),
        ({"email": "other@ki.example"}, "email"),
        ({"language": "en", "organisation": "Elsewhere"}, "organisation"),
        ({"notifications": {"mode": "immediate", "channel": "sms"}}, "notifications.channel"),
    ],
)
async def test_only_language_and_notifications_may_be_changed(
    api: httpx.AsyncClient,
    advisor: Headers,
    admin: Headers,
    catalog: Catalog,
    patch: dict[str, Any],
    field: str,
) -> None:
    before, events = await stored(api, admin), len(await outbox(catalog))
    response = await api.patch(URL, json=patch, headers=advisor | {"If-Match": '"1"'})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert await stored(api, admin) == before
    assert len(await outbox(catalog)) == events


async def test_a_stale_version_is_refused(
    api: httpx.AsyncClient, advisor: Headers, admin: Headers, catalog: Catalog
) -> None:
    changed = await api.patch("/v1/advisors/adv-1", json={"name": "A. Demir"}, headers=admin)
    assert changed.headers["ETag"] == '"2"'
    before = len(await outbox(catalog))
    response = await api.patch(URL, json={"language": "en"}, headers=advisor | {"If-Match": '"1"'})
    assert response.status_code == 412
    assert response.headers["content-type"] == "application/problem+json"
    assert ((await stored(api, admin))["language"], len(await outbox(catalog))) == ("de", before)


async def test_a_change_without_if_match_is_refused(
    api: httpx.AsyncClient, advisor: Headers, admin: Headers
) -> None:
    response = await api.patch(URL, json={"language": "en"}, headers=advisor)
    assert response.status_code == 428
    assert (await stored(api, admin))["language"] == "de"


@pytest.mark.parametrize("hour", [-1, 24])
async def test_a_digest_hour_outside_the_day_is_refused_naming_the_field(
    api: httpx.AsyncClient, advisor: Headers, admin: Headers, hour: int
) -> None:
    response = await api.patch(
        URL, json={"notifications": {"digest_hour": hour}}, headers=advisor | {"If-Match": '"1"'}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["notifications.digest_hour"]
    assert (await stored(api, admin))["notifications"]["digest_hour"] == 8


async def test_null_resets_a_preference_to_its_default(
    api: httpx.AsyncClient, advisor: Headers
) -> None:
    first = await api.patch(
        URL,
        json={"language": "en", "notifications": {"mode": "daily_digest"}},
        headers=advisor | {"If-Match": '"1"'},
    )
    assert first.status_code == 200, first.text
    reset = await api.patch(
        URL, json={"language": None, "notifications": None}, headers=advisor | {"If-Match": '"2"'}
    )
    assert reset.status_code == 200, reset.text
    assert (reset.json()["language"], reset.json()["notifications"]["mode"]) == ("de", "immediate")

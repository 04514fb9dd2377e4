"""Admins keep the directory; every token is checked before anything else happens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from lotse_catalog.adapters import orm
from lotse_catalog.bootstrap import Catalog
from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role
from services.catalog.tests.api_support import (
    SECRET,
    Headers,
    count,
    outbox,
    register_advisor,
    register_provider,
)


async def test_an_admin_registers_and_changes_a_provider(
    api: httpx.AsyncClient, admin: Headers, catalog: Catalog
) -> None:
    await register_provider(api, admin, "vhs-schwerte")
    changed = await api.patch(
        "/v1/providers/vhs-schwerte", json={"website": "https://vhs.example"}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["website"], changed.json()["version"]) == ("https://vhs.example", 2)
    types = [e["type"] for e in await outbox(catalog)]
    assert types == ["lotse.provider.registered.v1", "lotse.provider.updated.v1"]


async def test_an_advisor_is_registered_with_preferences_and_deactivated(
    api: httpx.AsyncClient, admin: Headers, catalog: Catalog, token: Callable[..., Headers]
) -> None:
    body = {
        "id": "adv-1",
        "name": "Aylin Demir",
        "email": "a.demir@ki.example",
        "organisation": "KI Kreis Unna",
        "municipality": "05978028",
        "language": "en",
        "notifications": {"mode": "daily_digest", "digest_hour": 7, "min_score": 0.4},
    }
    created = await api.post("/v1/advisors", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["notifications"]["mode"] == "daily_digest"
    own = await api.get("/v1/advisors/adv-1", headers=token("advisor", "adv-1"))
    assert own.status_code == 200
    assert (
        await api.get("/v1/advisors/adv-1", headers=token("advisor", "adv-2"))
    ).status_code == 403
    removed = await api.delete("/v1/advisors/adv-1", headers=admin)
    assert removed.json()["active"] is False
    event = (await outbox(catalog))[-1]
    assert (event["type"], event["data"]["active"]) == ("lotse.advisor.removed.v1", False)


async def test_an_advisor_id_can_be_registered_once(
    api: httpx.AsyncClient, admin: Headers, catalog: Catalog
) -> None:
    await register_advisor(api, admin, "adv-1")
    again = await api.post(
        "/v1/advisors",
        json={"id": "adv-1", "name": "B", "email": "b@ki.example", "organisation": "KI"},
        headers=admin,
    )
    assert again.status_code == 409
    assert await count(catalog, orm.advisors) == 1


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/v1/providers"),
        ("patch", "/v1/providers/vhs"),
        ("delete", "/v1/providers/vhs"),
        ("post", "/v1/advisors"),
        ("get", "/v1/advisors"),
        ("patch", "/v1/advisors/adv-1"),
        ("delete", "/v1/advisors/adv-1"),
    ],
)
@pytest.mark.parametrize("role", ["provider", "advisor"])
async def test_only_admins_manage_the_directory(
    api: httpx.AsyncClient, token: Callable[..., Headers], method: str, url: str, role: str
) -> None:
    response = await api.request(method, url, json={}, headers=token(role, "x"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "url", ["/v1/offers", "/v1/needs", "/v1/providers", "/v1/advisors", "/v1/offers/x"]
)
async def test_without_a_token_nothing_is_shown(api: httpx.AsyncClient, url: str) -> None:
    response = await api.get(url)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_an_expired_token_is_refused(api: httpx.AsyncClient) -> None:
    stale = JwtCodec(SECRET).issue(
        "ki-admin", Role.ADMIN, now=datetime.now(UTC) - timedelta(days=2)
    )
    response = await api.get("/v1/providers", headers={"Authorization": f"Bearer {stale}"})
    assert response.status_code == 401


async def test_a_token_signed_with_another_key_is_refused(api: httpx.AsyncClient) -> None:
    forged = JwtCodec("another-key-that-is-also-long-enough-0123456789").issue(
        "ki-admin", Role.ADMIN
    )
    response = await api.get("/v1/providers", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


async def test_health_needs_no_token(api: httpx.AsyncClient) -> None:
    assert (await api.get("/healthz")).status_code == 200

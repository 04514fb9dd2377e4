"""The delivery log over HTTP: advisors see their own, coordinators everyone's, nobody else anything."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from lotse_notifications.bootstrap import Notifications
from lotse_notifications.entrypoints.api import create_app
from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role
from services.notifications.tests.conftest import SECRET
from services.notifications.tests.support import advisor, deliver, match


@pytest.fixture
async def api(notifications: Notifications) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(notifications))
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as client:
        yield client


def bearer(role: str, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {JwtCodec(SECRET).issue(sub, Role(role))}"}


async def test_an_advisor_sees_their_own_deliveries_and_an_admin_sees_all(
    notifications: Notifications, api: httpx.AsyncClient
) -> None:
    await deliver(notifications, advisor())
    await deliver(notifications, match(title="Erster Kurs"))
    other = match(title="Fremder Kurs").model_copy(update={"advisor_id": "adv-2"})
    await deliver(notifications, other)
    assert await notifications.send_due() == 1

    mine = await api.get("/v1/notifications", headers=bearer("advisor", "adv-1"))
    assert mine.status_code == 200
    [entry] = mine.json()
    assert (entry["offer_title"], entry["status"], entry["kind"]) == (
        "Erster Kurs",
        "sent",
        "match_found",
    )
    assert entry["sent_at"] is not None

    everyone = await api.get("/v1/notifications", headers=bearer("admin", "ki"))
    assert sorted(e["advisor_id"] for e in everyone.json()) == ["adv-1", "adv-2"]
    pending = await api.get("/v1/notifications?status=pending", headers=bearer("admin", "ki"))
    assert [e["advisor_id"] for e in pending.json()] == ["adv-2"]


async def test_the_log_is_closed_to_providers_and_strangers(api: httpx.AsyncClient) -> None:
    assert (await api.get("/v1/notifications")).status_code == 401
    forged = {"Authorization": "Bearer " + JwtCodec("x" * 40).issue("adv-1", Role.ADVISOR)}
    assert (await api.get("/v1/notifications", headers=forged)).status_code == 401
    response = await api.get("/v1/notifications", headers=bearer("provider", "vhs-schwerte"))
    assert response.status_code == 403


async def test_a_bad_filter_names_the_field(api: httpx.AsyncClient) -> None:
    response = await api.get("/v1/notifications?status=lost&limit=0", headers=bearer("admin", "ki"))
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"status", "limit"}

"""Coordinators see the emails that failed for good and the advisors whose emails keep failing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest

from lotse_notifications.bootstrap import Notifications
from lotse_notifications.entrypoints.api import create_app
from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role
from services.notifications.tests.conftest import SECRET
from services.notifications.tests.support import Clock, advisor, deliver, match


@pytest.fixture
async def api(notifications: Notifications) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(notifications))
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as client:
        yield client


def bearer(role: str, sub: str = "ki") -> dict[str, str]:
    return {"Authorization": f"Bearer {JwtCodec(SECRET).issue(sub, Role(role))}"}


async def register(notifications: Notifications, advisor_id: str) -> None:
    await deliver(
        notifications,
        advisor().model_copy(
            update={"advisor_id": advisor_id, "email": f"{advisor_id}@ki.example"}
        ),
    )


async def news_for(notifications: Notifications, advisor_id: str, reference: str) -> str:
    found = match(reference=reference).model_copy(update={"advisor_id": advisor_id})
    await deliver(notifications, found)
    return found.match_id


@pytest.fixture
async def troubles(
    notifications: Notifications, smtp_server: tuple[int, Any], clock: Clock
) -> dict[str, Any]:
    """adv-2 was refused for good 40 days ago and is being retried now; adv-1 was refused
    twice today; adv-3's email went out."""
    _, inbox = smtp_server
    for advisor_id in ("adv-1", "adv-2", "adv-3"):
        await register(notifications, advisor_id)
    inbox.reply = "550 mailbox unavailable"
    old = await news_for(notifications, "adv-2", "UNN-7K3Q9A")
    await notifications.send_due()
    clock.advance(days=40)
    today = [
        await news_for(notifications, "adv-1", "UNN-7K3Q9B"),
        await news_for(notifications, "adv-1", "UNN-7K3Q9C"),
    ]
    await notifications.send_due()
    inbox.reply = "451 try again later"
    await news_for(notifications, "adv-2", "UNN-7K3Q9D")
    await notifications.send_due()
    inbox.reply = None
    await news_for(notifications, "adv-3", "UNN-7K3Q9E")
    assert await notifications.send_due() == 1
    return {"old": old, "today": today, "now": clock.now}


async def problems(api: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await api.get("/v1/delivery-problems", params=params, headers=bearer("admin"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_failed_deliveries_of_the_window_are_listed_and_grouped_per_advisor(
    api: httpx.AsyncClient, troubles: dict[str, Any]
) -> None:
    found = await problems(api)
    assert sorted(f["match_id"] for f in found["failed"]) == sorted(troubles["today"])
    assert {f["status"] for f in found["failed"]} == {"failed"}
    assert {f["advisor_id"] for f in found["failed"]} == {"adv-1"}
    first, second = found["advisors"]
    assert (first["advisor_id"], first["failed"], first["retrying"]) == ("adv-1", 2, 0)
    assert first["last_error"].startswith("550")
    assert datetime.fromisoformat(first["last_failed_at"]) == troubles["now"]
    assert (second["advisor_id"], second["failed"], second["retrying"]) == ("adv-2", 0, 1)
    assert second["last_error"].startswith("451")


async def test_a_wider_window_takes_older_failures_in_and_the_latest_error_wins(
    api: httpx.AsyncClient, troubles: dict[str, Any]
) -> None:
    found = await problems(api, days=60)
    assert troubles["old"] in [f["match_id"] for f in found["failed"]]
    assert [f["match_id"] for f in found["failed"]][-1] == troubles["old"]  # newest first
    by_advisor = {a["advisor_id"]: a for a in found["advisors"]}
    assert [a["advisor_id"] for a in found["advisors"]] == ["adv-1", "adv-2"]
    assert (by_advisor["adv-2"]["failed"], by_advisor["adv-2"]["retrying"]) == (1, 1)
    assert by_advisor["adv-2"]["last_error"].startswith("451")
    assert datetime.fromisoformat(by_advisor["adv-2"]["last_failed_at"]) == troubles["now"]


async def test_without_failures_there_are_no_problems(api: httpx.AsyncClient) -> None:
    assert await problems(api) == {"failed": [], "advisors": []}


async def test_only_admins_see_delivery_problems(api: httpx.AsyncClient) -> None:
    for role in ("advisor", "provider"):
        response = await api.get("/v1/delivery-problems", headers=bearer(role, "adv-1"))
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
    assert (await api.get("/v1/delivery-problems")).status_code == 401


@pytest.mark.parametrize("days", [0, 366, "month"])
async def test_a_bad_window_names_the_field(api: httpx.AsyncClient, days: object) -> None:
    response = await api.get(
        "/v1/delivery-problems", params={"days": days}, headers=bearer("admin")
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["days"]

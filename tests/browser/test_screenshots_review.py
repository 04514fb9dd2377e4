"""Pictures of the review's pages, as ``make screenshots`` writes them into docs/screenshots/.

With the review as a district runs it: the provider's first offer is published after the KI
approved it, a change to it waits, a new offer came back with a change request, and an
advisor is reporting a problem.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import Stack
from tests.browser.test_screenshots import folder  # noqa: F401 - the same folder fixture
from tests.processes import ADMIN, offer_body

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.browser]


async def _sent(client: httpx.AsyncClient, stack: Stack, saved: httpx.Response) -> dict[str, Any]:
    assert saved.status_code == 202, saved.text
    body = saved.json()
    sent = await client.post(f"/v1/offers/{body['offer_id']}/submit",
                             headers=stack.provider | {"If-Match": f'"{body["version"]}"'})  # fmt: skip
    assert sent.status_code == 200, sent.text
    review: dict[str, Any] = sent.json()
    return review


async def _decide(
    client: httpx.AsyncClient, review: dict[str, Any], decision: str, comment: str | None = None
) -> None:
    answer = await client.post(
        f"/v1/offers/{review['offer_id']}/decisions",
        json={"revision": review["pending"]["number"], "decision": decision, "comment": comment},
        headers=ADMIN,
    )
    assert answer.status_code == 200, answer.text


async def give_the_review_work(stack: Stack) -> str:
    """A published offer with a change waiting, and a new one sent back: the changed one's id."""
    published = offer_body("Deutschkurs A1 am Vormittag", "language_course") | {
        "places_total": 16, "places_available": 4, "times_of_day": ["morning"],
        "location": {"municipality": "05978028", "address": "Rathausstraße 31"}}  # fmt: skip
    async with httpx.AsyncClient(base_url=stack.services["catalog"].url) as client:
        first = await _sent(client, stack, await client.post("/v1/offers", json=published,
                                                              headers=stack.provider))  # fmt: skip
        await _decide(client, first, "approved")
        changed = published | {
            "title": {"de": "Deutschkurs A1 am Vormittag und Abend"},
            "times_of_day": ["morning", "evening"], "places_total": 20,
            "location": {"municipality": "05978028", "address": "Hüsingstraße 40"}}  # fmt: skip
        change = await client.put(f"/v1/offers/{first['offer_id']}", json=changed,
                                  headers=stack.provider | {"If-Match": '"1"'})  # fmt: skip
        await _sent(client, stack, change)
        other = offer_body("Sprachcafé für Eltern", "leisure")
        sent_back = await _sent(client, stack, await client.post("/v1/offers", json=other,
                                                                  headers=stack.provider))  # fmt: skip
        await _decide(
            client,
            sent_back,
            "changes_requested",
            "Bitte Ort und Uhrzeit ergänzen: Eltern müssen wissen, wann und wo.",
        )
    return str(first["offer_id"])


async def test_every_review_page_is_photographed(
    browser: Browser,
    reviewing_stack: Stack,
    folder: Path,  # noqa: F811 - the fixture imported above
) -> None:
    stack = reviewing_stack
    offer_id = await give_the_review_work(stack)
    context = await browser.new_context(viewport={"width": 1100, "height": 800}, locale="de-DE")
    page = await context.new_page()

    async def shoot(name: str) -> None:
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await page.screenshot(path=str(folder / f"review-{name}.png"), full_page=True)

    async def sign_in(name: str) -> None:
        await page.context.clear_cookies()
        await page.goto(f"{stack.url}/sign-in")
        await page.get_by_role("button", name=f"Als {name} anmelden").click()

    await sign_in("KI Koordination")
    await page.goto(f"{stack.url}/coordinator/reviews")
    await shoot("queue")
    await page.goto(f"{stack.url}/coordinator/reviews/{offer_id}")
    await shoot("side-by-side")
    await sign_in("VHS Schwerte")
    await page.goto(f"{stack.url}/provider/offers")
    await shoot("provider-offers")
    await page.get_by_role("link", name="Sprachcafé für Eltern").click()
    await shoot("provider-changes-requested")
    await sign_in(stack.advisor_name)
    await page.goto(f"{stack.url}/offers/{offer_id}/report")
    await page.get_by_label("Es ist voll, zeigt aber freie Plätze").check()
    await page.get_by_label("Ein paar Worte (freiwillig)").fill(
        "Laut Kursleitung seit zwei Wochen voll, hier stehen noch 4 freie Plätze."
    )
    await shoot("report")
    await context.close()
    written = await asyncio.to_thread(lambda: sorted(folder.glob("review-*.png")))
    assert len(written) == 5, written
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in written)

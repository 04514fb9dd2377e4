"""Pictures of the coordinators' pages, as ``make screenshots`` writes them into docs/screenshots/.

The desk gets figures first: needs and offers in several municipalities, some
emails the mail server refuses, a message from the feedback form.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, expect

from lotse_shared.identity import Role
from tests.browser.conftest import Stack
from tests.browser.test_screenshots import folder  # noqa: F401 - the same folder fixture
from tests.processes import ADMIN, bearer, offer_body

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.browser]

BERGKAMEN, KAMEN, LUENEN, SCHWERTE, UNNA, WERNE = (
    "05978004", "05978020", "05978024", "05978028", "05978036", "05978040",
)  # fmt: skip
# (municipality, kind, how many needs); every need travels 3 km at most, so where it lives counts.
NEEDS = ((UNNA, "language_course", 7), (LUENEN, "language_course", 6),
         (SCHWERTE, "language_course", 3), (KAMEN, "language_course", 5),
         (BERGKAMEN, "language_course", 2), (UNNA, "counselling", 2),
         (LUENEN, "recognition", 5), (SCHWERTE, "integration_course", 6))  # fmt: skip
# (municipality, kind, title, free places, German level from): Kamen's course is too advanced.
OFFERS = ((UNNA, "language_course", "Deutschkurs A1 am Vormittag", 4, "A0"),
          (SCHWERTE, "language_course", "Deutsch im Alltag", 9, "A0"),
          (KAMEN, "language_course", "Deutschkurs B2", 6, "B1"),
          (WERNE, "language_course", "Deutsch für Eltern", 12, "A0"),
          (UNNA, "counselling", "Migrationsberatung", 20, "A0"),
          (SCHWERTE, "integration_course", "Integrationskurs", 2, "A0"))  # fmt: skip


PROVIDERS = (
    {"id": "awo-unna", "name": "AWO Unterbezirk Unna", "contact_email": "integration@awo.example",
     "municipality": UNNA, "website": "https://www.awo.example"},
    {"id": "sprachschule-kamen", "name": "Sprachschule Kamen", "municipality": KAMEN,
     "contact_email": "kurse@sprachschule-kamen.example"},
)  # fmt: skip


@pytest.fixture(autouse=True)
def frequent_snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Matching takes stock every few seconds, so this week's trend holds the figures below."""
    monkeypatch.setenv("MATCHING_COVERAGE_SNAPSHOT_MINUTES", "0.05")


async def give_the_desk_figures(stack: Stack) -> None:
    catalog = stack.services["catalog"].url
    advisor = bearer(stack.advisor_id, Role.ADVISOR)
    async with httpx.AsyncClient(base_url=catalog) as client:
        for provider in PROVIDERS:
            answer = await client.post("/v1/providers", json=provider, headers=ADMIN)
            assert answer.status_code == 201, answer.text
        for town, kind, title, free, level in OFFERS:
            body: dict[str, Any] = offer_body(title, kind) | {
                "location": {"municipality": town}, "places_total": 20,
                "places_available": free, "german_level_min": level}  # fmt: skip
            answer = await client.post("/v1/offers", json=body, headers=stack.provider)
            assert answer.status_code == 201, answer.text
        for town, kind, count in NEEDS:
            for n in range(count):
                need = {"municipality": town, "age": 25 + n, "categories": [kind],
                        "max_travel_km": 3, "german_level": "A0"}  # fmt: skip
                answer = await client.post("/v1/needs", json=need, headers=advisor)
                assert answer.status_code == 201, answer.text


async def test_every_coordinator_page_is_photographed(
    browser: Browser,
    stack: Stack,
    folder: Path,  # noqa: F811 - the fixture imported above
    smtp_server: tuple[int, Any],
) -> None:
    _, inbox = smtp_server
    inbox.reply = "550 5.1.1 mailbox unavailable"  # the advisor's emails fail for good
    try:
        await give_the_desk_figures(stack)
        context = await browser.new_context(viewport={"width": 1100, "height": 800}, locale="de-DE")
        page = await context.new_page()

        async def shoot(name: str) -> None:
            await page.screenshot(path=str(folder / f"coordinator-{name}.png"), full_page=True)

        await page.goto(f"{stack.url}/feedback?page=/coordinator/coverage")
        await page.locator("#field-message").fill(
            "Die Grafik auf der Versorgungsseite ist mit der Bildschirmlupe schwer zu lesen."
        )
        await page.locator("#field-reply_to").fill("m.yilmaz@kreis-unna.example")
        await page.get_by_role("button", name="Senden").click()
        await page.goto(f"{stack.url}/sign-in")
        await page.get_by_role("button", name="Als KI Koordination anmelden").click()
        deadline = time.monotonic() + 30
        while True:  # until matching has consumed every need
            await page.goto(f"{stack.url}/coordinator/coverage?category=language_course")
            row = page.locator("#coverage-table tbody tr").filter(has_text="Lünen")
            if await row.count() and "6" in await row.first.inner_text():
                break
            assert time.monotonic() < deadline, "matching never counted the needs"
            await asyncio.sleep(0.5)
        await page.goto(f"{stack.url}/coordinator/coverage")
        await shoot("coverage")
        while True:  # until matching took stock after that: Lünen's 6 + 5 needs this week
            await page.goto(f"{stack.url}/coordinator/trend")
            row = page.locator("table.trend tbody tr").filter(has_text="Lünen")
            if await row.count() and (await row.first.locator("td").last.inner_text()) == "11":
                break
            assert time.monotonic() < deadline + 30, "matching never took stock of the needs"
            await asyncio.sleep(1)
        await shoot("trend")
        for path, name in (
            ("/coordinator/providers", "providers"),
            (f"/coordinator/providers/{stack.provider_id}/deactivate", "deactivate-provider"),
            ("/coordinator/delivery-problems", "delivery-problems"),
            ("/admin/feedback", "feedback"),
        ):
            await page.goto(stack.url + path)
            await expect(page.get_by_role("heading", level=1)).to_be_visible()
            await shoot(name)
        await context.close()
    finally:
        inbox.reply = None
    written = await asyncio.to_thread(pictures, folder)
    assert len(written) == 6, sorted(written)
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in written.values())


def pictures(where: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(where.glob("coordinator-*.png"))}

"""Pictures of every advisor page, as ``make screenshots`` writes them into docs/screenshots/.

In ``make test`` they go to a temporary folder: the pages must still render, in
a real browser, on the real stack.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.browser.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.browser]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    chosen = Path(os.environ.get("LOTSE_SCREENSHOTS") or tmp_path)
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


def pictures(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("advisor-*.png"))}


async def test_every_advisor_page_is_photographed(
    browser: Browser, stack: Stack, folder: Path
) -> None:
    # A browser set to German, as the KI's are: date fields then read TT.MM.JJJJ.
    context = await browser.new_context(viewport={"width": 1100, "height": 800}, locale="de-DE")
    page = await context.new_page()

    async def shoot(name: str) -> None:
        await page.screenshot(path=str(folder / f"advisor-{name}.png"), full_page=True)

    await page.goto(f"{stack.url}/sign-in")
    await shoot("sign-in")
    await page.get_by_role("button", name=f"Als {stack.advisor_name} anmelden").click()
    await page.goto(f"{stack.url}/needs/new")
    await page.get_by_role("button", name="Bedarf erfassen").click()
    await shoot("register-need-errors")
    await page.get_by_label("Ihr Aktenzeichen (optional)").fill("MBE-2026-0412")
    await page.get_by_label("Stadt oder Gemeinde, in der die Person wohnt").select_option(
        label="Schwerte"
    )
    await page.get_by_label("Alter in Jahren").fill("34")
    await page.get_by_label("Arabisch").check()
    await page.get_by_label("Deutschkurs", exact=True).check()
    await page.get_by_role("button", name="Bedarf erfassen").click()
    need_url = page.url
    offer = await stack.post_offer("Deutschkurs B1 am Vormittag")
    await expect(page.get_by_role("link", name="Deutschkurs B1 am Vormittag")).to_be_visible(
        timeout=15_000
    )
    await shoot("need")
    for path, name in (
        ("/needs", "my-needs"),
        (f"{need_url.removeprefix(stack.url)}/edit", "change-need"),
        (f"{need_url.removeprefix(stack.url)}/erase", "erase-need"),
        ("/offers", "offers"),
        (f"/offers/{offer['id']}", "offer"),
        ("/emails", "my-emails"),
        ("/settings", "my-settings"),
        ("/accessibility", "accessibility"),
        ("/feedback", "feedback"),
    ):
        await page.goto(stack.url + path)
        await shoot(name)
    await page.get_by_role("button", name="English").click()
    await page.goto(need_url)
    await shoot("need-en")
    await context.close()
    written = await asyncio.to_thread(pictures, folder)
    assert len(written) == 13, sorted(written)
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in written.values())

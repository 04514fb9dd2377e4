"""Pictures of the public finder in German, Arabic and Ukrainian, for docs/screenshots/.

In ``make test`` they go to a temporary folder: the pages must still render, in
a real browser, on the real stack.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.browser.conftest import Stack
from tests.browser.test_finder import publish_arabic_offer
from tests.browser.test_screenshots import folder  # noqa: F401 - the fixture

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.browser]


def pictures(where: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(where.glob("finder-*.png"))}


async def test_the_finder_is_photographed_in_german_arabic_and_ukrainian(
    browser: Browser,
    stack: Stack,
    folder: Path,  # noqa: F811 - the fixture
) -> None:
    offer = await publish_arabic_offer(stack)
    await stack.post_offer("Sprachcafé Schwerte")
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    for code in ("de", "ar", "uk"):
        for path, name in (
            ("", "search"),
            (f"/angebot/{offer['id']}", "offer"),
        ):
            await page.goto(f"{stack.url}/angebote/{code}{path}")
            await page.screenshot(path=str(folder / f"finder-{name}-{code}.png"), full_page=True)
    await page.goto(f"{stack.url}/angebote/ls/art/integration_course")
    await page.screenshot(path=str(folder / "finder-kind-ls.png"), full_page=True)
    await page.goto(f"{stack.url}/angebote/ar/handzettel?angebot={offer['id']}")
    await page.emulate_media(media="print")
    await page.screenshot(path=str(folder / "finder-handout-ar.png"), full_page=True)
    narrow = await browser.new_context(viewport={"width": 320, "height": 640})
    small = await narrow.new_page()
    await small.goto(f"{stack.url}/angebote/ar/angebot/{offer['id']}")
    await small.screenshot(path=str(folder / "finder-offer-ar-320.png"), full_page=True)
    await narrow.close()
    await context.close()
    written = await asyncio.to_thread(pictures, folder)
    assert len(written) == 9, sorted(written)
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in written.values())

"""Pictures of the providers' pages, as ``make screenshots`` writes them into docs/screenshots/.

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
from tests.browser.test_provider_desk import ARABIC, CSV_WITH_A_BAD_ROW, register_need
from tests.processes import SCHWERTE

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.browser]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    chosen = Path(os.environ.get("LOTSE_SCREENSHOTS") or tmp_path)
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


def pictures(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("provider-*.png"))}


async def test_every_provider_page_is_photographed(
    browser: Browser, stack: Stack, folder: Path, tmp_path: Path
) -> None:
    await register_need(stack)
    for title in ("Alphabetisierungskurs für Frauen", "Sprachcafé am Donnerstag"):
        await stack.post_offer(title)
    # A browser set to German, as the providers' are: date fields then read TT.MM.JJJJ.
    context = await browser.new_context(viewport={"width": 1100, "height": 800}, locale="de-DE")
    page = await context.new_page()

    async def shoot(name: str) -> None:
        await page.screenshot(path=str(folder / f"provider-{name}.png"), full_page=True)

    await page.goto(f"{stack.url}/sign-in")
    await page.get_by_role("button", name="Als VHS Schwerte anmelden").click()
    await page.goto(f"{stack.url}/provider/offers/new")
    await page.get_by_label("Titel auf Deutsch").fill("Deutschkurs A1 am Vormittag")
    await page.get_by_label("Beschreibung auf Deutsch").fill(
        "Für Menschen ohne Deutschkenntnisse. Bitte bringen Sie einen Stift mit."
    )
    await page.get_by_text("Titel und Beschreibung in anderen Sprachen").click()
    await page.get_by_label("Titel auf Arabisch (optional)").fill(ARABIC)
    await page.get_by_label("Art des Angebots").select_option("language_course")
    await page.get_by_label("Stadt oder Gemeinde des Veranstaltungsorts").select_option(SCHWERTE)
    await page.get_by_label("Straße und Hausnummer (optional)").fill("Rathausstraße 31")
    await page.get_by_label("Vormittags").check()
    await page.get_by_label("Beginn (optional)").fill("2027-02-01")
    await page.get_by_label("Plätze insgesamt (optional)").fill("16")
    await page.get_by_label("Freie Plätze (optional)").fill("5")
    await shoot("offer-form")
    await page.get_by_role("button", name="Vorschau").press("Enter")
    await expect(page.locator("article.advisor-view")).to_be_visible()
    await shoot("preview")
    await page.get_by_role("button", name="Angebot veröffentlichen").click()
    await expect(page.get_by_role("status")).to_contain_text("veröffentlicht")
    offer_path = page.url.removeprefix(stack.url)
    await shoot("offer")
    await page.goto(f"{stack.url}/provider/offers")
    await shoot("my-offers")
    await page.goto(f"{stack.url}{offer_path}/withdraw")
    await shoot("withdraw")
    upload = tmp_path / "angebote.csv"
    upload.write_text(CSV_WITH_A_BAD_ROW, "utf-8")
    await page.goto(f"{stack.url}/provider/import")
    await page.get_by_label("Datei (CSV oder JSON)").set_input_files(upload)
    await page.get_by_label("Die fehlerfreien Zeilen importieren und die anderen melden").check()
    await page.get_by_role("button", name="Importieren").click()
    await expect(page.locator("table tbody tr")).to_have_count(1)
    await shoot("import-report")
    await context.close()
    written = await asyncio.to_thread(pictures, folder)
    assert len(written) == 6, sorted(written)
    assert all(png[:8] == b"\x89PNG\r\n\x1a\n" for png in written.values())

"""The KI coordinators' desk in a real browser, on the real stack.

A coordinator registers a provider, watches the coverage desk change after a need
without any fitting offer is registered, and downloads the CSV: no need count
between 1 and 4 in it. axe-core on every coordinator page in German and English;
the directory form with the keyboard alone; an advisor refused on every page.
"""

from __future__ import annotations

import asyncio
import csv
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from lotse_shared.identity import Role
from tests.browser.conftest import Stack
from tests.browser.test_advisor_journey import Audit, sign_in_as
from tests.browser.test_keyboard_and_layout import tab_to
from tests.processes import bearer

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.browser]

COORDINATOR = "KI Koordination"
UNNA = "05978036"
PAGES = ("/coordinator/coverage", "/coordinator/coverage?category=recognition",
         "/coordinator/trend", "/coordinator/trend?by=category&figure=open_needs",
         "/coordinator/providers", "/coordinator/providers?q=vhs", "/coordinator/providers/new",
         "/coordinator/advisors", "/coordinator/advisors/new",
         "/coordinator/delivery-problems", "/admin/feedback")  # fmt: skip


async def register_need(stack: Stack, municipality: str, categories: list[str]) -> dict[str, Any]:
    """A need registered through the catalog's API by the stack's advisor."""
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{stack.services['catalog'].url}/v1/needs",
            json={"municipality": municipality, "age": 31, "categories": categories},
            headers=bearer(stack.advisor_id, Role.ADVISOR),
        )
    assert answer.status_code == 201, answer.text
    need: dict[str, Any] = answer.json()
    return need


async def coverage_cell(page: Page, town: str, column: int) -> str:
    """The text of one figure of the coverage table's row for ``town`` (1: open needs)."""
    row = page.locator("#coverage-table tbody tr").filter(
        has=page.get_by_role("rowheader", name=town, exact=True)
    )
    if await row.count() == 0:
        return ""
    text = await row.first.locator("td").nth(column).inner_text()
    return text.strip().splitlines()[0]  # without the note for screen readers after it


def need_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return [row[name] for row in csv.DictReader(file)
                for name in ("open_needs", "needs_without_match")]  # fmt: skip


async def test_a_coordinator_registers_a_provider_and_sees_a_gap_appear_on_the_coverage_desk(
    browser: Browser, stack: Stack, tmp_path: Path
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await sign_in_as(page, stack, COORDINATOR)
    menu = page.get_by_role("navigation", name="Hauptmenü")
    await menu.get_by_role("link", name="Anbieter", exact=True).click()
    await page.get_by_role("link", name="Anbieter eintragen").click()
    run = uuid.uuid4().hex[:6]
    await page.get_by_label("Kennung (freiwillig)").fill(f"awo-{run}")
    await page.get_by_label("Name", exact=True).fill(f"AWO Unna {run}")
    await page.get_by_label("E-Mail-Adresse für Kontakt").fill("integration@awo-unna.example")
    await page.get_by_label("Sitz (freiwillig)").select_option(label="Unna")
    await page.get_by_role("button", name="Anbieter eintragen").click()
    await expect(page.get_by_role("status")).to_contain_text(f"AWO Unna {run} wurde eingetragen")
    await expect(page.get_by_role("rowheader", name=f"AWO Unna {run}")).to_be_visible()

    await page.goto(f"{stack.url}/coordinator/coverage?category=recognition")
    before = await coverage_cell(page, "Unna", 1)
    await register_need(stack, UNNA, ["recognition"])  # no offer of that kind anywhere
    deadline = time.monotonic() + 30
    while (cell := await coverage_cell(page, "Unna", 2)) == before or not cell:
        assert time.monotonic() < deadline, "the coverage desk never showed the new need"
        await asyncio.sleep(0.5)
        await page.reload()
    assert await coverage_cell(page, "Unna", 1) == "< 5"
    assert await coverage_cell(page, "Unna", 2) == "< 5"  # the need has no match at all
    await expect(page.get_by_role("img", name="Karte", exact=False)).to_be_visible()

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Als CSV herunterladen").click()
    download = await download_info.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    cells = need_cells(saved)
    assert "< 5" in cells
    assert not [c for c in cells if c.strip() in ("1", "2", "3", "4")], cells
    await context.close()


async def test_every_coordinator_page_passes_axe_in_german_and_english(
    browser: Browser, stack: Stack, axe_script: Path
) -> None:
    await stack.post_offer("Deutschkurs A1 am Abend")
    await register_need(stack, UNNA, ["language_course", "counselling"])
    audit = Audit(axe_script)
    context = await browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await sign_in_as(page, stack, COORDINATOR)
    every_page = (*PAGES, f"/coordinator/providers/{stack.provider_id}/edit",
                  f"/coordinator/providers/{stack.provider_id}/deactivate",
                  f"/coordinator/advisors/{stack.advisor_id}/edit",
                  f"/coordinator/advisors/{stack.advisor_id}/deactivate")  # fmt: skip
    for language in ("Deutsch", "English"):
        if language == "English":
            await page.get_by_role("button", name="English").click()
            await expect(page.locator("html")).to_have_attribute("lang", "en")
        for path in every_page:
            answer = await page.goto(stack.url + path)
            assert answer is not None and answer.status == 200, path
            await audit.check(page, path)
        await page.goto(f"{stack.url}/coordinator/providers/new")
        await page.locator("form[novalidate] button[type=submit]").click()
        await expect(page.get_by_role("alert")).to_be_visible()
        await audit.check(page, "register a provider (errors)")
    await context.close()
    print(f"\naxe per coordinator page: {audit.results}")
    assert not audit.failures, "\n\n".join(audit.failures)


async def test_a_provider_is_registered_with_the_keyboard_alone(
    browser: Browser, stack: Stack
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await sign_in_as(page, stack, COORDINATOR)
    await page.goto(f"{stack.url}/coordinator/providers")
    await tab_to(page, "el.getAttribute('href') === '/coordinator/providers/new'")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Anbieter eintragen")
    await tab_to(page, "el.id === 'field-name'")
    await page.keyboard.type("Sprachschule Kamen")
    await tab_to(page, "el.id === 'field-contact_email'")
    await page.keyboard.type("kein-at-zeichen")
    await tab_to(page, "el.type === 'submit'")
    await page.keyboard.press("Enter")
    # The refusal comes back with the summary focusable and the typed text kept.
    await expect(page.get_by_role("alert")).to_contain_text("E-Mail-Adresse")
    await expect(page.locator("#field-name")).to_have_value("Sprachschule Kamen")
    await tab_to(page, "el.id === 'field-contact_email'")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("info@sprachschule-kamen.example")
    await tab_to(page, "el.id === 'field-municipality'")
    await page.keyboard.type("Kamen")
    await tab_to(page, "el.type === 'submit'")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Sprachschule Kamen wurde eingetragen")
    await context.close()


async def test_an_advisor_gets_the_403_page_on_every_coordinator_page(
    browser: Browser, stack: Stack
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await sign_in_as(page, stack, stack.advisor_name)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meine Bedarfe")
    for path in (*PAGES, "/coordinator/coverage.csv",
                 f"/coordinator/providers/{stack.provider_id}/deactivate"):  # fmt: skip
        answer = await page.goto(stack.url + path)
        assert answer is not None and answer.status == 403, path
        await expect(page.get_by_role("heading", level=1)).to_have_text("Nicht für Ihre Rolle")
    # The same holds for a form posted directly, with the advisor's own valid token.
    csrf = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    for path in ("/coordinator/providers/new", f"/coordinator/providers/{stack.provider_id}"
                 "/deactivate"):  # fmt: skip
        answer = await page.request.post(stack.url + path, form={"csrf_token": csrf or "",
                                                                 "name": "Fremd"})  # fmt: skip
        assert answer.status == 403 and "Nicht für Ihre Rolle" in await answer.text(), path
    async with httpx.AsyncClient() as client:
        providers = (await client.get(f"{stack.services['catalog'].url}/v1/providers",
                                      headers=stack.provider)).json()  # fmt: skip
    assert [p["name"] for p in providers] == ["VHS Schwerte"]
    assert all(p["active"] for p in providers)
    await context.close()

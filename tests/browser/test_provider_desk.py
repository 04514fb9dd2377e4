"""A provider's desk in a real browser, on the real stack, checked by axe-core on every page.

Publish an offer in German and Arabic with the keyboard alone, see it proposed for a
fitting need, set it full from the list, and the advisor's page lets it go; import a
CSV with a bad row; and nobody opens what is not theirs.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from lotse_shared.identity import Role
from tests.browser.conftest import Stack
from tests.browser.test_advisor_journey import Audit
from tests.browser.test_keyboard_and_layout import named, tab_to
from tests.processes import ADMIN, SCHWERTE, bearer, offer_body

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.browser]

ARABIC = "دورة اللغة الألمانية للمبتدئين"
CSV_WITH_A_BAD_ROW = (
    "title_de;description_de;category;municipality;contact_email\n"
    "Deutschkurs A1 Import;Vormittags;language_course;05978028;kurse@vhs.example\n"
    "Kochkurs;Abends;cooking;05978028;kurse@vhs.example\n"
)


async def signed_in(browser: Browser, stack: Stack, name: str) -> tuple[BrowserContext, Page]:
    # axe is injected as a script: the test's context lets it past the page's CSP.
    context = await browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(f"{stack.url}/sign-in")
    await page.get_by_role("button", name=f"Als {name} anmelden").click()
    return context, page


async def register_need(stack: Stack) -> dict[str, Any]:
    """A need in Schwerte for a German course: what the form's offer fits."""
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{stack.services['catalog'].url}/v1/needs",
            json={"municipality": SCHWERTE, "age": 30, "categories": ["language_course"]},
            headers=bearer(stack.advisor_id, Role.ADVISOR),
        )
    assert answer.status_code == 201, answer.text
    need: dict[str, Any] = answer.json()
    return need


async def until_row_says(page: Page, offer_id: str, text: str, timeout: float = 20) -> None:
    """Reload "My offers" until the offer's row says ``text``: matching works on its own time."""
    row = page.locator(f"#offer-{offer_id}")
    deadline = time.monotonic() + timeout
    while text not in await row.inner_text():
        assert time.monotonic() < deadline, f"the row never said {text!r}"
        await asyncio.sleep(0.5)
        await page.reload()


async def publish_with_the_keyboard(page: Page, stack: Stack, title: str) -> str:
    """The offer form with Tab, typing, Space and Enter only; returns the new offer's id."""
    await page.goto(f"{stack.url}/provider/offers/new")
    await tab_to(page, "el.id === 'field-title_de'")
    await page.keyboard.type(title)
    await tab_to(page, "el.id === 'field-description_de'")
    await page.keyboard.type("Für Menschen mit ersten Deutschkenntnissen.")
    await tab_to(page, "el.tagName === 'SUMMARY'")
    await page.keyboard.press("Enter")  # opens the other languages
    await tab_to(page, "el.id === 'field-title_ar'")
    await page.keyboard.type(ARABIC)
    await tab_to(page, "el.id === 'field-category'")
    await page.keyboard.type("Deutschkurs")
    await tab_to(page, "el.id === 'field-municipality'")
    await page.keyboard.type("Schwerte")
    await tab_to(page, "el.id === 'field-places_available'")
    await page.keyboard.type("3")
    await tab_to(page, named("Angebot veröffentlichen"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("veröffentlicht")
    return page.url.rsplit("/", 1)[-1]


async def test_a_provider_publishes_in_german_and_arabic_and_full_ends_the_match(
    browser: Browser, stack: Stack
) -> None:
    need = await register_need(stack)
    context, page = await signed_in(browser, stack, "VHS Schwerte")
    title = f"Deutschkurs A1 {uuid.uuid4().hex[:6]}"
    offer_id = await publish_with_the_keyboard(page, stack, title)
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)

    await page.goto(f"{stack.url}/provider/offers")
    await until_row_says(page, offer_id, "1 Bedarf")
    await tab_to(page, f"el.id === 'full-{offer_id}'")
    await page.keyboard.press("Enter")  # htmx swaps the row; the page stays
    await expect(page.locator("#messages")).to_contain_text("ist jetzt voll")
    await expect(page.locator(f"#places-{offer_id}")).to_have_value("0")
    await until_row_says(page, offer_id, "0 Bedarfe")
    await context.close()

    advisor, need_page = await signed_in(browser, stack, stack.advisor_name)
    await need_page.goto(f"{stack.url}/needs/{need['id']}")
    await expect(need_page.locator("ol.matches").get_by_role("link", name=title)).to_have_count(0)
    await expect(need_page.locator(".ended")).to_contain_text(title)
    await advisor.close()


async def test_a_partial_import_reports_the_bad_rows_field_and_reason(
    browser: Browser, stack: Stack, tmp_path: Path
) -> None:
    context, page = await signed_in(browser, stack, "VHS Schwerte")
    await page.goto(f"{stack.url}/provider/import")
    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="Vorlage herunterladen").click()
    saved = Path(await (await downloading.value).path())
    template = await asyncio.to_thread(saved.read_text, "utf-8")
    assert "title_de" in template.splitlines()[0].split(";") and len(template.splitlines()) == 2
    upload = tmp_path / "angebote.csv"
    upload.write_text(CSV_WITH_A_BAD_ROW, "utf-8")
    await page.get_by_label("Datei (CSV oder JSON)").set_input_files(upload)
    await page.get_by_label("Die fehlerfreien Zeilen importieren und die anderen melden").check()
    await page.get_by_role("button", name="Importieren").click()
    await expect(page.locator(".import-report .notice")).to_contain_text(
        "1 Angebot wurde importiert"
    )
    problem = page.locator("table tbody tr")
    await expect(problem).to_have_count(1)
    await expect(problem.locator("th")).to_have_text("3")  # as the spreadsheet counts
    await expect(problem.locator("td").nth(0)).to_have_text("category")
    await expect(problem.locator("td").nth(1)).to_have_text(
        "Bitte wählen Sie eine der Möglichkeiten aus."
    )
    await expect(page.get_by_role("link", name="Deutschkurs A1 Import")).to_be_visible()
    await context.close()


async def test_every_provider_page_has_no_axe_violations_in_german_and_english(
    browser: Browser, stack: Stack, axe_script: Path, tmp_path: Path
) -> None:
    audit = Audit(axe_script)
    await register_need(stack)
    posted = await stack.post_offer(f"Sprachcafé {uuid.uuid4().hex[:6]}")
    offer_id = posted["id"]
    upload = tmp_path / "angebote.csv"
    upload.write_text(CSV_WITH_A_BAD_ROW, "utf-8")
    context, page = await signed_in(browser, stack, "VHS Schwerte")
    for language in ("Deutsch", "English"):
        if language == "English":
            await page.get_by_role("button", name="English").click()
            await expect(page.locator("html")).to_have_attribute("lang", "en")
        for path, name in (
            ("/provider/offers", "my offers"),
            (f"/provider/offers/{offer_id}", "my offer"),
            (f"/provider/offers/{offer_id}/edit", "change an offer"),
            (f"/provider/offers/{offer_id}/duplicate", "duplicate an offer"),
            (f"/provider/offers/{offer_id}/withdraw", "withdraw (confirm)"),
            ("/provider/import", "import"),
        ):
            await page.goto(stack.url + path)
            await audit.check(page, name)
        await page.goto(f"{stack.url}/provider/offers/new")
        await page.locator("details.languages > summary").click()
        await page.locator("#field-title_ar").fill(ARABIC)
        await audit.check(page, "new offer (Arabic title typed)")
        await page.locator("form.offer-form button.button:not(.secondary)").click()
        await expect(page.locator("#error-summary")).to_be_visible()
        await audit.check(page, "new offer (errors)")
        await page.locator("#field-title_de").fill("Deutschkurs A2")
        await page.locator("#field-description_de").fill("Abends")
        await page.locator("#field-category").select_option("language_course")
        await page.locator("#field-municipality").select_option(SCHWERTE)
        await page.locator("form.offer-form button[formaction]").click()
        await expect(page.locator("article.advisor-view")).to_be_visible()
        await audit.check(page, "preview")
        await page.goto(f"{stack.url}/provider/import")
        await page.locator("#field-file").set_input_files(upload)
        await page.locator("#mode-partial").check()
        await page.locator("form[enctype] button[type=submit]").click()
        await expect(page.locator("table tbody tr")).to_have_count(1)
        await audit.check(page, "import report")
    await context.close()
    print(f"\naxe per provider page: {audit.results}")
    assert len(audit.results) == 20
    assert not audit.failures, "\n\n".join(audit.failures)


async def test_nobody_opens_what_is_not_theirs_by_link_or_by_posting_directly(
    browser: Browser, stack: Stack
) -> None:
    other = f"awo-{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient() as client:
        catalog = stack.services["catalog"].url
        registered = await client.post(f"{catalog}/v1/providers", headers=ADMIN, json={
            "id": other, "name": "AWO Unna", "contact_email": "info@awo.example"})  # fmt: skip
        assert registered.status_code == 201, registered.text
        theirs = await client.post(f"{catalog}/v1/offers", headers=bearer(other, Role.PROVIDER),
                                   json=offer_body("Kurs der AWO", "language_course"))  # fmt: skip
        assert theirs.status_code == 201, theirs.text
    offer_id = theirs.json()["id"]
    context, page = await signed_in(browser, stack, "VHS Schwerte")
    opened = await page.goto(f"{stack.url}/provider/offers/{offer_id}/edit")
    assert opened is not None and opened.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
    csrf = await page.locator("input[name=csrf_token]").first.get_attribute("value")
    form = {"csrf_token": csrf or "", "version": "1", "places_available": "0",
            "title_de": "Übernommen", "description_de": "x", "category": "leisure",
            "municipality": SCHWERTE, "contact_email": "a@vhs.example"}  # fmt: skip
    for action in ("edit", "places", "withdraw"):
        posted = await page.request.post(
            f"{stack.url}/provider/offers/{offer_id}/{action}", form=form, max_redirects=0
        )
        assert posted.status == 404, action
    async with httpx.AsyncClient() as client:
        unchanged = (await client.get(f"{catalog}/v1/offers/{offer_id}", headers=ADMIN)).json()
    assert unchanged["version"] == 1 and unchanged["status"] == "published"
    await context.close()

    advisor, page = await signed_in(browser, stack, stack.advisor_name)
    refused = await page.goto(f"{stack.url}/provider/offers")
    assert refused is not None and refused.status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text("Nicht für Ihre Rolle")
    await advisor.close()

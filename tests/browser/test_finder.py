"""The public finder on the real stack: languages and direction, filters, the printed handout.

A provider publishes through the catalog's API; the finder shows it to anyone,
without a sign-in, in the chosen language; the handout prints to PDF with a QR
code that a decoder reads back as the offer's address.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pypdfium2
import pytest
import zxingcpp
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import Stack, axe_violations, describe
from tests.browser.test_keyboard_and_layout import tab_to
from tests.processes import offer_body

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.browser]

ARABIC = "دورة ألمانية للنساء في شفيرته"
VARIANTS = ["de", "ls", "en", "ar", "uk", "tr", "fa", "ru"]


async def publish_arabic_offer(stack: Stack) -> dict[str, Any]:
    german = f"Deutschkurs für Frauen {uuid.uuid4().hex[:6]}"
    body = offer_body(german, "language_course") | {
        "title": {"de": german, "ar": ARABIC},
        "description": {"de": "Vormittags, mit Kinderbetreuung.", "ar": "في الصباح، مع رعاية الأطفال."},
        "age_min": 18, "age_max": 65, "support_languages": ["ar"], "times_of_day": ["morning"],
        "childcare": True, "how_to_apply": "Anmeldung im Bürgerbüro, Zimmer 3",
    }  # fmt: skip
    async with httpx.AsyncClient() as client:
        posted = await client.post(
            f"{stack.services['catalog'].url}/v1/offers", json=body, headers=stack.provider
        )
    assert posted.status_code == 201, posted.text
    answer: dict[str, Any] = posted.json()
    return answer


async def direction(page: Page, selector: str) -> str:
    found: str = await page.eval_on_selector(selector, "el => getComputedStyle(el).direction")
    return found


async def test_arabic_shows_the_arabic_title_right_to_left_ukrainian_the_german_and_age_filters(
    browser: Browser, stack: Stack
) -> None:
    offer = await publish_arabic_offer(stack)
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    await page.goto(f"{stack.url}/angebote/ar")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    card = page.locator(f"#offer-{offer['id']}")
    await expect(card).to_have_text(ARABIC)
    assert await direction(page, f"#offer-{offer['id']}") == "rtl"
    assert await card.locator("[lang=de]").count() == 0

    await page.goto(f"{stack.url}/angebote/uk")
    await expect(page.locator("html")).to_have_attribute("lang", "uk")
    german = page.locator(f"#offer-{offer['id']} [lang=de]")
    await expect(german).to_have_text(offer["title"]["de"])
    await expect(page.locator(f"article:has(#offer-{offer['id']}) .fallback-note")).to_have_text(
        "Назва лише німецькою."
    )
    assert await context.cookies() == []  # no cookie, not even the language

    # Someone of 70 does not see an offer for 18 to 65; someone of 30 does.
    await page.goto(f"{stack.url}/angebote/ar")
    await page.get_by_label("عمرك").fill("70")
    await page.get_by_role("button", name="اعرض العروض").click()
    await expect(page.locator(f"#offer-{offer['id']}")).to_have_count(0)
    await page.get_by_label("عمرك").fill("30")
    await page.get_by_role("button", name="اعرض العروض").click()
    await expect(page.locator(f"#offer-{offer['id']}")).to_have_count(1)
    await context.close()


async def test_the_handout_prints_with_a_qr_code_that_opens_the_offers_page(
    browser: Browser, stack: Stack
) -> None:
    offer = await publish_arabic_offer(stack)
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{stack.url}/angebote/ar/angebot/{offer['id']}")
    await page.get_by_role("link", name="اطبع ورقة معلومات").click()
    await expect(page.get_by_role("heading", level=2)).to_have_text(ARABIC)
    await page.emulate_media(media="print")
    await expect(page.locator(".site-header")).to_be_hidden()  # the print styles apply
    pdf = await page.pdf(format="A4", print_background=True)
    await context.close()

    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) == 1
        text = document[0].get_textpage().get_text_range()
        assert "kurse@vhs.example" in text
        image = document[0].render(scale=3).to_numpy()
    finally:
        document.close()
    decoded = [found.text for found in zxingcpp.read_barcodes(image)]
    assert decoded == [f"{stack.url}/angebote/ar/angebot/{offer['id']}"]


async def finder_pages(stack: Stack, offer_id: str, code: str) -> list[str]:
    base = f"{stack.url}/angebote/{code}"
    return [
        base,
        f"{base}?age=old&kind=language_course",  # with an error summary
        f"{base}/angebot/{offer_id}",
        f"{base}/art/integration_course",
        f"{base}/handzettel?angebot={offer_id}",
        f"{base}/angebot/no-such-offer",
    ]


async def test_every_finder_page_in_every_variant_passes_axe(
    browser: Browser, stack: Stack, axe_script: Any
) -> None:
    offer = await publish_arabic_offer(stack)
    # axe-core comes in as a script tag of its own, which the pages' CSP would refuse.
    context = await browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    found: dict[str, str] = {}
    checked = 0
    kinds = [f"{stack.url}/angebote/de/art/{k}" for k in (
        "language_course", "vocational_language_course", "school_place", "vocational_training",
        "recognition", "counselling", "qualification", "leisure", "childcare")]  # fmt: skip
    for code in VARIANTS:
        for url in [
            *await finder_pages(stack, offer["id"], code),
            *(kinds if code == "de" else []),
        ]:
            await page.goto(url)
            checked += 1
            if violations := await axe_violations(page, axe_script):
                found[url] = describe(violations)
    assert found == {}
    assert checked == 8 * 6 + 9
    await context.close()


async def test_the_finder_works_with_the_keyboard_alone(browser: Browser, stack: Stack) -> None:
    offer = await publish_arabic_offer(stack)
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    await page.goto(f"{stack.url}/angebote/de")
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    await tab_to(page, "el.getAttribute('hreflang') === 'ar'")
    await page.keyboard.press("Enter")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await tab_to(page, "el.id === 'field-age'")
    await page.keyboard.type("30")
    await page.keyboard.press("Enter")
    await expect(page.get_by_label("عمرك")).to_have_value("30")
    await tab_to(page, f"el.id === 'pick-{offer['id']}'")
    await page.keyboard.press("Space")
    await tab_to(page, "el.closest('#handout-form') !== null")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=2)).to_have_text(ARABIC)
    await page.go_back()
    await tab_to(page, f"el.getAttribute('href') === '/angebote/ar/angebot/{offer['id']}'")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text(ARABIC)
    await context.close()


@pytest.mark.parametrize("code", ["ar", "de", "ru"])
async def test_the_finder_fits_a_320_px_screen(browser: Browser, stack: Stack, code: str) -> None:
    offer = await publish_arabic_offer(stack)
    context = await browser.new_context(viewport={"width": 320, "height": 640})
    page = await context.new_page()
    for url in await finder_pages(stack, offer["id"], code):
        await page.goto(url)
        wide = await page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= 320, f"{url} is {wide} px wide"
    await context.close()

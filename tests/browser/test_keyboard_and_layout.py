"""The advisor's pages with the keyboard alone, without JavaScript, at 320 px, under the CSP."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.browser]

FOCUSED = "() => document.activeElement"


async def tab_to(page: Page, test: str, *, limit: int = 150) -> None:
    """Press Tab until ``test`` (a JS predicate on the focused element) holds; focus must show."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate(f"(el => {test})(document.activeElement)"):
            outline = await page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.boxShadow]; }"
            )
            assert outline != ["none", "none"], "the focused element shows no focus"
            return
    raise AssertionError(f"Tab never reached {test}")


def named(text: str) -> str:
    return f"(el.innerText || el.value || '').includes({text!r})"


async def test_an_advisor_does_the_whole_job_with_the_keyboard_alone(
    browser: Browser, stack: Stack
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(f"{stack.url}/sign-in")
    await page.keyboard.press("Tab")
    assert await page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    await tab_to(page, named("English"))
    await page.keyboard.press("Enter")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await tab_to(page, named(f"Sign in as {stack.advisor_name}"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("My needs")

    await tab_to(page, "el.getAttribute('href') === '/needs/new'")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Register a need")
    await tab_to(page, "el.id === 'field-case_reference'")
    await page.keyboard.type("KB-1")
    await tab_to(page, "el.id === 'field-municipality'")
    await page.keyboard.type("Schwerte")
    await tab_to(page, "el.id === 'field-age'")
    await page.keyboard.type("27")
    await tab_to(page, "el.id === 'languages-uk'")
    await page.keyboard.press("Space")
    await tab_to(page, "el.id === 'categories-language_course'")
    await page.keyboard.press("Space")
    await tab_to(page, named("Register need"))
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("was registered")

    title = f"Abendkurs A2 {uuid.uuid4().hex[:6]}"
    await stack.post_offer(title)
    await expect(page.get_by_role("link", name=title)).to_be_visible(timeout=15_000)
    await tab_to(page, named("Decline"))
    await page.keyboard.press("Shift+Tab")  # the reason, just before the button
    await page.keyboard.type("Too far")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("You declined the offer")
    await expect(page.get_by_text("you declined it")).to_be_visible()
    await context.close()


async def test_without_javascript_a_need_is_registered_and_the_page_reloads_by_link(
    browser: Browser, stack: Stack
) -> None:
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await page.goto(f"{stack.url}/sign-in")
    await page.get_by_role("button", name="English").click()
    await page.get_by_role("button", name=f"Sign in as {stack.advisor_name}").click()
    await page.goto(f"{stack.url}/needs/new")
    await page.get_by_label("Municipality where the person lives").select_option(label="Unna")
    await page.get_by_label("Age in years").fill("19")
    await page.get_by_label("Recognition of qualifications").check()
    await page.get_by_role("button", name="Register need").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Need")
    await expect(page.get_by_role("link", name="Reload the list")).to_be_visible()
    await context.close()


async def test_pages_reflow_at_320_pixels_and_run_no_script_the_csp_refuses(
    browser: Browser, stack: Stack
) -> None:
    context = await browser.new_context(viewport={"width": 320, "height": 640})
    page = await context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    await page.goto(f"{stack.url}/sign-in")
    await page.get_by_role("button", name="English").click()
    await page.get_by_role("button", name=f"Sign in as {stack.advisor_name}").click()
    for path in ("/needs", "/needs/new", "/offers", "/settings", "/emails", "/accessibility"):
        await page.goto(stack.url + path)
        wide = await page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= 320, f"{path} is {wide} px wide at a 320 px viewport"
    assert await page.evaluate("() => typeof window.htmx") == "object", "htmx did not load"
    assert refused == []
    await context.close()

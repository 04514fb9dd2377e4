"""An advisor's day in a real browser, on the real stack, checked by axe-core on every page.

Sign in, register a need, a provider posts a fitting offer, the match appears
on the need's page without a reload, accept it, the email arrives, erase the
need, and it is gone everywhere.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from lotse_shared.identity import Role
from tests.browser.conftest import Stack, axe_violations, describe
from tests.processes import bearer, emails_to

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.browser]


class Audit:
    """Runs axe on each page it is shown and keeps what it found, per page and language."""

    def __init__(self, script: Path) -> None:
        self.script = script
        self.results: dict[str, int] = {}
        self.failures: list[str] = []

    async def check(self, page: Page, name: str) -> None:
        language = await page.get_attribute("html", "lang")
        violations = await axe_violations(page, self.script)
        self.results[f"{name} [{language}]"] = len(violations)
        if violations:
            self.failures.append(f"{name} [{language}]:\n{describe(violations)}")


async def sign_in_as(page: Page, stack: Stack, name: str) -> None:
    await page.goto(f"{stack.url}/sign-in")
    await (
        page.get_by_role("button", name=f"Sign in as {name}")
        .or_(page.get_by_role("button", name=f"Als {name} anmelden"))
        .click()
    )


async def test_an_advisor_registers_a_need_accepts_its_match_and_erases_it(
    browser: Browser, stack: Stack, axe_script: Path, smtp_server: tuple[int, Any]
) -> None:
    started = time.monotonic()
    _, inbox = smtp_server
    audit = Audit(axe_script)
    # axe is injected as a script: the test's context lets it past the page's CSP.
    context = await browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(f"{stack.url}/sign-in")
    await audit.check(page, "sign-in")
    await sign_in_as(page, stack, stack.advisor_name)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meine Bedarfe")
    await audit.check(page, "my needs (empty)")

    await page.get_by_role("link", name="Bedarf erfassen").first.click()
    await page.get_by_role("button", name="Bedarf erfassen").click()  # nothing filled in
    await expect(page.get_by_role("alert")).to_be_visible()
    await audit.check(page, "register a need (errors)")
    case = f"MBE-{uuid.uuid4().hex[:6]}"
    await page.get_by_label("Ihr Aktenzeichen (optional)").fill(case)
    await page.get_by_label("Stadt oder Gemeinde, in der die Person wohnt").select_option(
        label="Schwerte"
    )
    await page.get_by_label("Alter in Jahren").fill("34")
    await page.get_by_label("Arabisch").check()
    await page.get_by_label("Deutschkurs", exact=True).check()
    await page.get_by_role("button", name="Bedarf erfassen").click()
    await expect(page.get_by_role("status")).to_contain_text("wurde erfasst")
    reference = (await page.get_by_role("heading", level=1).inner_text()).split()[-1]
    need_id = page.url.rsplit("/", 1)[-1]
    await audit.check(page, "need (no match yet)")

    title = f"Deutschkurs B1 {uuid.uuid4().hex[:6]}"
    posted = await stack.post_offer(title)
    offered = time.monotonic()
    # No reload: the live list brings it.
    await expect(page.get_by_role("link", name=title)).to_be_visible(timeout=15_000)
    seen_after = time.monotonic() - offered
    await audit.check(page, "need (with a match)")

    await page.get_by_role("button", name=f"Annehmen: {title}").click()
    await expect(page.get_by_role("status")).to_contain_text("angenommen")
    emails = await emails_to(inbox, stack.advisor_email, 1, timeout=20)
    assert emails and reference in str(emails[0]["Subject"])
    assert case not in emails[0].as_string()  # the case reference never leaves the catalog

    offer_id = posted["id"]
    every_page = (
        ("/sign-in", "sign-in"),
        ("/needs", "my needs"),
        ("/needs/new", "register a need"),
        (f"/needs/{need_id}", "need (with a match)"),
        (f"/needs/{need_id}/edit", "change a need"),
        ("/offers", "offers"),
        (f"/offers/{offer_id}", "an offer"),
        ("/emails", "my emails"),
        ("/settings", "my settings"),
        ("/accessibility", "accessibility statement"),
        ("/feedback", "feedback"),
        ("/no-such-page", "not found"),
        (f"/needs/{need_id}/erase", "erase (confirm)"),
    )
    for language in ("Deutsch", "English"):
        if language == "English":
            await page.get_by_role("button", name="English").click()
            await expect(page.locator("html")).to_have_attribute("lang", "en")
        for path, name in every_page:
            await page.goto(stack.url + path)
            await audit.check(page, name)
    await page.get_by_role("button", name="Yes, erase it").click()
    await expect(page.get_by_role("status")).to_contain_text(f"{reference} was erased")
    await expect(page.get_by_role("link", name=reference)).to_have_count(0)

    headers = bearer(stack.advisor_id, Role.ADVISOR)  # gone everywhere, as each API sees it
    async with httpx.AsyncClient() as client:
        need_url = f"{stack.services['catalog'].url}/v1/needs/{need_id}"
        assert (await client.get(need_url, headers=headers)).status_code == 404
        matches = f"{stack.services['matching'].url}/v1/needs/{need_id}/matches"
        assert (await client.get(matches, headers=headers)).status_code == 404
        log = (await client.get(f"{stack.services['notifications'].url}/v1/notifications",
                                headers=headers)).json()  # fmt: skip
    assert log and all(entry["need_reference"] is None for entry in log)
    await context.close()
    print(f"\njourney: {time.monotonic() - started:.1f} s; match shown {seen_after:.1f} s "
          f"after the offer was posted; axe per page: {audit.results}")  # fmt: skip
    assert not audit.failures, "\n\n".join(audit.failures)

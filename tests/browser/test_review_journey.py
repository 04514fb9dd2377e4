"""The KI's review in a real browser on the real stack, as a district runs it (new providers'
offers wait): a new provider sends an offer, no advisor hears of it; the KI asks for
changes, the provider reads the email and changes it; the KI approves; the fitting need's
advisor gets the match email. Then an advisor reports a problem and the KI turns it into a
change request. axe-core checks every new page, German and English."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import Stack
from tests.browser.test_advisor_journey import Audit
from tests.browser.test_provider_desk import register_need, signed_in
from tests.processes import emails_to, read_topic
from tests.support import report_figure

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.browser]

PROVIDER_MAILBOX = "info@vhs.example"  # the stack's provider's role mailbox
KI = "KI Koordination"


def text_of(message: Any) -> str:
    body = message.get_body(preferencelist=("plain",))
    return str(body.get_content()) if body else ""


async def decide(page: Page, decision: str, comment: str | None) -> None:
    await page.get_by_label(decision).check()
    if comment is not None:
        await page.get_by_label("Kommentar für den Anbieter").fill(comment)
    await page.get_by_role("button", name="Entscheidung speichern").click()


async def published_records(stack: Stack, offer_id: str) -> list[Any]:
    catalog = stack.services["catalog"]
    bootstrap = catalog.env["KAFKA_BOOTSTRAP_SERVERS"]
    return await read_topic(bootstrap, catalog.topic_prefix + "lotse.offers", key=offer_id)


async def test_a_new_providers_offer_is_reviewed_changed_approved_and_then_proposed(
    browser: Browser,
    reviewing_stack: Stack,
    axe_script: Path,
    smtp_server: tuple[int, Any],
) -> None:
    stack, (_, inbox) = reviewing_stack, smtp_server
    audit = Audit(axe_script)
    need = await register_need(stack)
    provider, page = await signed_in(browser, stack, "VHS Schwerte")
    title = f"Deutschkurs A2 {uuid.uuid4().hex[:6]}"
    await page.goto(f"{stack.url}/provider/offers/new")
    await expect(page.locator("#save-explained")).to_contain_text("Das KI prüft Ihr Angebot")
    await page.locator("#field-title_de").fill(title)
    await page.locator("#field-description_de").fill("Dienstags und donnerstags am Abend.")
    await page.locator("#field-category").select_option("language_course")
    await page.locator("#field-municipality").select_option(label="Schwerte")
    await page.get_by_role("button", name="Zur Prüfung senden").click()
    await expect(page.get_by_role("status")).to_contain_text("zur Prüfung gesendet")
    offer_id = page.url.rsplit("/", 2)[-2]
    await expect(page.get_by_text("Das KI prüft dieses Angebot")).to_be_visible()
    await audit.check(page, "provider: review (waiting)")

    ki, desk = await signed_in(browser, stack, KI)
    await desk.goto(f"{stack.url}/coordinator/reviews")
    await audit.check(desk, "KI: review queue")
    await desk.get_by_role("link", name=title).click()
    row = desk.locator("table.changes").first.locator("tr", has_text="Titel auf Deutsch")
    await expect(row.locator("td.after")).to_have_text(title)
    await audit.check(desk, "KI: review (side by side)")
    await desk.get_by_role("button", name="Entscheidung speichern").click()  # nothing chosen
    await expect(desk.locator("#error-summary")).to_be_visible()
    await audit.check(desk, "KI: review (errors)")
    await decide(
        desk, "Den Anbieter um Änderungen bitten", "Bitte die Adresse des Kursorts angeben."
    )
    await expect(desk.get_by_role("status")).to_contain_text("wird gebeten")

    assert await published_records(stack, offer_id) == []  # nothing reached lotse.offers
    assert await emails_to(inbox, stack.advisor_email, 1, timeout=0) == []  # nor an advisor
    asked = await emails_to(inbox, PROVIDER_MAILBOX, 1, timeout=30)
    assert asked and "Bitte überarbeiten Sie" in str(asked[0]["Subject"])
    assert "Bitte die Adresse des Kursorts angeben." in text_of(asked[0])

    await page.goto(f"{stack.url}/provider/offers")
    listed = page.locator(f"#review-{offer_id}")
    await expect(listed).to_contain_text("Änderungen erbeten")
    await expect(listed).to_contain_text("Bitte die Adresse des Kursorts angeben.")
    await audit.check(page, "provider: my offers (one in review)")
    await listed.get_by_role("link", name=title).click()
    await expect(page.locator(".comment").first).to_have_text(
        "Bitte die Adresse des Kursorts angeben."
    )
    await audit.check(page, "provider: review (changes requested)")
    await page.get_by_role("link", name="Angebot ändern").click()
    await expect(page.locator("#field-title_de")).to_have_value(title)
    await page.locator("#field-address").fill("Rathausstraße 31")
    await page.get_by_role("button", name="Speichern und zur Prüfung senden").click()
    await expect(page.get_by_role("status")).to_contain_text("zur Prüfung gesendet")

    await desk.goto(f"{stack.url}/coordinator/reviews/{offer_id}")
    since = desk.locator("table.changes").first  # only what changed since the request
    await expect(since.locator("tbody tr")).to_have_count(1)
    await expect(since.locator("tbody th")).to_have_text("Adresse")
    await expect(since.locator("td.after")).to_have_text("Rathausstraße 31")
    await audit.check(desk, "KI: review (version 2 beside version 1)")
    await decide(desk, "Freigeben: veröffentlichen", None)
    await expect(desk.get_by_role("status")).to_contain_text("freigegeben und veröffentlicht")

    told = await emails_to(inbox, stack.advisor_email, 1, timeout=30)
    assert told and need["reference"] in str(told[0]["Subject"]), "the advisor hears of it now"
    assert title in text_of(told[0])
    approved = await emails_to(inbox, PROVIDER_MAILBOX, 2, timeout=30)
    assert len(approved) == 2 and "ist freigegeben" in str(approved[1]["Subject"])
    records = await published_records(stack, offer_id)
    assert len(records) == 1, "published once, as approved"
    report_figure(
        "review journey: 2 versions, 1 change request, approved, 1 record on lotse.offers"
    )

    await _an_advisor_reports_a_problem_and_the_ki_asks_for_a_change(
        browser, stack, desk, audit, inbox, offer_id, title
    )
    await _every_new_page_in_english(stack, page, desk, audit, offer_id)
    await provider.close()
    await ki.close()
    print(f"\naxe per review page: {audit.results}")
    assert not audit.failures, "\n\n".join(audit.failures)


async def _an_advisor_reports_a_problem_and_the_ki_asks_for_a_change(
    browser: Browser,
    stack: Stack,
    desk: Page,
    audit: Audit,
    inbox: Any,
    offer_id: str,
    title: str,
) -> None:
    advisor, page = await signed_in(browser, stack, stack.advisor_name)
    await page.goto(f"{stack.url}/offers/{offer_id}")
    await audit.check(page, "advisor: offer with report button")
    await page.get_by_role("link", name="Problem melden").click()
    await page.get_by_label("Ein paar Worte (freiwillig)").fill("Anrufen unter 02304 12345")
    await page.get_by_role("button", name="Meldung senden").click()
    await expect(page.locator("#error-summary")).to_contain_text("Wählen Sie")
    await page.get_by_label("Es ist voll, zeigt aber freie Plätze").check()
    await page.get_by_role("button", name="Meldung senden").click()
    await expect(page.locator("#error-summary")).to_be_visible()  # a phone number is refused
    await expect(page.get_by_label("Ein paar Worte (freiwillig)")).to_have_value(
        "Anrufen unter 02304 12345"
    )
    await audit.check(page, "advisor: report (errors)")
    await page.get_by_label("Ein paar Worte (freiwillig)").fill("Seit einer Woche voll.")
    await page.get_by_role("button", name="Meldung senden").click()
    await expect(page.get_by_role("status")).to_contain_text("Vielen Dank")
    await expect(page.locator("table")).to_contain_text("Offen")
    await audit.check(page, "advisor: my reports")

    await desk.goto(f"{stack.url}/coordinator/reports")
    await audit.check(desk, "KI: reports")
    await desk.get_by_role("link", name=title).click()
    await audit.check(desk, "KI: report")
    await desk.get_by_label("Den Anbieter bitten, das Angebot zu ändern").check()
    await desk.get_by_label("Kommentar", exact=True).fill("Bitte die freien Plätze prüfen.")
    await desk.get_by_role("button", name="Entscheidung speichern").click()
    await expect(desk.get_by_role("status")).to_contain_text("wird gebeten")
    asked = await emails_to(inbox, PROVIDER_MAILBOX, 3, timeout=30)
    assert len(asked) == 3 and "Hinweis zu" in str(asked[2]["Subject"])
    assert "Bitte die freien Plätze prüfen." in text_of(asked[2])
    assert "02304" not in "".join(m.as_string() for m in asked)
    await page.goto(f"{stack.url}/reports")
    await expect(page.locator("table")).to_contain_text("Bitte die freien Plätze prüfen.")
    await advisor.close()


async def _every_new_page_in_english(
    stack: Stack, provider: Page, desk: Page, audit: Audit, offer_id: str
) -> None:
    for page in (provider, desk):
        await page.get_by_role("button", name="English").click()
        await expect(page.locator("html")).to_have_attribute("lang", "en")
    for page, path, name in (
        (provider, "/provider/offers", "provider: my offers"),
        (provider, f"/provider/offers/{offer_id}", "provider: my offer (report's request)"),
        (provider, f"/provider/offers/{offer_id}/review", "provider: review with history"),
        (provider, f"/provider/offers/{offer_id}/edit", "provider: change (reviewed)"),
        (desk, "/coordinator/reviews", "KI: review queue (empty)"),
        (desk, f"/coordinator/reviews/{offer_id}", "KI: review (nothing waits)"),
        (desk, "/coordinator/reports?status=changes_requested", "KI: reports (decided)"),
    ):
        await page.goto(stack.url + path)
        await audit.check(page, name)

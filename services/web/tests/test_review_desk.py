"""The review on the desks, over fake APIs: a provider's offer waits, the KI decides with a
comment, the provider changes it, the KI approves; and advisors report problems."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from lotse_web.bootstrap import Web
from lotse_web.entrypoints.app import create_app
from services.web.tests.conftest import csrf_of, sign_in
from services.web.tests.fakes import FakeApis, offer
from services.web.tests.test_offer_form import filled


@asynccontextmanager
async def person(web: Web, account: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """Someone else at another browser, signed in: the client and its CSRF token."""
    transport = httpx.ASGITransport(app=create_app(web))
    async with httpx.AsyncClient(transport=transport, base_url="http://lotse.test") as client:
        client.cookies.set("lotse_lang", "en")
        yield client, await sign_in(client, account)


def flashed(page: httpx.Response) -> list[str]:
    return re.findall(r'<p class="notice notice-\w+">([^<]*)</p>', page.text)


async def test_a_new_offer_waits_for_review_and_the_desk_says_so(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.reviewing = True
    csrf = await sign_in(browser, "vhs-schwerte")
    form = (await browser.get("/provider/offers/new")).text
    assert ">Send for review<" in form and "The KI checks your offer" in form
    answer = await browser.post("/provider/offers/new", data=filled(csrf, reviewed="1"))
    assert answer.status_code == 303
    assert apis.offers == {}  # nothing reaches advisors
    (offer_id,) = apis.reviews
    assert answer.headers["location"] == f"/provider/offers/{offer_id}/review"
    assert apis.reviews[offer_id]["state"] == "submitted"  # saved and sent in one step
    page = await browser.get(answer.headers["location"])
    assert any("sent to the KI for review" in m for m in flashed(page))
    assert "The KI is checking this offer" in page.text
    assert "Your offer as you last wrote it" in page.text and "Deutschkurs A1" in page.text
    listed = (await browser.get("/provider/offers")).text
    waiting = listed[listed.index('id="in-review-title"') :]
    assert f'href="/provider/offers/{offer_id}/review"' in waiting
    assert "Waiting for the KI&#39;s review" in waiting
    # The offer's own address leads to its review while it was never published.
    moved = await browser.get(f"/provider/offers/{offer_id}")
    assert moved.headers["location"] == f"/provider/offers/{offer_id}/review"


async def test_the_ki_asks_for_changes_the_provider_changes_and_the_ki_approves(
    browser: httpx.AsyncClient, apis: FakeApis, web: Web
) -> None:
    apis.reviewing = True
    csrf = await sign_in(browser, "vhs-schwerte")
    await browser.post("/provider/offers/new", data=filled(csrf, reviewed="1"))
    (offer_id,) = apis.reviews
    async with person(web, "ki-admin") as (ki, ki_csrf):
        queue = (await ki.get("/coordinator/reviews")).text
        assert f'href="/coordinator/reviews/{offer_id}"' in queue and "VHS Schwerte" in queue
        review = (await ki.get(f"/coordinator/reviews/{offer_id}")).text
        row = re.search(r"<th scope=\"row\">Title in German</th>(.*?)</tr>", review, re.S)
        assert row and "Deutschkurs A1 am Vormittag" in row.group(1)
        assert 'class="before' not in review  # a new offer: nothing before to set beside it
        assert re.search(r'<td class="after prewrap" lang="ar" dir="rtl">', review)
        # A change request without a word for the provider is refused, and nothing changes.
        refused = await ki.post(f"/coordinator/reviews/{offer_id}", data={
            "csrf_token": ki_csrf, "revision": "1", "decision": "changes_requested"})  # fmt: skip
        assert refused.status_code == 422
        assert "Tell the provider what to change" in refused.text
        assert apis.reviews[offer_id]["state"] == "submitted"
        asked = await ki.post(f"/coordinator/reviews/{offer_id}", data={
            "csrf_token": ki_csrf, "revision": "1", "decision": "changes_requested",
            "comment": "Bitte das Enddatum prüfen."})  # fmt: skip
        assert asked.status_code == 303
    page = (await browser.get(f"/provider/offers/{offer_id}/review")).text
    assert "The KI asks you to change this offer." in page and "Bitte das Enddatum prüfen." in page
    edit = (await browser.get(f"/provider/offers/{offer_id}/edit")).text
    assert 'value="2027-06-30"' in edit and ">Save and send for review<" in edit
    version = re.search(r'name="version" value="(\d+)"', edit)
    assert version
    saved = await browser.post(f"/provider/offers/{offer_id}/edit", data=filled(
        csrf, reviewed="1", end_date="2027-07-30", version=version.group(1)))  # fmt: skip
    assert saved.status_code == 303, saved.text
    assert apis.reviews[offer_id]["pending"]["number"] == 2
    async with person(web, "ki-admin") as (ki, ki_csrf):
        review = (await ki.get(f"/coordinator/reviews/{offer_id}")).text
        assert 'name="revision" value="2"' in review
        since = review[review.index("What changed since version 1") :]
        since = since[: since.index("</table>")]
        assert since.count('<th scope="row">') == 1 and "End</th>" in since
        old = await ki.post(f"/coordinator/reviews/{offer_id}", data={
            "csrf_token": ki_csrf, "revision": "1", "decision": "approved"})  # fmt: skip
        assert old.status_code == 303  # the first version was replaced: said, not decided
        assert any(
            "replaced or withdrawn" in m for m in flashed(await ki.get(old.headers["location"]))
        )
        assert offer_id not in apis.offers
        approved = await ki.post(f"/coordinator/reviews/{offer_id}", data={
            "csrf_token": ki_csrf, "revision": "2", "decision": "approved"})  # fmt: skip
        assert approved.status_code == 303
        assert any(
            "is approved and published" in m for m in flashed(await ki.get("/coordinator/reviews"))
        )
    assert apis.offers[offer_id]["end_date"] == "2027-07-30"
    assert apis.offers[offer_id]["status"] == "published"


async def test_a_coordinator_does_not_decide_on_a_version_they_sent_themselves(
    apis: FakeApis, web: Web
) -> None:
    apis.reviewing = True
    async with person(web, "vhs-schwerte") as (provider, csrf):
        await provider.post("/provider/offers/new", data=filled(csrf, reviewed="1"))
    (offer_id,) = apis.reviews
    apis.reviews[offer_id]["pending"]["submitted_by"] = "admin:ki-admin"
    async with person(web, "ki-admin") as (ki, ki_csrf):
        review = (await ki.get(f"/coordinator/reviews/{offer_id}")).text
        assert "another coordinator must decide" in review
        assert 'name="decision"' not in review
        posted = await ki.post(f"/coordinator/reviews/{offer_id}", data={
            "csrf_token": ki_csrf, "revision": "1", "decision": "approved"})  # fmt: skip
    assert posted.status_code == 403 and "another coordinator must decide" in posted.text
    assert apis.reviews[offer_id]["state"] == "submitted" and apis.offers == {}


async def test_a_decision_that_cannot_be_sent_keeps_the_comment_typed(
    apis: FakeApis, web: Web
) -> None:
    apis.reviewing = True
    async with person(web, "vhs-schwerte") as (provider, csrf):
        await provider.post("/provider/offers/new", data=filled(csrf, reviewed="1"))
    (offer_id,) = apis.reviews
    async with person(web, "ki-admin") as (ki, ki_csrf):
        apis.down.add(f"/v1/offers/{offer_id}/decisions")
        answer = await ki.post(f"/coordinator/reviews/{offer_id}", data={
            "csrf_token": ki_csrf, "revision": "1", "decision": "rejected",
            "comment": "Kein Bildungsangebot."})  # fmt: skip
        assert answer.status_code == 503
        assert 'name="comment" value="Kein Bildungsangebot."' in answer.text
        apis.down.clear()
        again = await ki.post(f"/coordinator/reviews/{offer_id}", data={
            "csrf_token": csrf_of(answer), "revision": "1", "decision": "rejected",
            "comment": "Kein Bildungsangebot."})  # fmt: skip
        assert again.status_code == 303
    assert apis.reviews[offer_id]["state"] == "rejected"


async def test_advisors_report_a_problem_and_see_what_became_of_it(
    browser: httpx.AsyncClient, apis: FakeApis, web: Web
) -> None:
    apis.offers["o-1"] = offer("o-1", "Deutschkurs A1")
    csrf = await sign_in(browser, "adv-1")
    page = (await browser.get("/offers/o-1")).text
    assert 'href="/offers/o-1/report"' in page
    handouts = re.findall(
        r'href="/angebote/(\w+)/handzettel\?angebot=o-1" lang="([\w-]+)" dir="(\w+)"', page
    )
    assert len(handouts) == 8 and ("ar", "ar", "rtl") in handouts  # one per finder language
    form = await browser.get("/offers/o-1/report")
    assert form.status_code == 200 and 'maxlength="500"' in form.text
    nothing = await browser.post("/offers/o-1/report", data={"csrf_token": csrf, "note": "voll"})
    assert nothing.status_code == 422 and "Choose what is wrong" in nothing.text
    personal = await browser.post("/offers/o-1/report", data={
        "csrf_token": csrf, "reason": "other", "note": "Frau K. (k@example.org) fragen"})  # fmt: skip
    assert personal.status_code == 422
    assert "looks like an email address" in personal.text
    assert "Frau K. (k@example.org) fragen</textarea>" in personal.text  # nothing typed lost
    assert apis.reports == {}
    sent = await browser.post("/offers/o-1/report", data={
        "csrf_token": csrf, "reason": "full_but_shown_free", "note": "Seit Wochen voll."})  # fmt: skip
    assert sent.headers["location"] == "/reports"
    mine = (await browser.get("/reports")).text
    assert "It is full but shows free places" in mine and "Open: the KI has not decided yet" in mine
    (report_id,) = apis.reports
    async with person(web, "ki-admin") as (ki, ki_csrf):
        queue = (await ki.get("/coordinator/reports")).text
        assert f'href="/coordinator/reports/{report_id}"' in queue and "Seit Wochen voll." in queue
        decided = await ki.post(f"/coordinator/reports/{report_id}", data={
            "csrf_token": ki_csrf, "outcome": "changes_requested",
            "comment": "Der Träger wird gebeten, die Plätze zu aktualisieren."})  # fmt: skip
        assert decided.status_code == 303
        again = await ki.post(f"/coordinator/reports/{report_id}", data={
            "csrf_token": ki_csrf, "outcome": "dismissed", "comment": "Doch nicht."})  # fmt: skip
        assert any("already decided" in m for m in flashed(await ki.get(again.headers["location"])))
    mine = (await browser.get("/reports")).text
    assert "The provider was asked to change the offer" in mine
    assert "die Plätze zu aktualisieren" in mine


async def test_only_advisors_are_offered_the_report_button(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.offers["o-1"] = offer("o-1", "Deutschkurs A1")
    await sign_in(browser, "vhs-schwerte")
    assert 'href="/offers/o-1/report"' not in (await browser.get("/offers/o-1")).text
    assert (await browser.get("/offers/o-1/report")).status_code in (403, 404)

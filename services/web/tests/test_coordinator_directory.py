"""The coordinators' directory over fake APIs: list, search, register, change, deactivate."""

from __future__ import annotations

import httpx

from services.web.tests.conftest import sign_in
from services.web.tests.fakes import FakeApis, offer


async def test_the_providers_list_shows_every_provider_and_finds_one_by_name_id_or_email(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    assert [p["id"] for p in apis.providers] == ["vhs-schwerte", "awo-unna"]
    await sign_in(browser, "ki-admin")
    everyone = (await browser.get("/coordinator/providers")).text
    assert "VHS Schwerte" in everyone and "AWO Unna" in everyone and "2 entries" in everyone
    for query in ("awo", "AWO-UNNA", "integration@awo"):
        found = (await browser.get("/coordinator/providers", params={"q": query})).text
        assert "AWO Unna" in found and "VHS Schwerte" not in found, query
        assert "1 entry found" in found
    nothing = (await browser.get("/coordinator/providers", params={"q": "zzz"})).text
    assert "Nothing found for" in nothing


async def test_the_advisors_list_is_searched_by_email_too(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    await sign_in(browser, "ki-admin")
    found = (await browser.get("/coordinator/advisors", params={"q": "mbe.example"})).text
    assert "Jonas Becker" in found and "Aylin Demir" not in found


async def test_a_registered_provider_is_sent_to_the_catalog_and_listed(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser, "ki-admin")
    form = (await browser.get("/coordinator/providers/new")).text
    assert 'id="field-contact_email"' in form and 'name="municipality"' in form
    answer = await browser.post("/coordinator/providers/new", data={
        "csrf_token": csrf, "id": "vhs-unna", "name": "VHS Unna",
        "contact_email": "info@vhs-unna.example", "municipality": "05978036", "website": ""})  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/coordinator/providers"
    stored = next(p for p in apis.providers if p["id"] == "vhs-unna")
    assert stored["name"] == "VHS Unna" and stored["municipality"] == "05978036"
    assert "website" not in stored  # an empty optional field is not sent
    listing = (await browser.get("/coordinator/providers")).text
    assert "VHS Unna was registered." in listing and "Unna" in listing


async def test_a_refused_registration_shows_each_reason_at_its_field_and_keeps_the_input(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser, "ki-admin")
    apis.invalid = [
        {"field": "contact_email", "reason": "value is not a valid email address: no @"},
        {"field": "website", "reason": "String should match pattern '^https?://'"},
    ]
    answer = await browser.post("/coordinator/providers/new", data={
        "csrf_token": csrf, "name": "Sprachschule Lünen", "contact_email": "kein-at",
        "website": "www.example.org", "municipality": "05978024"})  # fmt: skip
    assert answer.status_code == 422
    text = answer.text
    assert 'href="#field-contact_email"' in text and 'href="#field-website"' in text
    assert 'id="error-contact_email"' in text and 'id="error-website"' in text
    assert "Please enter an email address" in text and "beginning with https://" in text
    assert 'value="Sprachschule Lünen"' in text and 'value="kein-at"' in text
    assert 'value="www.example.org"' in text and 'value="05978024" selected' in text


async def test_an_id_taken_already_is_said_at_the_id_field(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser, "ki-admin")
    answer = await browser.post("/coordinator/advisors/new", data={
        "csrf_token": csrf, "id": "adv-1", "name": "Noch eine", "email": "n@ki.example",
        "organisation": "KI", "language": "de"})  # fmt: skip
    assert answer.status_code == 422
    assert 'id="error-id"' in answer.text and "already an entry with this id" in answer.text
    assert apis.advisors["adv-1"]["name"] == "Aylin Demir"


async def test_changing_an_advisor_sends_a_merge_patch_of_the_form(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.advisors["adv-2"]["municipality"] = "05978036"
    csrf = await sign_in(browser, "ki-admin")
    form = (await browser.get("/coordinator/advisors/adv-2/edit")).text
    assert 'value="j.becker@mbe.example"' in form and 'name="id"' not in form
    answer = await browser.post("/coordinator/advisors/adv-2/edit", data={
        "csrf_token": csrf, "name": "Jonas Becker", "email": "jonas.becker@mbe.example",
        "organisation": "MBE Unna", "municipality": "", "language": "en"})  # fmt: skip
    assert answer.status_code == 303
    changed = apis.advisors["adv-2"]
    assert changed["email"] == "jonas.becker@mbe.example" and "municipality" not in changed
    assert ("PATCH", "/v1/advisors/adv-2") in apis.writes()


async def test_a_refused_change_keeps_what_was_typed(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser, "ki-admin")
    apis.invalid = [{"field": "name", "reason": "String should have at least 1 character"}]
    answer = await browser.post("/coordinator/advisors/adv-1/edit", data={
        "csrf_token": csrf, "name": "", "email": "neu@ki.example", "organisation": "KI",
        "language": "de"})  # fmt: skip
    assert answer.status_code == 422
    assert 'id="error-name"' in answer.text and "Please fill this in." in answer.text
    assert 'value="neu@ki.example"' in answer.text
    assert apis.advisors["adv-1"]["email"] == "a.demir@ki.example"


async def test_deactivating_a_provider_says_first_how_many_offers_are_withdrawn(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.offers |= {o["id"]: o for o in (offer("o-1", "Kurs A"), offer("o-2", "Kurs B"),
                                         offer("o-3", "Alt", status="withdrawn"),
                                         offer("o-4", "Fremd", provider_id="other"))}  # fmt: skip
    csrf = await sign_in(browser, "ki-admin")
    confirm = (await browser.get("/coordinator/providers/vhs-schwerte/deactivate")).text
    assert "Its 2 published offers are withdrawn." in confirm
    assert "proposal of these offers to a need ends" in confirm
    assert "cannot be undone" in confirm and apis.writes() == []
    answer = await browser.post(
        "/coordinator/providers/vhs-schwerte/deactivate", data={"csrf_token": csrf}
    )
    assert answer.status_code == 303
    assert apis.providers[0]["active"] is False
    assert [o["status"] for o in apis.offers.values()] == ["withdrawn"] * 3 + ["published"]
    listing = (await browser.get("/coordinator/providers")).text
    assert "VHS Schwerte is deactivated." in listing and "deactivated</td>" in listing


async def test_deactivating_an_advisor_says_their_emails_stop_and_their_needs_stay(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser, "ki-admin")
    confirm = (await browser.get("/coordinator/advisors/adv-2/deactivate")).text
    assert "Jonas Becker gets no more emails from Lotse." in confirm
    assert "still waiting to be sent are cancelled" in confirm
    assert "Their needs stay as they are" in confirm
    await browser.post("/coordinator/advisors/adv-2/deactivate", data={"csrf_token": csrf})
    again = await browser.post("/coordinator/advisors/adv-2/deactivate", data={"csrf_token": csrf})
    assert again.status_code == 303 and apis.advisors["adv-2"]["active"] is False
    assert "was inactive already" in (await browser.get("/coordinator/advisors")).text


async def test_an_unknown_or_odd_id_is_a_404(browser: httpx.AsyncClient, apis: FakeApis) -> None:
    await sign_in(browser, "ki-admin")
    for path in ("/coordinator/providers/nobody/edit", "/coordinator/advisors/..%2F/deactivate"):
        assert (await browser.get(path)).status_code == 404

"""The offer form over fake APIs: create, change, preview, duplicate, and the catalog's
refusals shown at each field with nothing typed lost."""

from __future__ import annotations

import re
from typing import Any

import httpx

from services.web.tests.conftest import sign_in
from services.web.tests.fakes import FakeApis, offer

ARABIC = "دورة اللغة الألمانية"


def checked(page: str, name: str, value: str) -> bool:
    return bool(re.search(rf'id="{name}-{value}"[^>]*\bchecked', page))


def filled(csrf: str, **changes: Any) -> dict[str, Any]:
    return {
        "csrf_token": csrf, "title_de": "Deutschkurs A1 am Vormittag", "title_ar": ARABIC,
        "description_de": "Für Anfängerinnen und Anfänger.", "category": "language_course",
        "municipality": "05978028", "address": "Rathausstraße 31", "lat": "51,4446",
        "lon": "7,5653", "delivery_mode": "hybrid", "age_min": "16", "age_max": "99",
        "german_level_min": "A0", "german_level_max": "A2", "start_date": "2027-02-01",
        "end_date": "2027-06-30", "application_deadline": "2027-01-15",
        "places_total": "16", "places_available": "5", "waitlist": "on",
        "free_of_charge": "no", "fee_eur": "120,50", "contact_email": "kurse@vhs.example",
        "times_of_day": ["morning", "evening"], "service_area": ["05978036"],
        "support_languages": ["ar", "uk"], "languages_of_instruction": ["de"],
        "target_groups": ["women"], "childcare": "on",
    } | changes  # fmt: skip


async def test_the_form_has_a_field_per_language_with_its_lang_and_direction(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, "vhs-schwerte")
    page = (await browser.get("/provider/offers/new")).text
    for code, direction in (("de", "ltr"), ("en", "ltr"), ("ar", "rtl"), ("uk", "ltr"),
                            ("tr", "ltr"), ("fa", "rtl"), ("ru", "ltr")):  # fmt: skip
        field = re.search(rf'<input id="field-title_{code}"[^>]*>', page)
        assert field, code
        assert f'lang="{code}"' in field.group(0)
        if code != "de":
            assert f'dir="{direction}"' in field.group(0)
        assert f'id="field-description_{code}"' in page
    assert 'value="kurse@vhs-schwerte.example"' in page  # the provider's mailbox to start with
    for group in ("What", "For whom", "When", "Where", "Places and cost", "Contact"):
        assert f"<legend><h2>{group}</h2></legend>" in page


async def test_a_new_offer_round_trips_through_the_form_arabic_title_included(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser, "vhs-schwerte")
    answer = await browser.post("/provider/offers/new", data=filled(csrf))
    assert answer.status_code == 303
    (stored,) = apis.offers.values()
    assert stored["title"] == {"de": "Deutschkurs A1 am Vormittag", "ar": ARABIC}
    assert stored["location"] == {"municipality": "05978028", "address": "Rathausstraße 31",
                                  "lat": "51.4446", "lon": "7.5653"}  # fmt: skip
    assert stored["fee_eur"] == "120.50" and stored["free_of_charge"] is False
    assert stored["times_of_day"] == ["morning", "evening"] and stored["waitlist"] is True
    assert stored["places_available"] == 5 and stored["provider_id"] == "vhs-schwerte"
    assert answer.headers["location"] == f"/provider/offers/{stored['id']}"
    page = await browser.get(answer.headers["location"])
    assert "This is how advisors see your offer" in page.text and "is published" in page.text
    form = (await browser.get(f"/provider/offers/{stored['id']}/edit")).text
    assert f'value="{ARABIC}"' in form and 'value="2027-02-01"' in form
    assert re.search(r'id="field-title_ar"[^>]*lang="ar" dir="rtl"', form)
    assert checked(form, "times_of_day", "evening") and not checked(form, "times_of_day", "weekend")


async def test_refused_fields_show_at_the_field_and_in_the_summary_with_everything_kept(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser, "vhs-schwerte")
    answer = await browser.post(
        "/provider/offers/new",
        data=filled(csrf, title_de="", contact_email="kurse", places_available="20"),
    )
    assert answer.status_code == 422 and apis.offers == {}
    text = answer.text
    assert 'href="#field-title_de"' in text and 'href="#field-contact_email"' in text
    assert 'id="error-title_de"' in text and "Please enter the German text" in text
    assert "Please enter an email address" in text
    assert f'value="{ARABIC}"' in text and 'value="kurse"' in text and 'value="120,50"' in text
    assert '<details class="languages" open>' in text  # the Arabic title stays in sight
    apis.invalid = [{"field": "body",
                     "reason": "Value error, places_available must not exceed places_total"}]  # fmt: skip
    again = await browser.post("/provider/offers/new", data=filled(csrf, places_available="20"))
    assert 'href="#field-places_available"' in again.text
    assert "more free places than places in all" in again.text and 'value="20"' in again.text


async def test_a_service_that_is_down_keeps_the_form(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser, "vhs-schwerte")
    apis.down.add("/v1/offers")
    answer = await browser.post("/provider/offers/new", data=filled(csrf))
    assert answer.status_code == 503 and f'value="{ARABIC}"' in answer.text
    assert "try again" in answer.text


async def test_the_preview_asks_the_catalog_to_check_and_stores_nothing(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser, "vhs-schwerte")
    answer = await browser.post("/provider/offers/new/preview", data=filled(csrf))
    assert answer.status_code == 200 and apis.offers == {}
    assert apis.writes() == [("POST", "/v1/offers/validate")]
    text = answer.text
    assert "as advisors will see it" in text and "Not saved yet" in text
    assert "Deutschkurs A1 am Vormittag" in text and "ages 16 to 99, German A0 to A2" in text
    assert "120.5 euros" in text and "in person and online" in text
    assert f'<span lang="ar" dir="rtl">{ARABIC}</span>' in text  # advisors read it in German
    assert f'type="hidden" name="title_ar" value="{ARABIC}"' in text
    assert 'type="hidden" name="times_of_day" value="evening"' in text
    back = await browser.post("/provider/offers/new", data=filled(csrf, change="1"))
    assert back.status_code == 200 and apis.offers == {} and f'value="{ARABIC}"' in back.text
    refused = await browser.post("/provider/offers/new/preview", data=filled(csrf, category=""))
    assert refused.status_code == 422 and 'href="#field-category"' in refused.text


async def test_changing_an_offer_puts_it_with_the_version_read(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.offers["o-1"] = offer("o-1", "Deutschkurs A1", version=2)
    csrf = await sign_in(browser, "vhs-schwerte")
    form = (await browser.get("/provider/offers/o-1/edit")).text
    assert 'name="version" value="2"' in form and 'value="Deutschkurs A1"' in form
    answer = await browser.post(
        "/provider/offers/o-1/edit", data=filled(csrf, version="2", title_de="Deutschkurs A2")
    )
    assert answer.status_code == 303 and apis.offers["o-1"]["title"]["de"] == "Deutschkurs A2"
    assert apis.offers["o-1"]["version"] == 3
    stale = await browser.post(
        "/provider/offers/o-1/edit", data=filled(csrf, version="2", title_de="Mein Titel")
    )
    assert stale.status_code == 409 and "changed this offer in the meantime" in stale.text
    assert 'value="Mein Titel"' in stale.text and 'name="version" value="3"' in stale.text
    assert apis.offers["o-1"]["title"]["de"] == "Deutschkurs A2"


async def test_duplicating_keeps_everything_but_the_dates(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.offers["o-1"] = offer(
        "o-1", "Deutschkurs A1", start_date="2027-02-01", end_date="2027-06-30",
        application_deadline="2027-01-15", times_of_day=["evening"], places_total=16,
    )  # fmt: skip
    apis.offers["o-1"]["title"]["ar"] = ARABIC
    await sign_in(browser, "vhs-schwerte")
    page = (await browser.get("/provider/offers/o-1/duplicate")).text
    assert 'action="/provider/offers/new"' in page and "A copy of “Deutschkurs A1”" in page
    assert f'value="{ARABIC}"' in page and 'value="16"' in page
    assert 'value="Rathausstraße 31"' in page and checked(page, "times_of_day", "evening")
    for name in ("start_date", "end_date", "application_deadline"):
        assert re.search(rf'name="{name}" type="date" value=""', page), name
    assert 'name="version"' not in page

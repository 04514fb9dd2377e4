"""The public finder over the fake APIs: languages, fallbacks, filters, eligibility, handout."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from lotse_web.bootstrap import Web
from services.web.tests.fakes import FakeApis, offer

ARABIC_TITLE = "دورة اللغة الألمانية للنساء"


@pytest.fixture
def published(apis: FakeApis) -> FakeApis:
    apis.offers["o-ar"] = offer("o-ar", "Deutschkurs für Frauen", age_min=18, age_max=65,
                                times_of_day=["morning"], support_languages=["ar"])  # fmt: skip
    apis.offers["o-ar"]["title"]["ar"] = ARABIC_TITLE
    apis.offers["o-ik"] = offer(
        "o-ik", "Integrationskurs", category="integration_course", age_min=16,
        residence_statuses=["recognised_protection", "temporary_protection"],
        entitlement_required="bamf_admission", free_of_charge=False, fee_eur="229.00",
        how_to_apply="Anmeldung im Bürgerbüro",
    )  # fmt: skip
    apis.offers["o-gone"] = offer("o-gone", "Zurückgezogen", status="withdrawn")
    return apis


async def test_the_finder_start_follows_the_browsers_language(browser: httpx.AsyncClient) -> None:
    asked = await browser.get("/angebote", headers={"Accept-Language": "ar-SY,ar;q=0.9,en;q=0.5"})
    assert (asked.status_code, asked.headers["location"]) == (303, "/angebote/ar")
    other = await browser.get("/angebote", headers={"Accept-Language": "pt-BR"})
    assert other.headers["location"] == "/angebote/de"


async def test_the_finder_needs_no_sign_in_and_sets_no_cookie(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    browser.cookies.clear()
    page = await browser.get("/angebote/de")
    assert page.status_code == 200
    assert "set-cookie" not in page.headers
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script" not in page.text  # nothing runs, nothing is loaded from elsewhere
    assert not re.search(r'(src|href)="https?://', page.text)


async def test_arabic_is_right_to_left_with_the_arabic_title(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    page = await browser.get("/angebote/ar")
    assert '<html lang="ar" dir="rtl">' in page.text
    assert f"<bdi>{ARABIC_TITLE}</bdi>" in page.text
    assert "Zurückgezogen" not in page.text  # only published offers


async def test_ukrainian_shows_the_german_text_marked_as_german(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    page = await browser.get("/angebote/uk/angebot/o-ar")
    assert '<html lang="uk" dir="ltr">' in page.text
    assert '<span lang="de" dir="ltr">Deutschkurs für Frauen</span>' in page.text
    assert "Цей текст є лише німецькою мовою." in page.text


async def test_leichte_sprache_is_a_variant_of_its_own(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    page = await browser.get("/angebote/ls/art/integration_course")
    assert '<html lang="de-x-ls" dir="ltr">' in page.text
    assert "Diese Menschen müssen im Moment selbst bezahlen: " in page.text  # the rules in force
    assert "<p>Im Integrations-Kurs lernen Sie Deutsch.</p>" in page.text
    offer_page = await browser.get("/angebote/ls/angebot/o-ik")
    assert "Dieser Text ist nicht in Leichter Sprache." in offer_page.text


async def test_the_language_menu_names_each_language_in_itself(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    page = await browser.get("/angebote/en/angebot/o-ar")
    assert (
        '<a href="/angebote/fa/angebot/o-ar" lang="fa" hreflang="fa" dir="rtl">فارسی</a>'
        in page.text
    )
    assert 'lang="uk" hreflang="uk" dir="ltr">Українська</a>' in page.text
    assert 'lang="en" hreflang="en" dir="ltr" aria-current="true">English</a>' in page.text


async def test_a_person_outside_the_age_range_does_not_see_the_offer(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    young = await browser.get("/angebote/en", params={"age": "17"})
    assert "Deutschkurs für Frauen" not in young.text
    assert "Integrationskurs" in young.text
    adult = await browser.get("/angebote/en", params={"age": "30"})
    assert "2 offers found" in adult.text
    evenings = await browser.get("/angebote/en", params={"age": "30", "time": "evening"})
    assert "Deutschkurs für Frauen" not in evenings.text  # mornings only
    assert "Integrationskurs" in evenings.text  # no times given: any time


async def test_filters_combine(browser: httpx.AsyncClient, published: FakeApis) -> None:
    free = await browser.get("/angebote/en", params={"free": "on", "language": "ar"})
    assert "1 offer found" in free.text
    assert "Deutschkurs für Frauen" in free.text
    kind = await browser.get("/angebote/en", params={"kind": "integration_course", "q": "integ"})
    assert "1 offer found" in kind.text
    assert "Integrationskurs" in kind.text


async def test_a_bad_age_is_named_and_the_rest_of_the_search_still_runs(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    page = await browser.get("/angebote/en", params={"age": "old", "kind": "integration_course"})
    assert page.status_code == 422
    assert (
        '<a href="#field-age">Enter the age as a number of years, from 0 to 120.</a>' in page.text
    )
    assert 'id="field-age" name="age" value="old"' in page.text
    assert "1 offer found" in page.text
    unknown = await browser.get("/angebote/en", params={"kind": "spaceflight"})
    assert unknown.status_code == 422
    assert "Choose one of the options in the list." in unknown.text


async def test_the_offer_says_in_words_who_can_join(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    page = await browser.get("/angebote/en/angebot/o-ik")
    assert "For people aged <bdi>16</bdi> and older." in page.text  # numbers keep their direction
    assert '<span lang="de" dir="ltr">Anmeldung im Bürgerbüro</span>' in page.text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.text))
    assert "For people aged 16 and older." in text
    assert (
        "Open to people with recognised protection, people with temporary protection, for example from Ukraine."
        in text
    )
    assert "You need an admission from the BAMF (Berechtigungsschein)." in text
    assert ("At the moment these people can only take part if they pay the fee themselves: "
            "people with temporary protection, for example from Ukraine.") in text  # fmt: skip
    assert "These people can take part: people with recognised protection." in text
    assert "Costs €229.00" in text
    assert "residence_permit" not in text and "bamf_admission" not in text  # never a bare code


async def test_unknown_withdrawn_and_bad_addresses_are_not_found(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    for path in ("/angebote/en/angebot/o-gone", "/angebote/en/angebot/nothing",
                 "/angebote/xx", "/angebote/tr/art/spaceflight", "/angebote/xx/handzettel"):  # fmt: skip
        page = await browser.get(path)
        assert page.status_code == 404, path
        assert "set-cookie" not in page.headers


async def test_the_handout_carries_a_qr_code_to_the_offers_page(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    page = await browser.get(
        "/angebote/ar/handzettel", params=[("angebot", "o-ar"), ("angebot", "o-ik")]
    )
    assert page.status_code == 200
    assert page.text.count("<svg width=") == 2
    assert "http://127.0.0.1:8000/angebote/ar/angebot/o-ar" in page.text
    assert "kurse@vhs-schwerte.example" in page.text


async def test_searches_share_the_published_set_read_a_moment_ago(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    for _ in range(3):
        assert (await browser.get("/angebote/tr")).status_code == 200
    assert published.calls.count(("GET", "/v1/public/offers")) == 1


async def test_a_handout_with_nothing_ticked_says_so(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    page = await browser.get("/angebote/de/handzettel", params={"angebot": "o-gone"})
    assert page.status_code == 422
    assert "Markieren Sie mindestens ein Angebot für den Handzettel." in page.text
    assert "<svg" not in page.text


async def test_without_the_catalog_the_finder_says_try_again_in_its_language(
    browser: httpx.AsyncClient, published: FakeApis
) -> None:
    published.down.add("/v1/public")
    page = await browser.get("/angebote/fa")
    assert page.status_code == 503
    assert page.headers["retry-after"] == "5"
    assert '<html lang="fa" dir="rtl">' in page.text
    assert "لطفاً کمی بعد دوباره امتحان کنید" in page.text


async def test_the_set_read_last_is_served_while_the_catalog_is_away(
    web: Web, browser: httpx.AsyncClient, published: FakeApis
) -> None:
    assert "Integrationskurs" in (await browser.get("/angebote/en")).text
    web.published.fresh_for = 0.01  # the set is soon out of date, and reading it anew fails
    published.down.add("/v1/public")
    await asyncio.sleep(0.05)
    for _ in range(2):  # the first starts a refresh in the background, the second sees it fail
        page = await browser.get("/angebote/en")
        assert page.status_code == 200
        assert "Integrationskurs" in page.text
        await asyncio.sleep(0.05)

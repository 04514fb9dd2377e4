"""The providers' desk over fake APIs: my offers, free places in one click, withdrawing,
and who may open what."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import httpx

from services.web.tests.conftest import sign_in
from services.web.tests.fakes import FakeApis, offer

HTMX = {"HX-Request": "true"}


def _query_of(apis: FakeApis, path: str) -> dict[str, list[str]]:
    return parse_qs([q for p, q in apis.queries if p == path][-1])


async def test_my_offers_lists_only_mine_with_places_waiting_list_and_match_counts(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    need = apis.add_need("adv-1")
    apis.add_match(need, offer("o-1", "Deutschkurs A1", start_date="2027-02-01", waitlist=True))
    apis.add_match(apis.add_need("adv-2"), apis.offers["o-1"])
    apis.offers["o-2"] = offer("o-2", "Alphabetisierung", places_available=0)
    apis.offers["o-3"] = offer("o-3", "Nicht von mir", provider_id="awo-unna")
    await sign_in(browser, "vhs-schwerte")
    page = await browser.get("/provider/offers")
    assert page.status_code == 200
    text = page.text
    assert "Deutschkurs A1" in text and "Alphabetisierung" in text
    assert "Nicht von mir" not in text
    row = text[text.index('id="offer-o-1"') : text.index('id="offer-o-2"')]
    assert "2 needs" in row and ">yes<" in row and 'value="4"' in row
    counted = _query_of(apis, "/v1/offer-match-counts")
    assert sorted(counted["offer_id"]) == ["o-1", "o-2"]  # counts only, of my offers


async def test_my_offers_passes_sort_filters_and_page_to_the_catalog(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    for n in range(55):
        apis.offers[f"o-{n:02d}"] = offer(f"o-{n:02d}", f"Kurs {n:02d}",
                                         start_date=f"2027-03-{n % 28 + 1:02d}")  # fmt: skip
    await sign_in(browser, "vhs-schwerte")
    page = await browser.get(
        "/provider/offers?sort=-start_date&status=all&start_from=2027-03-01"
        "&start_until=2027-03-31&page=2"
    )
    sent = _query_of(apis, "/v1/offers")
    assert sent["sort"] == ["-start_date"] and sent["offset"] == ["50"]
    assert sent["start_from"] == ["2027-03-01"] and sent["start_until"] == ["2027-03-31"]
    assert sent["provider_id"] == ["vhs-schwerte"] and "status" not in sent
    assert sent["total"] == ["true"] and sent["limit"] == ["50"]
    assert page.text.count('<th scope="row"') == 5 and "page 2 of 2" in page.text
    by_title = await browser.get("/provider/offers?sort=title&start_from=not-a-day")
    assert _query_of(apis, "/v1/offers")["sort"] == ["title"]
    assert "start_from" not in _query_of(apis, "/v1/offers")
    assert by_title.text.index("Kurs 00") < by_title.text.index("Kurs 01")


async def test_setting_places_without_javascript_patches_with_the_version_and_redirects(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.offers["o-1"] = offer("o-1", "Deutschkurs A1", version=3)
    csrf = await sign_in(browser, "vhs-schwerte")
    answer = await browser.post(
        "/provider/offers/o-1/places",
        data={"csrf_token": csrf, "version": "3", "places_available": "7",
              "back": "sort=title&status=published"},
    )  # fmt: skip
    assert answer.status_code == 303
    assert answer.headers["location"] == "/provider/offers?sort=title&status=published"
    assert apis.offers["o-1"]["places_available"] == 7 and apis.offers["o-1"]["version"] == 4
    page = await browser.get(answer.headers["location"])
    assert "now has 7 free places" in page.text


async def test_full_from_the_list_answers_htmx_with_just_that_row(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.offers["o-1"] = offer("o-1", "Deutschkurs A1")
    csrf = await sign_in(browser, "vhs-schwerte")
    full_page = await browser.get("/provider/offers")
    answer = await browser.post(
        "/provider/offers/o-1/places",
        data={"version": "1", "places_available": "0", "back": ""},
        headers=HTMX | {"X-CSRF-Token": csrf},
    )
    assert answer.status_code == 200 and apis.offers["o-1"]["places_available"] == 0
    assert answer.text.lstrip().startswith('<tr id="offer-o-1"') and "<html" not in answer.text
    assert 'hx-swap-oob="innerHTML"' in answer.text and "is now full" in answer.text
    row_in_page = re.search(r'<tr id="offer-o-1".*?</tr>', full_page.text, re.S)
    row_alone = re.search(r'<tr id="offer-o-1".*?</tr>', answer.text, re.S)
    assert row_in_page and row_alone  # the same template: the same cells, in the same order
    cells = re.compile(r'data-label="([^"]+)"')
    assert cells.findall(row_in_page.group(0)) == cells.findall(row_alone.group(0))


async def test_places_changed_elsewhere_say_so_and_show_the_current_value(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.offers["o-1"] = offer("o-1", "Deutschkurs A1", places_available=2, version=5)
    csrf = await sign_in(browser, "vhs-schwerte")
    sent = {"csrf_token": csrf, "version": "4", "places_available": "9", "back": ""}
    htmx = await browser.post("/provider/offers/o-1/places", data=sent, headers=HTMX)
    assert htmx.status_code == 200
    assert "Someone else changed this offer" in htmx.text and "now has 2 free places" in htmx.text
    assert 'name="version" value="5"' in htmx.text and 'value="2"' in htmx.text
    plain = await browser.post("/provider/offers/o-1/places", data=sent)
    assert plain.status_code == 409 and "<html" in plain.text
    assert "now has 2 free places" in plain.text
    assert apis.offers["o-1"]["places_available"] == 2


async def test_a_refused_number_shows_the_reason_at_the_field_and_keeps_it(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.offers["o-1"] = offer("o-1", "Deutschkurs A1")
    csrf = await sign_in(browser, "vhs-schwerte")
    sent = {"csrf_token": csrf, "version": "1", "places_available": "-3", "back": ""}
    htmx = await browser.post("/provider/offers/o-1/places", data=sent, headers=HTMX)
    assert "Must be at least 0." in htmx.text and 'value="-3"' in htmx.text
    assert 'aria-invalid="true"' in htmx.text
    plain = await browser.post("/provider/offers/o-1/places", data=sent)
    assert plain.status_code == 422 and "Must be at least 0." in plain.text
    assert apis.offers["o-1"]["places_available"] == 4


async def test_withdrawing_says_what_happens_to_its_matches_then_deletes_with_if_match(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.add_match(apis.add_need("adv-1"), offer("o-1", "Deutschkurs A1", version=2))
    apis.add_match(apis.add_need("adv-2"), apis.offers["o-1"])
    csrf = await sign_in(browser, "vhs-schwerte")
    confirm = await browser.get("/provider/offers/o-1/withdraw")
    assert "It is proposed for 2 needs at the moment." in confirm.text
    assert "told in their next email" in confirm.text and "are cancelled" in confirm.text
    assert apis.offers["o-1"]["status"] == "published"
    stale = await browser.post(
        "/provider/offers/o-1/withdraw", data={"csrf_token": csrf, "version": "1"}
    )
    assert stale.status_code == 409 and apis.offers["o-1"]["status"] == "published"
    answer = await browser.post(
        "/provider/offers/o-1/withdraw", data={"csrf_token": csrf, "version": "2"}
    )
    assert answer.status_code == 303 and apis.offers["o-1"]["status"] == "withdrawn"
    assert ("DELETE", "/v1/offers/o-1") in apis.writes()
    listing = await browser.get(answer.headers["location"])
    assert "was withdrawn" in listing.text


async def test_another_providers_offer_is_the_404_page_for_every_page_and_form(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.offers["o-9"] = offer("o-9", "Kurs der AWO", provider_id="awo-unna")
    csrf = await sign_in(browser, "vhs-schwerte")
    for path in ("/provider/offers/o-9", "/provider/offers/o-9/edit",
                 "/provider/offers/o-9/withdraw", "/provider/offers/o-9/duplicate",
                 "/provider/offers/unknown/edit"):  # fmt: skip
        answer = await browser.get(path)
        assert answer.status_code == 404, path
        assert "Kurs der AWO" not in answer.text
    form = {"csrf_token": csrf, "version": "1", "places_available": "0", "title_de": "Meins",
            "description_de": "x", "category": "leisure", "municipality": "05978028",
            "contact_email": "a@b.example"}  # fmt: skip
    for path in ("/provider/offers/o-9/places", "/provider/offers/o-9/edit",
                 "/provider/offers/o-9/preview", "/provider/offers/o-9/withdraw"):  # fmt: skip
        answer = await browser.post(path, data=form)
        assert answer.status_code == 404, path
    assert apis.offers["o-9"]["version"] == 1 and apis.offers["o-9"]["status"] == "published"
    assert [w for w in apis.writes() if w[1] != "/v1/offers/validate"] == [
        ("PATCH", "/v1/offers/o-9"),
        ("DELETE", "/v1/offers/o-9"),
    ]  # refused by the catalog


async def test_an_advisor_gets_the_403_page_on_the_providers_desk(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.offers["o-1"] = offer("o-1", "Deutschkurs A1")
    csrf = await sign_in(browser, "adv-1")
    for path in ("/provider/offers", "/provider/offers/new", "/provider/import",
                 "/provider/offers/o-1/edit"):  # fmt: skip
        answer = await browser.get(path)
        assert answer.status_code == 403 and "another desk" in answer.text, path
    posted = await browser.post(
        "/provider/offers/o-1/places",
        data={"csrf_token": csrf, "version": "1", "places_available": "0"},
    )
    assert posted.status_code == 403 and apis.writes() == []


async def test_a_desk_form_without_the_csrf_token_is_refused_before_any_api_call(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    apis.offers["o-1"] = offer("o-1", "Deutschkurs A1")
    await sign_in(browser, "vhs-schwerte")
    before = len(apis.calls)
    for path in ("/provider/offers/o-1/places", "/provider/offers/new",
                 "/provider/offers/new/preview", "/provider/offers/o-1/edit",
                 "/provider/offers/o-1/withdraw", "/provider/import"):  # fmt: skip
        answer = await browser.post(path, data={"version": "1", "places_available": "0"})
        assert answer.status_code == 403, path
    assert apis.calls[before:] == [] and apis.offers["o-1"]["places_available"] == 4

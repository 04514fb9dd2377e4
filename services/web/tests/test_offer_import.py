"""Importing offers over fake APIs: the file goes to the catalog as it is, the report
comes back row by row."""

from __future__ import annotations

import httpx

from services.web.tests.conftest import sign_in
from services.web.tests.fakes import FakeApis

CSV = (
    "title_de;description_de;category;municipality;contact_email\n"
    "Deutschkurs A1;Vormittags;language_course;05978028;kurse@vhs.example\n"
    "Kochkurs;Abends;cooking;05978028;kurse@vhs.example\n"
    "Sprachcafé;Offen;leisure;05978036;kurse@vhs.example\n"
).encode()


async def _upload(
    browser: httpx.AsyncClient, csrf: str, mode: str, name: str = "angebote.csv"
) -> httpx.Response:
    return await browser.post(
        "/provider/import",
        data={"csrf_token": csrf, "mode": mode},
        files={"file": (name, CSV, "application/octet-stream")},
    )


async def test_a_partial_import_creates_the_good_rows_and_reports_the_bad_one(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser, "vhs-schwerte")
    answer = await _upload(browser, csrf, "partial")
    assert answer.status_code == 200
    assert sorted(o["title"]["de"] for o in apis.offers.values()) == [
        "Deutschkurs A1",
        "Sprachcafé",
    ]
    sent = [q for p, q in apis.queries if p == "/v1/offers/import"]
    assert sent == ["mode=partial"]
    text = answer.text
    assert "2 offers were imported." in text and "1 row was not" in text
    assert '<th scope="row" data-label="Row">3</th>' in text and "<code>category</code>" in text
    assert "Please choose one of the options." in text
    assert "Deutschkurs A1</a>" in text and "Sprachcafé</a>" in text


async def test_an_all_or_nothing_import_with_a_bad_row_stores_nothing_and_says_why(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser, "vhs-schwerte")
    answer = await _upload(browser, csrf, "all_or_nothing")
    assert answer.status_code == 422 and apis.offers == {}
    assert "Nothing was imported: 1 row has problems." in answer.text
    assert "<code>category</code>" in answer.text


async def test_the_file_is_forwarded_with_the_content_type_of_its_kind(
    browser: httpx.AsyncClient, apis: FakeApis
) -> None:
    csrf = await sign_in(browser, "vhs-schwerte")
    wrong = await _upload(browser, csrf, "partial", name="angebote.xlsx")
    assert wrong.status_code == 422 and "Please choose a CSV file" in wrong.text
    none = await browser.post("/provider/import", data={"csrf_token": csrf, "mode": "partial"})
    assert none.status_code == 422 and 'href="#field-file"' in none.text
    assert apis.writes() == []
    json_file = b'[{"title": {"de": "Kurs"}, "description": {"de": "x"}, "category": "leisure",' \
        b' "location": {"municipality": "05978028"}, "contact_email": "a@b.example"}]'  # fmt: skip
    answer = await browser.post(
        "/provider/import",
        data={"csrf_token": csrf, "mode": "all_or_nothing"},
        files={"file": ("angebote.json", json_file, "application/octet-stream")},
    )
    assert answer.status_code == 200 and "1 offer was imported." in answer.text


async def test_the_template_csv_comes_from_the_catalog_as_a_download(
    browser: httpx.AsyncClient,
) -> None:
    await sign_in(browser, "vhs-schwerte")
    page = await browser.get("/provider/import")
    assert 'href="/provider/import/template.csv"' in page.text
    answer = await browser.get("/provider/import/template.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert "lotse-angebote-vorlage.csv" in answer.headers["content-disposition"]
    header, example = answer.text.strip().split("\n")
    assert "title_de" in header.split(";") and example.startswith("language_course;")

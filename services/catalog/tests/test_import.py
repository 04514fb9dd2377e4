"""A provider imports many offers at once; every row is checked and nothing is half-imported."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from lotse_catalog.adapters import orm
from lotse_catalog.bootstrap import Catalog
from lotse_catalog.entrypoints.offer_import import CSV_COLUMNS
from services.catalog.tests.api_support import Headers, count, offer_body, outbox

CSV = """title_de;description_de;category;municipality;times_of_day;places_total;places_available;free_of_charge;fee_eur;contact_email
Deutsch A1;Morgens;language_course;05978028;morning|afternoon;12;3;;;kurse@vhs.example
Deutsch B2;Abends;language_course;05978036;evening;10;10;nein;120.50;kurse@vhs.example
"""


async def test_a_valid_json_import_creates_every_offer(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    rows = [offer_body(title={"de": f"Kurs {i}"}) for i in range(3)]
    response = await api.post("/v1/offers/import", json=rows, headers=provider)
    assert response.status_code == 201, response.text
    assert len(response.json()["created"]) == 3
    assert response.json()["failed"] == []
    assert await count(catalog, orm.offers) == 3
    assert [e["type"] for e in await outbox(catalog)][-3:] == ["lotse.offer.published.v1"] * 3


async def test_one_bad_row_stops_an_all_or_nothing_import(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    rows = [
        offer_body(),
        offer_body(category="cooking"),
        offer_body(location={"municipality": "09162000"}),
    ]
    before = await outbox(catalog)
    response = await api.post("/v1/offers/import", json=rows, headers=provider)
    assert response.status_code == 422
    problems = {r["row"]: r["errors"][0]["field"] for r in response.json()["rows"]}
    assert problems == {2: "category", 3: "location.municipality"}
    assert await count(catalog, orm.offers) == 0
    assert await outbox(catalog) == before


async def test_a_partial_import_stores_the_good_rows_and_reports_the_rest(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    rows = [offer_body(), offer_body(age_min=50, age_max=20), offer_body()]
    response = await api.post(
        "/v1/offers/import", params={"mode": "partial"}, json=rows, headers=provider
    )
    assert response.status_code == 200
    report = response.json()
    assert len(report["created"]) == 2
    assert [f["row"] for f in report["failed"]] == [2]
    assert "age_min must not exceed age_max" in report["failed"][0]["errors"][0]["reason"]
    assert await count(catalog, orm.offers) == 2


async def test_a_csv_import_reads_lists_booleans_and_fees(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    response = await api.post(
        "/v1/offers/import", content=CSV.encode(), headers=provider | {"content-type": "text/csv"}
    )
    assert response.status_code == 201, response.text
    ids = response.json()["created"]
    first = (await api.get(f"/v1/offers/{ids[0]}", headers=provider)).json()
    second = (await api.get(f"/v1/offers/{ids[1]}", headers=provider)).json()
    assert first["times_of_day"] == ["morning", "afternoon"]
    assert (first["free_of_charge"], first["places_available"]) == (True, 3)
    assert (second["free_of_charge"], second["fee_eur"]) == (False, "120.50")
    assert second["location"]["municipality"] == "05978036"


async def test_a_csv_with_an_unknown_column_is_refused(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    body = CSV.replace("contact_email", "contact_mail", 1)
    response = await api.post(
        "/v1/offers/import", content=body.encode(), headers=provider | {"content-type": "text/csv"}
    )
    assert response.status_code == 422
    assert "contact_mail" in response.json()["detail"]


async def test_an_empty_or_oversized_import_is_refused(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    assert (await api.post("/v1/offers/import", json=[], headers=provider)).status_code == 422
    too_many = await api.post("/v1/offers/import", json=[{}] * 1001, headers=provider)
    assert too_many.status_code == 422
    assert "at most 1000" in too_many.json()["detail"]


async def test_the_template_csv_imports_cleanly_when_posted_back(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    template = await api.get("/v1/offers/import/template.csv", headers=provider)
    assert template.status_code == 200
    assert template.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        template.headers["content-disposition"]
        == 'attachment; filename="lotse-angebote-vorlage.csv"'
    )
    header, example, *rest = template.text.splitlines()
    assert header.split(";") == CSV_COLUMNS
    assert rest == []
    assert example.count(";") == len(CSV_COLUMNS) - 1
    response = await api.post(
        "/v1/offers/import",
        content=template.content,
        headers=provider | {"content-type": "text/csv"},
    )
    assert response.status_code == 201, response.text
    assert await count(catalog, orm.offers) == 1


async def test_advisors_get_no_import_template(
    api: httpx.AsyncClient, token: Callable[..., Headers]
) -> None:
    response = await api.get("/v1/offers/import/template.csv", headers=token("advisor", "adv-1"))
    assert response.status_code == 403

"""Advisors report problems with offers; the KI dismisses them or asks the provider for changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lotse_catalog.adapters import orm
from lotse_catalog.bootstrap import Catalog
from services.catalog.tests.api_support import (
    Headers,
    count,
    offer_body,
    register_advisor,
    register_provider,
)
from services.catalog.tests.review_support import events_on


@pytest.fixture
async def offer_id(api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]) -> str:
    await register_provider(api, admin, "vhs-schwerte")
    response = await api.post(
        "/v1/offers", json=offer_body(), headers=token("provider", "vhs-schwerte")
    )
    assert response.status_code == 201, response.text
    created: str = response.json()["id"]
    return created


@pytest.fixture
async def advisor(api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]) -> Headers:
    await register_advisor(api, admin, "adv-1")
    return token("advisor", "adv-1")


async def report(
    api: httpx.AsyncClient, headers: Headers, offer_id: str, **body: Any
) -> httpx.Response:
    return await api.post(
        f"/v1/offers/{offer_id}/reports",
        json={"reason": "full_but_shown_free"} | body,
        headers=headers,
    )


async def decide(
    api: httpx.AsyncClient, headers: Headers, report_id: str, outcome: str, comment: str
) -> httpx.Response:
    return await api.post(
        f"/v1/reports/{report_id}/decision",
        json={"outcome": outcome, "comment": comment},
        headers=headers,
    )


async def test_an_advisor_reports_a_problem_and_it_waits_in_the_kis_queue(
    api: httpx.AsyncClient, advisor: Headers, admin: Headers, offer_id: str
) -> None:
    response = await report(api, advisor, offer_id, note="Seit drei Wochen voll.")
    assert response.status_code == 201, response.text
    filed = response.json()
    assert (filed["status"], filed["reason"], filed["advisor_id"]) == (
        "open",
        "full_but_shown_free",
        "adv-1",
    )
    assert response.headers["Location"] == f"/v1/reports/{filed['id']}"
    queue = (await api.get("/v1/reports?status=open", headers=admin)).json()
    assert [r["id"] for r in queue["items"]] == [filed["id"]]


@pytest.mark.parametrize(
    ("note", "what"),
    [
        ("Bitte an m.muster@example.org schreiben", "email address"),
        ("Frau M. erreichbar unter 0231 1234567", "phone number"),
        ("Kind geb. 04.05.2019, kein Platz", "date of birth"),
    ],
)
async def test_a_note_with_personal_data_is_refused_naming_the_field(
    api: httpx.AsyncClient, advisor: Headers, offer_id: str, catalog: Catalog, note: str, what: str
) -> None:
    response = await report(api, advisor, offer_id, note=note)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert error["field"] == "note"
    assert what in error["reason"]
    assert await count(catalog, orm.offer_reports) == 0


async def test_a_note_is_at_most_500_characters_and_the_reason_a_known_code(
    api: httpx.AsyncClient, advisor: Headers, offer_id: str
) -> None:
    long = await report(api, advisor, offer_id, note="x" * 501)
    assert (long.status_code, long.json()["errors"][0]["field"]) == (422, "note")
    assert (await report(api, advisor, offer_id, note="x" * 500)).status_code == 201
    unknown = await report(api, advisor, offer_id, reason="ugly")
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "reason")


async def test_only_advisors_report_and_only_offers_they_can_see(
    api: httpx.AsyncClient,
    advisor: Headers,
    admin: Headers,
    offer_id: str,
    token: Callable[..., Headers],
) -> None:
    assert (await report(api, token("provider", "vhs-schwerte"), offer_id)).status_code == 403
    assert (await report(api, admin, offer_id)).status_code == 403
    assert (await report(api, advisor, "no-such-offer")).status_code == 404
    unregistered = await report(api, token("advisor", "adv-unknown"), offer_id)
    assert unregistered.status_code == 403
    withdrawn = await api.delete(
        f"/v1/offers/{offer_id}", headers=token("provider", "vhs-schwerte") | {"If-Match": '"1"'}
    )
    assert withdrawn.status_code == 200
    assert (await report(api, advisor, offer_id)).status_code == 409


async def test_an_advisor_sees_their_own_reports_and_what_became_of_them(
    api: httpx.AsyncClient,
    advisor: Headers,
    admin: Headers,
    offer_id: str,
    token: Callable[..., Headers],
) -> None:
    await register_advisor(api, admin, "adv-2")
    other = token("advisor", "adv-2")
    mine = (await report(api, advisor, offer_id)).json()
    theirs = (await report(api, other, offer_id, reason="wrong_dates")).json()
    dismissed = await decide(
        api, admin, mine["id"], "dismissed", "Der Träger hat heute Plätze nachgemeldet."
    )
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["decided_by"] == "ki-admin"
    own = (await api.get("/v1/reports", headers=advisor)).json()
    assert [r["id"] for r in own["items"]] == [mine["id"]]
    seen = own["items"][0]
    assert (seen["status"], seen["comment"], seen["decided_by"]) == (
        "dismissed",
        "Der Träger hat heute Plätze nachgemeldet.",
        None,  # who decided: admins only
    )
    assert (await api.get(f"/v1/reports/{theirs['id']}", headers=advisor)).status_code == 404
    assert (await api.get(f"/v1/reports/{theirs['id']}", headers=other)).status_code == 200
    everything = (await api.get("/v1/reports", headers=admin)).json()
    assert everything["total"] == 2


async def test_a_report_turned_into_a_change_request_reaches_the_provider_as_a_review_event(
    api: httpx.AsyncClient,
    advisor: Headers,
    admin: Headers,
    offer_id: str,
    catalog: Catalog,
    token: Callable[..., Headers],
) -> None:
    filed = (await report(api, advisor, offer_id, note="Kurs ist voll.")).json()
    decided = await decide(
        api, admin, filed["id"], "changes_requested", "Bitte freie Plätze auf 0 setzen."
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "changes_requested"
    filed_event, event = await events_on(catalog, "lotse.offer-reviews")
    assert filed_event["type"] == "lotse.offer-review.report-filed.v1"
    assert event["type"] == "lotse.offer-review.changes-requested.v1"
    assert event["data"] | {"decision_id": "-", "decided_at": "-"} == {
        "offer_id": offer_id,
        "provider_id": "vhs-schwerte",
        "revision": None,
        "published_version": 1,
        "title": "Deutschkurs B1 am Abend",
        "contact_email": "info@vhs.example",
        "decision_id": "-",
        "comment": "Bitte freie Plätze auf 0 setzen.",
        "decided_at": "-",
        "report_reason": "full_but_shown_free",
        "report_id": filed["id"],  # the report leaves the KI's queue with the request
    }  # the advisor's note and everyone's names stay in the catalog
    provider = token("provider", "vhs-schwerte")
    review = (await api.get(f"/v1/offers/{offer_id}/review", headers=provider)).json()
    assert (review["state"], review["last_decision"]["report_id"]) == (
        "changes_requested",
        filed["id"],
    )
    live = await api.get(f"/v1/offers/{offer_id}", headers=advisor)
    assert live.json()["status"] == "published"  # the offer stays while it is changed
    fixed = await api.patch(
        f"/v1/offers/{offer_id}",
        json={"places_available": 0, "waitlist": True},
        headers=provider | {"If-Match": '"1"'},
    )
    assert fixed.status_code == 200  # with review off, the fix publishes directly
    closed = (await api.get(f"/v1/offers/{offer_id}/review", headers=provider)).json()
    assert closed["state"] == "published"


async def test_a_report_is_decided_once_with_a_comment_without_personal_data(
    api: httpx.AsyncClient, advisor: Headers, admin: Headers, offer_id: str
) -> None:
    filed = (await report(api, advisor, offer_id)).json()
    leaky = await decide(api, admin, filed["id"], "dismissed", "Rückruf unter 0176 1234567")
    assert (leaky.status_code, leaky.json()["errors"][0]["field"]) == (422, "comment")
    assert (await decide(api, admin, filed["id"], "dismissed", "")).status_code == 422
    assert (await decide(api, admin, filed["id"], "dismissed", "Erledigt.")).status_code == 200
    assert (await decide(api, admin, filed["id"], "dismissed", "Erledigt.")).status_code == 409
    assert (await decide(api, advisor, filed["id"], "dismissed", "x")).status_code == 403


async def test_the_queue_hears_of_each_report_by_its_reason_and_of_its_dismissal(
    api: httpx.AsyncClient, advisor: Headers, admin: Headers, offer_id: str, catalog: Catalog
) -> None:
    filed = (await report(api, advisor, offer_id, note="Telefon geht nie ran.")).json()
    assert (await decide(api, admin, filed["id"], "dismissed", "Erreicht.")).status_code == 200
    on_topic = await events_on(catalog, "lotse.offer-reviews")
    assert [e["type"] for e in on_topic] == [
        "lotse.offer-review.report-filed.v1",
        "lotse.offer-review.report-dismissed.v1",
    ]
    first, then = (e["data"] for e in on_topic)
    assert (first["report_id"], first["reason"], first["published_version"]) == (
        filed["id"],
        "full_but_shown_free",
        1,
    )
    assert then["report_id"] == filed["id"]
    everything = str(on_topic)
    assert (
        "Telefon" not in everything and "adv-1" not in everything and "Erreicht" not in everything
    )

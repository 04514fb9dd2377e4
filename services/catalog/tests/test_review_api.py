"""Offers under review (CATALOG_REVIEW_POLICY=all): nothing reaches advisors or lotse.offers
before an admin other than its authors approved it; every rule refuses with a problem detail."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from lotse_catalog.bootstrap import Catalog
from services.catalog.tests.api_support import Headers, offer_body, register_provider
from services.catalog.tests.review_support import (
    decide,
    draft,
    events_on,
    published_offer,
    reviewing_catalog,
    submit,
)

catalog = reviewing_catalog("all")

OFFERS, REVIEWS = "lotse.offers", "lotse.offer-reviews"


@pytest.fixture
async def provider(
    api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> Headers:
    await register_provider(api, admin, "vhs-schwerte")
    return token("provider", "vhs-schwerte")


@pytest.fixture
def other_admin(token: Callable[..., Headers]) -> Headers:
    return token("admin", "ki-admin-2")


def problem_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    return f"{body['title']}: {body.get('detail', '')}"


async def test_a_new_offer_waits_as_a_draft_unseen_by_advisors_and_unpublished(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog, token: Callable[..., Headers]
) -> None:
    response = await api.post("/v1/offers", json=offer_body(), headers=provider)
    assert response.status_code == 202, response.text
    review = response.json()
    assert (review["state"], review["published_version"], review["pending"]) == (
        "draft",
        None,
        None,
    )
    assert review["draft"]["title"] == {"de": "Deutschkurs B1 am Abend"}
    assert response.headers["Location"] == f"/v1/offers/{review['offer_id']}/review"
    assert response.headers["ETag"] == f'"{review["version"]}"'
    advisor = token("advisor", "adv-1")
    assert (await api.get(f"/v1/offers/{review['offer_id']}", headers=advisor)).status_code == 404
    assert (await api.get("/v1/offers", headers=advisor)).json()["items"] == []
    assert await events_on(catalog, OFFERS) == []


async def test_submitted_then_approved_by_another_admin_is_published_with_its_events(
    api: httpx.AsyncClient, provider: Headers, admin: Headers, catalog: Catalog
) -> None:
    offer_id = (await draft(api, provider))["offer_id"]
    submitted = await submit(api, provider, offer_id)
    assert (submitted["state"], submitted["pending"]["number"]) == ("submitted", 1)
    assert await events_on(catalog, OFFERS) == []
    approved = await decide(api, admin, offer_id, 1)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["state"], approved.json()["published_version"]) == ("approved", 1)
    offers = await events_on(catalog, OFFERS)
    assert [(e["type"], e["key"], e["data"]["version"]) for e in offers] == [
        ("lotse.offer.published.v1", offer_id, 1)
    ]
    reviews = await events_on(catalog, REVIEWS)
    assert [e["type"] for e in reviews] == [
        "lotse.offer-review.submitted.v1",
        "lotse.offer-review.approved.v1",
    ]
    event = reviews[-1]
    assert event["key"] == offer_id
    assert event["data"]["revision"] == 1
    assert event["data"]["contact_email"] == "info@vhs.example"  # the provider's role mailbox
    assert "ki-admin" not in str(event["data"])  # who reviewed stays in the catalog
    assert (await api.get(f"/v1/offers/{offer_id}", headers=admin)).json()["status"] == "published"


async def test_a_provider_deciding_is_forbidden(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    offer_id = (await draft(api, provider))["offer_id"]
    await submit(api, provider, offer_id)
    problem_of(await decide(api, provider, offer_id, 1), 403)
    assert await events_on(catalog, OFFERS) == []


async def test_an_admin_never_decides_a_revision_they_wrote_or_submitted(
    api: httpx.AsyncClient,
    provider: Headers,
    admin: Headers,
    other_admin: Headers,
    catalog: Catalog,
) -> None:
    written = await draft(api, admin, provider_id="vhs-schwerte")  # the admin acts for it
    await submit(api, provider, written["offer_id"])
    assert "four eyes" in problem_of(await decide(api, admin, written["offer_id"], 1), 403)
    submitted = await draft(api, provider)
    await submit(api, admin, submitted["offer_id"])
    assert "four eyes" in problem_of(await decide(api, admin, submitted["offer_id"], 1), 403)
    assert await events_on(catalog, OFFERS) == []
    assert (await decide(api, other_admin, written["offer_id"], 1)).status_code == 200


async def test_deciding_a_superseded_revision_is_a_conflict(
    api: httpx.AsyncClient, provider: Headers, admin: Headers
) -> None:
    offer_id = (await draft(api, provider))["offer_id"]
    first = await submit(api, provider, offer_id)
    edited = await api.put(
        f"/v1/offers/{offer_id}",
        json=offer_body(title={"de": "Deutschkurs B1, neu"}),
        headers=provider | {"If-Match": f'"{first["version"]}"'},
    )
    assert edited.status_code == 202, edited.text
    await submit(api, provider, offer_id)
    detail = problem_of(await decide(api, admin, offer_id, 1), 409)
    assert "revision 1 is superseded; revision 2 waits" in detail
    assert (await decide(api, admin, offer_id, 2)).status_code == 200


async def test_deciding_an_offer_not_submitted_is_a_conflict(
    api: httpx.AsyncClient, provider: Headers, admin: Headers
) -> None:
    offer_id = (await draft(api, provider))["offer_id"]
    assert "no revision waiting" in problem_of(await decide(api, admin, offer_id, 1), 409)
    missing = await decide(api, admin, "no-such-offer", 1)
    problem_of(missing, 404)


async def test_a_change_to_a_published_offer_waits_while_the_published_version_stays(
    api: httpx.AsyncClient, provider: Headers, admin: Headers, catalog: Catalog
) -> None:
    offer = await published_offer(api, provider, admin)
    changed = await api.put(
        f"/v1/offers/{offer['id']}",
        json=offer_body(title={"de": "Deutschkurs B2 am Abend"}),
        headers=provider | {"If-Match": '"1"'},
    )
    assert changed.status_code == 202, changed.text
    assert changed.headers["ETag"] == '"1"'  # the published version: what If-Match sends next
    assert changed.json()["published_version"] == 1
    live = (await api.get(f"/v1/offers/{offer['id']}", headers=admin)).json()
    assert (live["title"], live["version"]) == ({"de": "Deutschkurs B1 am Abend"}, 1)
    review = await submit(api, provider, offer["id"])
    changes = review["pending"]["changes"]
    assert changes == [
        {
            "field": "title.de",
            "before": "Deutschkurs B1 am Abend",
            "after": "Deutschkurs B2 am Abend",
        }
    ]
    assert review["pending"]["base_version"] == 1
    assert len(await events_on(catalog, OFFERS)) == 1
    assert (await decide(api, admin, offer["id"], 2)).status_code == 200
    updated = (await events_on(catalog, OFFERS))[-1]
    assert (updated["type"], updated["data"]["version"]) == ("lotse.offer.updated.v1", 2)
    assert updated["data"]["title"] == {"de": "Deutschkurs B2 am Abend"}


async def test_free_places_and_withdrawal_never_wait_for_review(
    api: httpx.AsyncClient, provider: Headers, admin: Headers, catalog: Catalog
) -> None:
    offer = await published_offer(api, provider, admin)
    pending = await api.patch(
        f"/v1/offers/{offer['id']}",
        json={"description": {"de": "Neu: dreimal pro Woche."}},
        headers=provider | {"If-Match": '"1"'},
    )
    assert pending.status_code == 202
    await submit(api, provider, offer["id"])
    places = await api.patch(
        f"/v1/offers/{offer['id']}",
        json={"places_available": 1},
        headers=provider | {"If-Match": '"1"'},
    )
    assert places.status_code == 200, places.text
    assert (places.json()["places_available"], places.json()["version"]) == (1, 2)
    review = (await api.get(f"/v1/offers/{offer['id']}/review", headers=provider)).json()
    assert review["state"] == "submitted"  # the revision waiting took the places in place
    assert review["pending"]["details"]["places_available"] == 1
    assert review["pending"]["details"]["description"] == {"de": "Neu: dreimal pro Woche."}
    withdrawn = await api.delete(
        f"/v1/offers/{offer['id']}", headers=provider | {"If-Match": '"2"'}
    )
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    assert [e["type"] for e in await events_on(catalog, OFFERS)] == [
        "lotse.offer.published.v1",
        "lotse.offer.updated.v1",
        "lotse.offer.withdrawn.v1",
    ]
    closed = (await api.get(f"/v1/offers/{offer['id']}/review", headers=provider)).json()
    assert closed["state"] == "withdrawn"
    problem_of(await decide(api, admin, offer["id"], 2), 409)


async def test_changes_requested_edited_and_resubmitted_leave_a_history_with_differences(
    api: httpx.AsyncClient, provider: Headers, admin: Headers, catalog: Catalog
) -> None:
    offer_id = (await draft(api, provider))["offer_id"]
    await submit(api, provider, offer_id)
    no_comment = await decide(api, admin, offer_id, 1, "changes_requested")
    assert problem_of(no_comment, 422)
    assert no_comment.json()["errors"][0]["field"] == "comment"
    sent_back = await decide(
        api, admin, offer_id, 1, "changes_requested", "Bitte Enddatum angeben."
    )
    assert sent_back.json()["state"] == "changes_requested"
    review = (await api.get(f"/v1/offers/{offer_id}/review", headers=provider)).json()
    edited = await api.put(
        f"/v1/offers/{offer_id}",
        json=offer_body(end_date="2027-07-30"),
        headers=provider | {"If-Match": f'"{review["version"]}"'},
    )
    assert edited.status_code == 202, edited.text
    await submit(api, provider, offer_id)
    event = (await events_on(catalog, REVIEWS))[1]
    assert (event["type"], event["data"]["comment"], event["data"]["revision"]) == (
        "lotse.offer-review.changes-requested.v1",
        "Bitte Enddatum angeben.",
        1,
    )
    history = (await api.get(f"/v1/offers/{offer_id}/revisions", headers=provider)).json()
    assert [(r["number"], r["state"]) for r in history["items"]] == [
        (1, "changes_requested"),
        (2, "submitted"),
    ]
    first = history["items"][0]
    assert first["decision"]["comment"] == "Bitte Enddatum angeben."
    assert (first["decision"]["reviewer"], first["submitted_by"]) == (None, None)  # admins only
    assert {"field": "end_date", "before": None, "after": "2027-07-30"} in history["items"][1][
        "changes"
    ]
    as_admin = (await api.get(f"/v1/offers/{offer_id}/revisions", headers=admin)).json()
    assert as_admin["items"][0]["decision"]["reviewer"] == "ki-admin"
    assert as_admin["items"][0]["submitted_by"] == "provider:vhs-schwerte"


async def test_a_rejected_new_offer_stays_rejected(
    api: httpx.AsyncClient, provider: Headers, admin: Headers, catalog: Catalog
) -> None:
    offer_id = (await draft(api, provider))["offer_id"]
    await submit(api, provider, offer_id)
    rejected = await decide(api, admin, offer_id, 1, "rejected", "Kein Bildungsangebot.")
    assert rejected.json()["state"] == "rejected"
    again = await api.put(
        f"/v1/offers/{offer_id}",
        json=offer_body(),
        headers=provider | {"If-Match": f'"{rejected.json()["version"]}"'},
    )
    assert "rejected" in problem_of(again, 409)
    assert (await events_on(catalog, REVIEWS))[-1]["type"] == "lotse.offer-review.rejected.v1"
    assert await events_on(catalog, OFFERS) == []


async def test_a_review_is_the_providers_own_and_the_admins(
    api: httpx.AsyncClient, provider: Headers, admin: Headers, token: Callable[..., Headers]
) -> None:
    await register_provider(api, admin, "awo-kamen")
    offer_id = (await draft(api, provider))["offer_id"]
    other = token("provider", "awo-kamen")
    for path in (f"/v1/offers/{offer_id}/review", f"/v1/offers/{offer_id}/revisions"):
        assert (await api.get(path, headers=other)).status_code == 404
        assert (await api.get(path, headers=token("advisor", "adv-1"))).status_code == 403
        assert (await api.get(path, headers=admin)).status_code == 200
    stranger = await api.post(f"/v1/offers/{offer_id}/submit", headers=other | {"If-Match": '"1"'})
    assert stranger.status_code == 404


async def test_submitting_says_which_version_it_was_made_against(
    api: httpx.AsyncClient, provider: Headers
) -> None:
    offer_id = (await draft(api, provider))["offer_id"]
    assert (await api.post(f"/v1/offers/{offer_id}/submit", headers=provider)).status_code == 428
    stale = await api.post(f"/v1/offers/{offer_id}/submit", headers=provider | {"If-Match": '"9"'})
    assert stale.status_code == 412


async def test_the_queue_lists_what_waits_longest_first_and_providers_see_their_own(
    api: httpx.AsyncClient, provider: Headers, admin: Headers, token: Callable[..., Headers]
) -> None:
    await register_provider(api, admin, "awo-kamen")
    awo = token("provider", "awo-kamen")
    first = (await draft(api, provider))["offer_id"]
    second = (await draft(api, awo, title={"de": "Beratung"}))["offer_id"]
    unsubmitted = (await draft(api, provider, title={"de": "Noch nicht fertig"}))["offer_id"]
    await submit(api, provider, first)
    await submit(api, awo, second)
    queue = (await api.get("/v1/reviews", headers=admin)).json()
    assert [r["offer_id"] for r in queue["items"]] == [first, second]
    assert queue["total"] == 2
    assert queue["offers_reviewed"] is None  # the queue is not one provider's
    assert queue["items"][0]["pending"]["changes"]  # the difference, for the side-by-side view
    own = (await api.get("/v1/reviews", headers=provider)).json()
    assert {r["offer_id"] for r in own["items"]} == {first, unsubmitted}
    drafts = (await api.get("/v1/reviews?state=draft", headers=provider)).json()
    assert [r["offer_id"] for r in drafts["items"]] == [unsubmitted]
    assert drafts["items"][0]["working_copy"]["title"] == {"de": "Noch nicht fertig"}
    assert own["offers_reviewed"] is True
    snooping = await api.get("/v1/reviews?provider_id=awo-kamen", headers=provider)
    assert snooping.status_code == 422
    assert (await api.get("/v1/reviews", headers=token("advisor", "adv-1"))).status_code == 403


async def test_an_import_under_review_keeps_every_offer_as_a_draft(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    response = await api.post(
        "/v1/offers/import", json=[offer_body(), offer_body()], headers=provider
    )
    assert response.status_code == 201, response.text
    report = response.json()
    assert (len(report["created"]), report["in_review"]) == (2, True)
    assert await events_on(catalog, OFFERS) == []
    own = (await api.get("/v1/reviews?state=draft", headers=provider)).json()
    assert own["total"] == 2


async def test_deactivating_a_provider_withdraws_what_waits_for_review(
    api: httpx.AsyncClient, provider: Headers, admin: Headers, catalog: Catalog
) -> None:
    offer_id = (await draft(api, provider))["offer_id"]
    await submit(api, provider, offer_id)
    assert (await api.delete("/v1/providers/vhs-schwerte", headers=admin)).status_code == 200
    review = (await api.get(f"/v1/offers/{offer_id}/review", headers=admin)).json()
    assert review["state"] == "withdrawn"
    problem_of(await decide(api, admin, offer_id, 1), 409)
    closed = (await events_on(catalog, "lotse.offer-reviews"))[-1]
    assert (closed["type"], closed["data"]["reason"]) == (
        "lotse.offer-review.closed.v1",
        "withdrawn",
    )


async def test_a_revision_that_stops_waiting_without_a_decision_leaves_the_queue_on_the_topic(
    api: httpx.AsyncClient, provider: Headers, catalog: Catalog
) -> None:
    offer_id = (await draft(api, provider))["offer_id"]
    first = await submit(api, provider, offer_id)
    edited = await api.put(
        f"/v1/offers/{offer_id}",
        json=offer_body(title={"de": "Deutschkurs B1, neu"}),
        headers=provider | {"If-Match": f'"{first["version"]}"'},
    )
    assert edited.status_code == 202, edited.text
    second = await submit(api, provider, offer_id)
    withdrawn = await api.delete(
        f"/v1/offers/{offer_id}", headers=provider | {"If-Match": f'"{second["version"]}"'}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    on_topic = [
        (e["type"].split(".")[2], e["data"]["revision"], e["data"].get("reason"))
        for e in await events_on(catalog, "lotse.offer-reviews")
    ]
    assert on_topic == [
        ("submitted", 1, None),
        ("closed", 1, "superseded"),  # pulled back by the change
        ("submitted", 2, None),
        ("closed", 2, "withdrawn"),
    ]

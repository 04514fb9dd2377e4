"""The matching API: advisors see and decide their own matches, providers see counts, coordinators see gaps."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update

from lotse_matching.adapters import orm
from lotse_matching.bootstrap import Matching
from lotse_shared.contracts import OfferWithdrawn, match_id_for
from services.matching.tests.api_support import (
    HOLZWICKEDE,
    SCHWERTE,
    WERNE,
    Headers,
    deliver,
    need,
    offer,
    withdrawn,
)


async def test_an_advisor_sees_their_needs_matches_ranked_with_reasons_and_eligibility(
    matching: Matching, api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    n, o = need(status="eu_citizen"), offer()
    await deliver(matching, n)
    await deliver(matching, o)
    response = await api.get(f"/v1/needs/{n.need_id}/matches", headers=token("advisor", "adv-1"))
    assert response.status_code == 200
    [match] = response.json()
    assert match["offer_id"] == o.offer_id
    assert match["eligibility"] == "self_payer_only"
    assert "Im Wohnort Schwerte" in [r["de"] for r in match["reasons"]]
    assert (
        await api.get(f"/v1/needs/{n.need_id}/matches", headers=token("advisor", "adv-2"))
    ).status_code == 404
    assert (
        await api.get(f"/v1/needs/{n.need_id}/matches", headers=token("provider", "vhs"))
    ).status_code == 403
    assert (await api.get(f"/v1/needs/{n.need_id}/matches")).status_code == 401


async def test_ended_matches_follow_the_active_ones_with_why_they_ended(
    matching: Matching, api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    # the ended one fits better, so only its having ended puts it last
    n, kept, gone = need(), offer(municipality=HOLZWICKEDE), offer()
    await deliver(matching, n)
    await deliver(matching, kept)
    await deliver(matching, gone)
    advisor = token("advisor", "adv-1")
    decided = await api.post(
        f"/v1/matches/{match_id_for(n.need_id, gone.offer_id)}/decision",
        json={"decision": "declined", "decline_reason": "schedule"},
        headers=advisor,
    )
    assert decided.status_code == 200, decided.text
    await deliver(matching, withdrawn(gone))
    url = f"/v1/needs/{n.need_id}/matches"
    response = await api.get(url, params={"include_ended": "true"}, headers=advisor)
    assert response.status_code == 200, response.text
    active, ended = response.json()
    assert (active["offer_id"], active["status"], active["invalidation_reason"]) == (
        kept.offer_id,
        "active",
        None,
    )
    assert (ended["offer_id"], ended["status"], ended["invalidation_reason"]) == (
        gone.offer_id,
        "invalidated",
        "withdrawn",
    )
    assert ended["invalidated_at"] is not None
    assert active["score"] < ended["score"]
    assert ended["decision"] == "declined"
    others = await api.get(url, params={"include_ended": "true"}, headers=token("advisor", "adv-2"))
    assert others.status_code == 404


async def test_without_include_ended_a_need_shows_its_active_matches_as_before(
    matching: Matching, api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    n, kept, gone = need(), offer(), offer()
    for event in (n, kept, gone):
        await deliver(matching, event)
    await deliver(matching, withdrawn(gone))
    url, advisor = f"/v1/needs/{n.need_id}/matches", token("advisor", "adv-1")
    [match] = (await api.get(url, headers=advisor)).json()
    assert match["offer_id"] == kept.offer_id
    assert not {"status", "invalidated_at", "invalidation_reason"} & set(match)
    with_ended = (await api.get(url, params={"include_ended": "true"}, headers=advisor)).json()
    assert match == {
        k: v
        for k, v in with_ended[0].items()
        if k not in ("status", "invalidated_at", "invalidation_reason")
    }


async def test_match_counts_give_each_of_the_advisors_needs_its_active_and_new_matches(
    matching: Matching, api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    busy, quiet, foreign = need(), need(municipality=WERNE), need(advisor_id="adv-2")
    early, late = offer(), offer()
    for event in (busy, quiet, foreign, early):
        await deliver(matching, event)
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    async with matching.runtime.engine.begin() as conn:
        await conn.execute(update(orm.matches).values(found_at=an_hour_ago))
    await deliver(matching, late)
    advisor = token("advisor", "adv-1")

    def by_need(response: httpx.Response) -> dict[str, tuple[int, int]]:
        assert response.status_code == 200, response.text
        return {c["need_id"]: (c["active"], c["new"]) for c in response.json()}

    everything = await api.get("/v1/match-counts", headers=advisor)
    assert by_need(everything) == {busy.need_id: (2, 0), quiet.need_id: (0, 0)}
    assert [c["need_id"] for c in everything.json()] == [busy.need_id, quiet.need_id]
    half_an_hour_ago = datetime.now(UTC) - timedelta(minutes=30)
    aware = await api.get(
        "/v1/match-counts", params={"since": half_an_hour_ago.isoformat()}, headers=advisor
    )
    assert by_need(aware) == {busy.need_id: (2, 1), quiet.need_id: (0, 0)}
    naive = half_an_hour_ago.replace(tzinfo=None).isoformat()
    as_utc = await api.get("/v1/match-counts", params={"since": naive}, headers=advisor)
    assert by_need(as_utc) == by_need(aware)
    theirs = by_need(await api.get("/v1/match-counts", headers=token("advisor", "adv-2")))
    assert theirs == {foreign.need_id: (2, 0)}
    asked = [("need_id", quiet.need_id), ("need_id", foreign.need_id)]
    only = await api.get("/v1/match-counts", params=asked, headers=advisor)
    assert by_need(only) == {quiet.need_id: (0, 0)}  # another advisor's need is not counted


async def test_only_advisors_have_match_counts(
    api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    for role, sub in (("provider", "vhs"), ("admin", "ki")):
        response = await api.get("/v1/match-counts", headers=token(role, sub))
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
    assert (await api.get("/v1/match-counts")).status_code == 401


async def test_the_link_in_an_email_shows_the_match_to_its_advisor_only_and_whether_it_holds(
    matching: Matching, api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    n, o = need(), offer()
    await deliver(matching, n)
    await deliver(matching, o)
    url = f"/v1/matches/{match_id_for(n.need_id, o.offer_id)}"
    response = await api.get(url, headers=token("advisor", "adv-1"))
    assert response.status_code == 200
    assert (response.json()["offer_id"], response.json()["status"]) == (o.offer_id, "active")
    withdrawn = o.model_dump() | {"status": "withdrawn", "version": 2}
    await deliver(matching, OfferWithdrawn.model_validate(withdrawn))
    response = await api.get(url, headers=token("advisor", "adv-1"))
    assert response.json()["status"] == "invalidated"
    assert response.json()["invalidation_reason"] == "withdrawn"
    assert (await api.get(url, headers=token("advisor", "adv-2"))).status_code == 404
    assert (await api.get(url, headers=token("provider", "vhs"))).status_code == 403
    assert (await api.get("/v1/matches/nope", headers=token("advisor", "adv-1"))).status_code == 404


async def test_a_provider_sees_counts_for_its_own_offers_only(
    matching: Matching, api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    o = offer()
    await deliver(matching, o)
    for _ in range(3):
        await deliver(matching, need())
    response = await api.get(f"/v1/offers/{o.offer_id}/matches", headers=token("provider", "vhs"))
    assert response.json() == {"active": 3, "accepted": 0, "declined": 0}
    assert "need" not in json.dumps(response.json())
    assert (
        await api.get(f"/v1/offers/{o.offer_id}/matches", headers=token("provider", "awo"))
    ).status_code == 404


async def test_a_provider_gets_the_counts_of_many_of_its_own_offers_at_once(
    matching: Matching, api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    mine, quiet, theirs = offer(), offer(municipality=WERNE), offer(provider_id="awo")
    for published in (mine, quiet, theirs):
        await deliver(matching, published)
    for _ in range(2):
        await deliver(matching, need())
    asked = [quiet.offer_id, "unknown", theirs.offer_id, mine.offer_id]
    response = await api.get(
        "/v1/offer-match-counts", params={"offer_id": asked}, headers=token("provider", "vhs")
    )
    assert response.status_code == 200, response.text
    assert response.json() == [
        {"offer_id": quiet.offer_id, "active": 0, "accepted": 0, "declined": 0},
        {"offer_id": mine.offer_id, "active": 2, "accepted": 0, "declined": 0},
    ]
    single = await api.get(f"/v1/offers/{mine.offer_id}/matches", headers=token("provider", "vhs"))
    assert response.json()[1] == {"offer_id": mine.offer_id} | single.json()
    as_admin = await api.get(
        "/v1/offer-match-counts", params={"offer_id": asked}, headers=token("admin", "ki")
    )
    assert [r["offer_id"] for r in as_admin.json()] == [
        quiet.offer_id,
        theirs.offer_id,
        mine.offer_id,
    ]
    assert as_admin.json()[1]["active"] == 2
    assert "need" not in json.dumps(as_admin.json())


async def test_offer_match_counts_take_one_to_two_hundred_offers_and_not_from_advisors(
    api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    provider = token("provider", "vhs")
    none = await api.get("/v1/offer-match-counts", headers=provider)
    assert none.status_code == 422
    assert none.json()["errors"][0]["field"] == "offer_id"
    too_many = await api.get(
        "/v1/offer-match-counts",
        params={"offer_id": [f"o-{i}" for i in range(201)]},
        headers=provider,
    )
    assert too_many.status_code == 422
    most = await api.get(
        "/v1/offer-match-counts",
        params={"offer_id": [f"o-{i}" for i in range(200)]},
        headers=provider,
    )
    assert (most.status_code, most.json()) == (200, [])
    advisor = await api.get(
        "/v1/offer-match-counts", params={"offer_id": "o-1"}, headers=token("advisor", "adv-1")
    )
    assert advisor.status_code == 403


async def test_the_advisor_decides_and_the_decision_is_published(
    matching: Matching, api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    n, o = need(), offer()
    await deliver(matching, n)
    await deliver(matching, o)
    match_id = match_id_for(n.need_id, o.offer_id)
    url = f"/v1/matches/{match_id}/decision"
    other = await api.post(url, json={"decision": "accepted"}, headers=token("advisor", "adv-2"))
    assert other.status_code == 404
    bad = await api.post(url, json={"decision": "maybe"}, headers=token("advisor", "adv-1"))
    assert bad.status_code == 422
    declined = await api.post(
        url,
        json={"decision": "declined", "decline_reason": "schedule"},
        headers=token("advisor", "adv-1"),
    )
    assert declined.status_code == 200, declined.text
    async with matching.runtime.engine.connect() as conn:
        rows = (await conn.execute(select(orm.outbox).order_by(orm.outbox.c.id))).all()
    last = rows[-1]
    assert dict(last.headers)["ce_type"] == "lotse.match.decided.v1"
    assert json.loads(last.value)["decline_reason"] == "schedule"
    counts = await api.get(f"/v1/offers/{o.offer_id}/matches", headers=token("provider", "vhs"))
    assert counts.json()["declined"] == 1


async def test_coordinators_see_where_offers_are_missing(
    matching: Matching, api: httpx.AsyncClient, token: Callable[[str, str], Headers]
) -> None:
    await deliver(matching, offer(places=4))
    await deliver(matching, need())
    await deliver(matching, need(municipality=WERNE))  # Werne is too far from Schwerte
    response = await api.get("/v1/stats/coverage", headers=token("admin", "ki"))
    rows = {(r["municipality"], r["category"]): r for r in response.json()}
    assert rows[(WERNE, "integration_course")]["needs_without_match"] == "< 5"
    assert rows[(WERNE, "integration_course")]["municipality_name"] == "Werne"
    schwerte = rows[(SCHWERTE, "integration_course")]
    assert (schwerte["open_needs"], schwerte["needs_without_match"], schwerte["free_places"]) == (
        "< 5",
        0,
        4,
    )
    as_csv = await api.get(
        "/v1/stats/coverage", params={"format": "csv"}, headers=token("admin", "ki")
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    region = matching.policy.region.municipalities
    assert len(list(csv.DictReader(io.StringIO(as_csv.text)))) == len(region)
    assert (
        await api.get("/v1/stats/coverage", headers=token("advisor", "adv-1"))
    ).status_code == 403


async def test_the_eligibility_rules_in_force_are_read_without_a_token(
    api: httpx.AsyncClient,
) -> None:
    before = await api.get("/v1/public/eligibility-rules", params={"on": "2026-01-15"})
    since = await api.get("/v1/public/eligibility-rules", params={"on": "2026-03-01"})
    assert before.status_code == since.status_code == 200
    hints = {r["id"]: r["hint"] for r in since.json()}
    assert hints["integration-course-no-voluntary-admission-2026"] == "self_payer_only"
    assert "integration-course-voluntary-admission" not in hints
    assert "integration-course-voluntary-admission" in {r["id"] for r in before.json()}
    refused = await api.get("/v1/public/eligibility-rules", params={"on": "yesterday"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"].endswith("on")

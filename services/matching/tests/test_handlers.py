"""Matching pairs offers and needs whichever arrives first, once, and explains why."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import select

from lotse_matching.adapters import orm
from lotse_matching.bootstrap import Matching, bootstrap
from lotse_matching.config import MatchingSettings
from lotse_matching.entrypoints.subscribers import apply_consumed
from lotse_matching.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import (
    MatchInvalidated,
    NeedClosed,
    NeedEvent,
    NeedRegistered,
    NeedUpdated,
    OfferEvent,
    OfferPublished,
    OfferUpdated,
    OfferWithdrawn,
    match_id_for,
)
from lotse_shared.envelope import Envelope, Tombstone, decode, encode
from lotse_shared.errors import InvalidMessage
from lotse_shared.migrations import upgrade

SCHWERTE, UNNA = "05978028", "05978036"


@pytest.fixture
async def matching(database_url: str) -> AsyncIterator[Matching]:
    matching = bootstrap(MatchingSettings(MATCHING_DATABASE_URL=database_url))
    await upgrade(matching.runtime.engine, str(resources.files("lotse_matching") / "migrations"))
    yield matching
    await matching.runtime.engine.dispose()


def offer(
    municipality: str = SCHWERTE,
    category: str = "language_course",
    kind: type[OfferEvent] = OfferPublished,
    offer_id: str | None = None,
    version: int = 1,
    **changes: Any,
) -> OfferEvent:
    return kind.model_validate(
        {
            "offer_id": offer_id or str(uuid.uuid4()),
            "provider_id": "vhs-schwerte",
            "title": {"de": "Deutschkurs B1"},
            "description": {"de": "Abendkurs"},
            "category": category,
            "location": {"municipality": municipality},
            "contact_email": "kurse@vhs.example",
            "status": "withdrawn" if kind is OfferWithdrawn else "published",
            "version": version,
            "updated_at": datetime.now(UTC),
        }
        | changes
    )


def need(
    municipality: str = SCHWERTE,
    categories: tuple[str, ...] = ("language_course",),
    kind: type[NeedEvent] = NeedRegistered,
    need_id: str | None = None,
    version: int = 1,
    **changes: Any,
) -> NeedEvent:
    return kind.model_validate(
        {
            "need_id": need_id or str(uuid.uuid4()),
            "reference": "UNN-ABCDEF",
            "advisor_id": "adv-1",
            "municipality": municipality,
            "age": 30,
            "categories": list(categories),
            "status": "closed" if kind is NeedClosed else "open",
            "expires_on": "2027-05-01",
            "version": version,
            "updated_at": datetime.now(UTC),
        }
        | changes
    )


async def deliver(matching: Matching, event: Any, event_id: str | None = None) -> None:
    record = encode(event, source="/lotse/catalog", event_id=event_id)
    assert record.value is not None
    await apply_consumed(matching, [decode(record.headers, record.value)])


async def published_matches(matching: Matching, kind: str = "found") -> list[dict[str, Any]]:
    async with matching.runtime.engine.connect() as conn:
        rows = await conn.execute(select(orm.outbox).order_by(orm.outbox.c.id))
        return [
            json.loads(r.value)
            for r in rows
            if dict(r.headers)["ce_type"] == f"lotse.match.{kind}.v1"
        ]


async def active_matches(matching: Matching, need_id: str) -> list[str]:
    async with matching.uow() as uow:
        return [m["offer_id"] for m in await uow.queries.for_need(need_id)]


@pytest.mark.parametrize("offer_first", [True, False])
async def test_a_fitting_offer_and_need_are_matched_whichever_comes_first(
    matching: Matching, offer_first: bool
) -> None:
    o, n = offer(), need()
    for event in [o, n] if offer_first else [n, o]:
        await deliver(matching, event)
    [match] = await published_matches(matching)
    assert match["match_id"] == match_id_for(n.need_id, o.offer_id)
    assert (match["need_id"], match["offer_id"], match["advisor_id"]) == (
        n.need_id,
        o.offer_id,
        "adv-1",
    )
    assert match["need_reference"] == "UNN-ABCDEF"
    assert match["offer"]["title"] == "Deutschkurs B1"
    assert {
        "code": "same_municipality",
        "de": "Im Wohnort Schwerte",
        "en": "In the home town Schwerte",
    } in match["reasons"]
    assert match["eligibility"] == "eligible"


async def test_a_redelivered_event_matches_nothing_twice(matching: Matching) -> None:
    o, n = offer(), need()
    await deliver(matching, o, event_id="offer-event")
    await deliver(matching, n, event_id="need-event")
    await deliver(matching, n, event_id="need-event")
    await deliver(matching, o, event_id="offer-event")
    assert len(await published_matches(matching)) == 1


async def test_the_same_state_under_a_new_event_id_matches_nothing_twice(
    matching: Matching,
) -> None:
    o, n = offer(), need()
    await deliver(matching, o)
    await deliver(matching, n)
    await deliver(matching, n)
    assert len(await published_matches(matching)) == 1


async def test_an_offer_in_another_municipality_does_not_match(matching: Matching) -> None:
    await deliver(matching, offer(municipality=UNNA))
    await deliver(matching, need(municipality=SCHWERTE))
    assert await published_matches(matching) == []


async def test_an_offer_of_an_unwanted_category_does_not_match(matching: Matching) -> None:
    await deliver(matching, offer(category="leisure"))
    await deliver(matching, need(categories=("language_course", "counselling")))
    assert await published_matches(matching) == []


async def test_one_offer_matches_every_open_need_that_wants_it(matching: Matching) -> None:
    needs = [need() for _ in range(3)] + [need(categories=("leisure",))]
    for n in needs:
        await deliver(matching, n)
    await deliver(matching, offer())
    assert sorted(m["need_id"] for m in await published_matches(matching)) == sorted(
        n.need_id for n in needs[:3]
    )


async def test_an_event_matching_does_not_consume_is_invalid(matching: Matching) -> None:
    from lotse_shared.contracts import NotificationSent

    event = NotificationSent(
        notification_id="d", advisor_id="a", match_id="m", sent_at=datetime.now(UTC)
    )
    with pytest.raises(InvalidMessage):
        await deliver(matching, event)


async def test_a_full_offer_invalidates_its_matches(matching: Matching) -> None:
    o, n = offer(places_total=10, places_available=2), need()
    await deliver(matching, o)
    await deliver(matching, n)
    full = offer(
        kind=OfferUpdated, offer_id=o.offer_id, version=2, places_total=10, places_available=0
    )
    await deliver(matching, full)
    [gone] = await published_matches(matching, "invalidated")
    assert (gone["need_id"], gone["offer_id"], gone["reason"]) == (n.need_id, o.offer_id, "full")
    assert await active_matches(matching, n.need_id) == []


async def test_a_withdrawn_offer_invalidates_and_a_republished_one_matches_again(
    matching: Matching,
) -> None:
    o, n = offer(), need()
    await deliver(matching, o)
    await deliver(matching, n)
    await deliver(matching, offer(kind=OfferWithdrawn, offer_id=o.offer_id, version=2))
    assert [m["reason"] for m in await published_matches(matching, "invalidated")] == ["withdrawn"]
    await deliver(matching, offer(kind=OfferUpdated, offer_id=o.offer_id, version=3))
    assert len(await published_matches(matching)) == 2
    assert await active_matches(matching, n.need_id) == [o.offer_id]


async def test_a_closed_need_invalidates_its_matches(matching: Matching) -> None:
    o, n = offer(), need()
    await deliver(matching, o)
    await deliver(matching, n)
    await deliver(matching, need(kind=NeedClosed, need_id=n.need_id, version=2))
    assert [m["reason"] for m in await published_matches(matching, "invalidated")] == [
        "need_closed"
    ]


async def test_a_changed_need_that_no_longer_fits_is_unmatched(matching: Matching) -> None:
    o, n = offer(), need()
    await deliver(matching, o)
    await deliver(matching, n)
    await deliver(
        matching, need(kind=NeedUpdated, need_id=n.need_id, version=2, categories=["counselling"])
    )
    assert [m["reason"] for m in await published_matches(matching, "invalidated")] == [
        "need_changed"
    ]


async def test_an_older_state_arriving_late_changes_nothing(matching: Matching) -> None:
    o, n = offer(), need()
    await deliver(matching, offer(kind=OfferWithdrawn, offer_id=o.offer_id, version=2))
    await deliver(matching, o)  # version 1, after version 2
    await deliver(matching, n)
    assert await published_matches(matching) == []


async def test_an_erased_need_takes_its_matches_with_it(matching: Matching) -> None:
    o, n = offer(), need()
    await deliver(matching, o)
    await deliver(matching, n)
    await apply_consumed(matching, [Tombstone("lotse.needs", n.need_id)])
    [gone] = await published_matches(matching, "invalidated")
    assert gone["reason"] == "erased"
    assert await published_matches(matching) == []  # its news, never relayed, is not sent
    assert await active_matches(matching, n.need_id) == []
    async with matching.uow() as uow:
        assert await uow.read_model.need(n.need_id) is None
    async with matching.runtime.engine.connect() as conn:
        assert (await conn.execute(select(orm.matches))).all() == []
        [kept] = (await conn.execute(select(orm.needs))).all()
    # Only the id stays, marked erased, so a late event cannot bring the need back.
    assert (kept.id, kept.reference, kept.advisor_id, kept.details) == (n.need_id, "", "", {})


async def test_a_better_offer_takes_the_place_of_a_worse_one_when_the_need_is_at_its_limit(
    matching: Matching,
) -> None:
    one_each = dataclasses.replace(
        matching, policy=dataclasses.replace(matching.policy, max_per_need=1)
    )
    n = need(municipality=UNNA, max_travel_km=20, languages=["ar"])
    far = offer(municipality=SCHWERTE)
    near = offer(municipality=UNNA, support_languages=["ar"])
    await deliver(one_each, n)
    await deliver(one_each, far)
    assert await active_matches(one_each, n.need_id) == [far.offer_id]
    await deliver(one_each, near)
    assert await active_matches(one_each, n.need_id) == [near.offer_id]
    [gone] = await published_matches(one_each, "invalidated")
    assert (gone["offer_id"], gone["reason"]) == (far.offer_id, "outranked")
    await deliver(
        one_each, offer(kind=OfferWithdrawn, offer_id=near.offer_id, version=2, municipality=UNNA)
    )
    assert await active_matches(one_each, n.need_id) == [far.offer_id]  # the next best comes back


async def test_a_late_copy_of_an_erased_needs_event_does_not_bring_it_back(
    matching: Matching,
) -> None:
    n = need()
    await deliver(matching, n)
    await apply_consumed(matching, [Tombstone("lotse.needs", n.need_id)])
    await deliver(matching, n, event_id="redelivered-after-the-tombstone")
    await deliver(matching, offer())
    assert await active_matches(matching, n.need_id) == []
    async with matching.uow() as uow:
        assert await uow.read_model.need(n.need_id) is None


async def test_instances_sharing_a_store_see_each_others_needs(
    matching: Matching, database_url: str
) -> None:
    """Each instance has its own need index; it catches up on what the other stored."""
    other = bootstrap(MatchingSettings(MATCHING_DATABASE_URL=database_url))
    try:
        kept, closed, erased = need(), need(), need()
        for n in (kept, closed, erased):
            await deliver(matching, n)
        first = offer()
        await deliver(other, first)  # the other instance's index starts from the store
        assert {m["need_id"] for m in await published_matches(matching)} == {
            kept.need_id,
            closed.need_id,
            erased.need_id,
        }
        await deliver(matching, need(kind=NeedClosed, need_id=closed.need_id, version=2))
        await apply_consumed(matching, [Tombstone("lotse.needs", erased.need_id)])
        late = need()
        await deliver(matching, late)
        second = offer()
        await deliver(other, second)  # ...and catches up on the changes since
        assert {
            m["need_id"]
            for m in await published_matches(matching)
            if m["offer_id"] == second.offer_id
        } == {kept.need_id, late.need_id}
    finally:
        await other.runtime.engine.dispose()


def envelope(event: Any, event_id: str | None = None) -> Envelope:
    record = encode(event, source="/lotse/catalog", event_id=event_id)
    assert record.value is not None
    return decode(record.headers, record.value)


async def test_a_batch_is_applied_in_order_and_a_repeated_event_in_it_once(
    matching: Matching,
) -> None:
    o, n = offer(), need()
    closed = need(kind=NeedClosed, need_id=n.need_id, version=2)
    later = offer(municipality=SCHWERTE)
    batch = [envelope(n, "n1"), envelope(o, "o1"), envelope(n, "n1"), envelope(closed, "n2")]
    await apply_consumed(matching, [*batch, envelope(later, "o2")])

    found = await published_matches(matching)
    assert [m["offer_id"] for m in found] == [o.offer_id], "paired once, before the need closed"
    [gone] = await published_matches(matching, "invalidated")
    assert (gone["offer_id"], gone["reason"]) == (o.offer_id, "need_closed")
    assert await active_matches(matching, n.need_id) == []


async def test_a_batch_with_an_event_matching_does_not_consume_changes_nothing(
    matching: Matching,
) -> None:
    n = need()
    stray = MatchInvalidated.model_validate(
        {
            "match_id": "m",
            "need_id": n.need_id,
            "need_reference": "UNN-ABCDEF",
            "advisor_id": "adv-1",
            "offer_id": "o",
            "reason": "full",
            "invalidated_at": datetime.now(UTC),
        }
    )
    with pytest.raises(InvalidMessage):
        await apply_consumed(matching, [envelope(n), envelope(offer()), envelope(stray)])
    async with matching.uow() as uow:
        assert await uow.read_model.need(n.need_id) is None


async def test_a_batch_rolled_back_after_the_need_index_took_its_needs_leaves_no_trace(
    matching: Matching, monkeypatch: pytest.MonkeyPatch
) -> None:
    n, o = need(), offer()

    async def database_gone(self: UnitOfWork) -> None:
        raise ConnectionError("database away")

    with monkeypatch.context() as patched:
        patched.setattr(UnitOfWork, "commit", database_gone)
        with pytest.raises(ConnectionError):
            await apply_consumed(matching, [envelope(n, "n1"), envelope(o, "o1")])
    assert len(matching.need_index) == 0, "the index does not keep a need that was never stored"

    other = offer()
    await deliver(matching, other)  # the index is rebuilt from what was committed: nothing
    assert await published_matches(matching) == []
    await apply_consumed(matching, [envelope(n, "n1"), envelope(o, "o1")])  # redelivered
    assert await active_matches(matching, n.need_id) == sorted([o.offer_id, other.offer_id])


async def test_the_need_index_built_at_start_is_kept(matching: Matching) -> None:
    await deliver(matching, need())
    matching.need_index.forget()
    await matching.build_index()  # reads in a transaction that stores nothing and commits nothing
    assert len(matching.need_index) == 1

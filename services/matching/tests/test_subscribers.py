"""What matching's subscribers make of consumed records, and a composition root that takes fakes.

No database, no broker: these run in the fast tier.
"""

from __future__ import annotations

from typing import Any, cast

import pytest

from lotse_matching.bootstrap import bootstrap
from lotse_matching.config import MatchingSettings
from lotse_matching.entrypoints.subscribers import apply_consumed, change_of
from lotse_matching.service_layer import handlers
from lotse_matching.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts.examples import EXAMPLES
from lotse_shared.envelope import Envelope, Tombstone, decode, encode
from lotse_shared.errors import InvalidMessage
from services.matching.tests.api_support import need, offer

NEEDS = "test-a.lotse.needs"  # as a deployment with LOTSE_TOPIC_PREFIX=test-a. names it


def envelope(event: Any) -> Envelope:
    record = encode(event, source="/lotse/catalog")
    assert record.value is not None
    return decode(record.headers, record.value)


def test_a_tombstone_on_the_needs_topic_erases_that_need() -> None:
    assert change_of(Tombstone(NEEDS, "need-1"), NEEDS) == handlers.NeedErasure("need-1")


@pytest.mark.parametrize("topic", ["test-a.lotse.offers", "lotse.needs", "test-b.lotse.needs"])
def test_a_tombstone_of_another_topic_asks_nothing(topic: str) -> None:
    assert change_of(Tombstone(topic, "need-1"), NEEDS) is None


def test_offer_and_need_events_become_changes_with_their_trace() -> None:
    o, n = envelope(offer()), envelope(need())
    offer_change, need_change = change_of(o, NEEDS), change_of(n, NEEDS)
    assert isinstance(offer_change, handlers.OfferChange)
    assert (offer_change.offer.id, offer_change.event_id) == (o.event.key(), o.id)
    assert isinstance(need_change, handlers.NeedChange)
    assert (need_change.need.id, need_change.trace) == (n.event.key(), n.traceparent)


def test_an_event_matching_does_not_consume_is_invalid() -> None:
    with pytest.raises(InvalidMessage, match="does not consume"):
        change_of(envelope(EXAMPLES["lotse.match.found.v1"]), NEEDS)


class RefusingUnitOfWork:
    """A fake transaction: any use of it is a test failure."""

    async def __aenter__(self) -> RefusingUnitOfWork:
        raise AssertionError("nothing should have been applied")


async def test_what_asks_nothing_opens_no_transaction() -> None:
    opened: list[object] = []

    def fake() -> UnitOfWork:
        uow = RefusingUnitOfWork()
        opened.append(uow)
        return cast(UnitOfWork, uow)

    matching = bootstrap(MatchingSettings(LOTSE_TOPIC_PREFIX="test-a."), unit_of_work=fake)
    await apply_consumed(matching, [Tombstone("test-a.lotse.offers", "o-1")])
    assert opened == []
    assert isinstance(matching.uow(), RefusingUnitOfWork)
    await matching.runtime.engine.dispose()

"""Matching's Kafka subscribers: offers and needs in, translated into changes and applied."""

from __future__ import annotations

from collections.abc import Sequence

from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from lotse_matching.bootstrap import Matching
from lotse_matching.service_layer import handlers
from lotse_shared.consumer import EventConsumer
from lotse_shared.contracts import NEEDS, OFFERS, NeedEvent, OfferEvent
from lotse_shared.envelope import Envelope, Tombstone
from lotse_shared.errors import InvalidMessage
from lotse_shared.subscription import service_broker, subscribe

__all__ = ["apply_consumed", "build_broker", "change_of"]

_DESCRIPTION = "Offer and need changes; each is paired against the other side."


def change_of(item: Envelope | Tombstone, needs_topic: str) -> handlers.Change | None:
    """What ``item`` asks of matching; None for a tombstone of another topic than needs.

    Raises :class:`InvalidMessage` for an event matching does not consume or
    whose state breaks the contract's rules.
    """
    if isinstance(item, Tombstone):
        return handlers.NeedErasure(item.key) if item.topic == needs_topic else None
    event = item.event
    try:
        if isinstance(event, OfferEvent):
            return handlers.OfferChange(handlers.offer_from(event), item.id, item.traceparent)
        if isinstance(event, NeedEvent):
            return handlers.NeedChange(handlers.need_from(event), item.id, item.traceparent)
    except ValidationError as error:
        raise InvalidMessage(f"{item.type} {item.id}: {error.errors()[0]['msg']}") from error
    raise InvalidMessage(f"matching does not consume {item.type}")


async def apply_consumed(matching: Matching, items: Sequence[Envelope | Tombstone]) -> None:
    """Apply consumed events and tombstones in order, in one transaction.

    Raises :class:`InvalidMessage`, having changed nothing, when one of them
    can never be applied.
    """
    needs_topic = matching.settings.topic_prefix + NEEDS.name
    changes = [change for item in items if (change := change_of(item, needs_topic)) is not None]
    if changes:
        await handlers.apply(changes, matching.uow(), matching.policy, matching.settings.group_id)


def build_broker(matching: Matching) -> KafkaBroker:
    broker = service_broker(matching.settings, "matching", _DESCRIPTION)

    async def apply(items: Sequence[Envelope | Tombstone]) -> None:
        await apply_consumed(matching, items)

    subscribe(
        broker,
        matching.settings.topic_prefix + OFFERS.name,
        matching.settings.topic_prefix + NEEDS.name,
        group_id=matching.settings.group_id,
        consumer=lambda: EventConsumer(
            matching.settings.group_id, matching.runtime.running_producer, apply
        ),
        description=_DESCRIPTION,
        batch=matching.settings.consumer_batch,
    )
    return broker

"""Notifications' Kafka subscribers: the directory, match events, need erasures and offer reviews."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from lotse_notifications.bootstrap import Notifications
from lotse_notifications.service_layer import handlers
from lotse_notifications.service_layer.erasure import NeedErasure
from lotse_shared.consumer import EventConsumer
from lotse_shared.contracts import DIRECTORY, MATCHES, NEEDS, OFFER_REVIEWS, NeedEvent
from lotse_shared.envelope import Envelope, Tombstone
from lotse_shared.errors import InvalidMessage
from lotse_shared.subscription import service_broker, subscribe

__all__ = ["apply_consumed", "build_broker", "change_of", "consumer_for"]

_DESCRIPTION = (
    "Advisor and provider directory, match events, need erasures and offer reviews: news of "
    "matches becomes email; an erased need's news is cancelled and its reference forgotten; "
    "each review decision becomes an email to the provider, what waits a daily one to the KI."
)
_NEED_ID_LENGTH = 64  # as long as the columns that hold need ids


def change_of(item: Envelope | Tombstone, needs_topic: str) -> Envelope | NeedErasure | None:
    """What ``item`` asks of notifications; None for what tells it nothing.

    A need's own events carry nothing an email shows (match events do), so of
    the needs topic only tombstones count; tombstones of other topics are none
    of its business.
    """
    if isinstance(item, Envelope):
        return None if isinstance(item.event, NeedEvent) else item
    if item.topic != needs_topic:
        return None
    if not 0 < len(item.key) <= _NEED_ID_LENGTH:
        raise InvalidMessage(
            f"a tombstone on {item.topic} needs a need id as key, not {item.key!r}"
        )
    return NeedErasure(item.key)


async def apply_consumed(
    notifications: Notifications, items: Sequence[Envelope | Tombstone]
) -> None:
    """Apply consumed events and need erasures in order, in one transaction.

    Raises :class:`InvalidMessage`, having changed nothing, for a need's
    tombstone without a usable key.
    """
    needs_topic = notifications.settings.topic_prefix + NEEDS.name
    changes = [change for item in items if (change := change_of(item, needs_topic)) is not None]
    if changes:
        await handlers.apply(
            changes,
            notifications.uow(),
            notifications.settings.group_id,
            notifications.timing,
            notifications.clock(),
            notifications.ki_digest,
        )


def consumer_for(
    notifications: Notifications, producer: AIOKafkaProducer, group_id: str | None = None
) -> EventConsumer:
    """The consumer of one subscription: every record through :func:`apply_consumed`."""

    async def apply(items: Sequence[Envelope | Tombstone]) -> None:
        await apply_consumed(notifications, items)

    return EventConsumer(
        group_id or notifications.settings.group_id,
        producer,
        apply,
        # Needs matter here only when erased; matching dead-letters what is wrong with them.
        only_tombstones_of=[notifications.settings.topic_prefix + NEEDS.name],
    )


def build_broker(notifications: Notifications) -> KafkaBroker:
    broker = service_broker(notifications.settings, "notifications", _DESCRIPTION)
    subscribe(
        broker,
        notifications.settings.topic_prefix + DIRECTORY.name,
        notifications.settings.topic_prefix + MATCHES.name,
        notifications.settings.topic_prefix + NEEDS.name,
        notifications.settings.topic_prefix + OFFER_REVIEWS.name,
        group_id=notifications.settings.group_id,
        consumer=lambda: consumer_for(notifications, notifications.runtime.running_producer),
        description=_DESCRIPTION,
        batch=notifications.settings.consumer_batch,
    )
    return broker

"""Notifications' Kafka subscribers: the directory, match events, need erasures and offer reviews."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from lotse_notifications.bootstrap import Notifications
from lotse_shared.consumer import EventConsumer, service_broker, subscribe
from lotse_shared.contracts import DIRECTORY, MATCHES, NEEDS, OFFER_REVIEWS

__all__ = ["build_broker"]

_DESCRIPTION = (
    "Advisor and provider directory, match events, need erasures and offer reviews: news of "
    "matches becomes email; an erased need's news is cancelled and its reference forgotten; "
    "each review decision becomes an email to the provider, what waits a daily one to the KI."
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
        consumer=lambda: EventConsumer(
            notifications.settings.group_id,
            notifications.runtime.running_producer,
            notifications.handle,
            on_tombstone=notifications.erase,
            handle_batch=notifications.handle_batch,
            # Needs matter here only when erased; matching dead-letters what is wrong with them.
            only_tombstones_of=[notifications.settings.topic_prefix + NEEDS.name],
        ),
        description=_DESCRIPTION,
        batch=notifications.settings.consumer_batch,
    )
    return broker

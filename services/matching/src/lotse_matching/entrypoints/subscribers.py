"""Matching's Kafka subscribers: offers and needs in, handled by Matching."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from lotse_matching.bootstrap import Matching
from lotse_shared.consumer import EventConsumer, service_broker, subscribe
from lotse_shared.contracts import NEEDS, OFFERS

__all__ = ["build_broker"]

_DESCRIPTION = "Offer and need changes; each is paired against the other side."


def build_broker(matching: Matching) -> KafkaBroker:
    broker = service_broker(matching.settings, "matching", _DESCRIPTION)
    subscribe(
        broker,
        matching.settings.topic_prefix + OFFERS.name,
        matching.settings.topic_prefix + NEEDS.name,
        group_id=matching.settings.group_id,
        consumer=lambda: EventConsumer(
            matching.settings.group_id,
            matching.runtime.running_producer,
            matching.handle,
            on_tombstone=matching.erase,
            handle_batch=matching.handle_batch,
        ),
        description=_DESCRIPTION,
        batch=matching.settings.consumer_batch,
    )
    return broker

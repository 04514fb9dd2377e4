"""Matching's Kafka subscribers: offers and needs in, handled by Matching."""

from __future__ import annotations

import logging

from faststream.kafka import KafkaBroker

from lotse_matching.bootstrap import Matching
from lotse_shared.consumer import EventConsumer, subscribe
from lotse_shared.contracts import NEEDS, OFFERS

__all__ = ["build_broker"]


def build_broker(matching: Matching) -> KafkaBroker:
    broker = KafkaBroker(
        matching.settings.kafka_bootstrap_servers,
        client_id="lotse-matching",
        logger=logging.getLogger("lotse.kafka"),
        log_level=logging.DEBUG,  # one line per message only when debugging
        description="Offer and need changes; each is paired against the other side.",
    )
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
        description="Offer and need changes; each is paired against the other side.",
        batch=matching.settings.consumer_batch,
    )
    return broker

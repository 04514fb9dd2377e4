"""Kafka wiring: safe producers and the topics from the registry."""

from __future__ import annotations

import logging

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from lotse_shared.contracts import ALL_TOPICS, Topic

__all__ = ["create_topics", "new_producer"]

log = logging.getLogger(__name__)


def new_producer(bootstrap_servers: str, *, client_id: str) -> AIOKafkaProducer:
    """A producer that loses nothing it acknowledged and writes nothing twice on retry."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=1,
    )


async def create_topics(
    bootstrap_servers: str,
    topics: tuple[Topic, ...] = ALL_TOPICS,
    *,
    replication_factor: int = 1,
    prefix: str = "",
) -> list[str]:
    """Create the topics (with ``prefix`` before their names) that do not exist yet; returns those created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="lotse-admin")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [
            NewTopic(
                name=prefix + t.name,
                num_partitions=t.partitions,
                replication_factor=replication_factor,
                topic_configs=t.config,
            )
            for t in topics
            if prefix + t.name not in existing
        ]
        if not wanted:
            return []
        try:
            await admin.create_topics(wanted)
        except TopicAlreadyExistsError:
            log.info("another instance created the topics first")
        return [t.name for t in wanted]
    finally:
        await admin.close()

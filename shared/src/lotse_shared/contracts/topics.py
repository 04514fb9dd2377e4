"""The one registry of Kafka topics Lotse produces and consumes."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DIRECTORY", "MATCHES", "NEEDS", "NOTIFICATIONS", "OFFERS", "TOPICS", "Topic", "dlq"]


@dataclass(frozen=True)
class Topic:
    """A Kafka topic: its name, what its key is, how it is partitioned and cleaned up."""

    name: str
    key: str
    description: str
    partitions: int = 6
    compacted: bool = False
    audience: str = "internal"

    @property
    def config(self) -> dict[str, str]:
        return {"cleanup.policy": "compact" if self.compacted else "delete"}


OFFERS = Topic(
    "lotse.offers",
    key="offer id",
    description="Offers as published by providers; full state in every event.",
    compacted=True,
    audience="public to municipal systems",
)
DIRECTORY = Topic(
    "lotse.directory",
    key="provider or advisor id",
    description="Providers and advisors registered by the KI coordinators.",
    compacted=True,
)
NEEDS = Topic(
    "lotse.needs",
    key="need id",
    description="Pseudonymous needs of newcomers; a tombstone erases a need.",
    compacted=True,
    audience="internal only (pseudonymous personal data)",
)
MATCHES = Topic(
    "lotse.matches",
    key="need id",
    description="Matches between needs and offers found, invalidated or decided.",
)
NOTIFICATIONS = Topic(
    "lotse.notifications",
    key="advisor id",
    description="Emails sent to advisors or failed for good.",
)

TOPICS: tuple[Topic, ...] = (OFFERS, DIRECTORY, NEEDS, MATCHES, NOTIFICATIONS)


def dlq(topic: Topic) -> Topic:
    """The dead-letter topic for messages of ``topic`` that cannot be processed."""
    return Topic(
        f"{topic.name}.dlq",
        key=topic.key,
        description=f"Messages from {topic.name} that could not be processed.",
        partitions=1,
        audience="operators",
    )


ALL_TOPICS: tuple[Topic, ...] = TOPICS + tuple(dlq(t) for t in TOPICS)

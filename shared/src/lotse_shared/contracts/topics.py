"""The one registry of Kafka topics Lotse produces and consumes."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DIRECTORY",
    "MATCHES",
    "NEEDS",
    "NOTIFICATIONS",
    "OFFERS",
    "OFFER_REVIEWS",
    "TOPICS",
    "Topic",
    "dlq",
]


@dataclass(frozen=True)
class Topic:
    """A Kafka topic: its name, what its key is, who writes and reads it, how it is partitioned
    and cleaned up.

    ``producer`` is the one Lotse service that publishes to it (None for a
    dead-letter topic, which each of its source's consumers writes);
    ``consumers`` are the Lotse services that subscribe to it; other systems
    may read it too, as its ``audience`` allows.
    """

    name: str
    key: str
    description: str
    producer: str | None = None
    consumers: tuple[str, ...] = ()
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
    producer="catalog",
    consumers=("matching",),
    compacted=True,
    audience="public to municipal systems",
)
DIRECTORY = Topic(
    "lotse.directory",
    key="provider or advisor id",
    description="Providers and advisors registered by the KI coordinators.",
    producer="catalog",
    consumers=("notifications",),
    compacted=True,
)
NEEDS = Topic(
    "lotse.needs",
    key="need id",
    description="Pseudonymous needs of newcomers; a tombstone erases a need.",
    producer="catalog",
    consumers=("matching", "notifications"),
    compacted=True,
    audience="internal only (pseudonymous personal data)",
)
MATCHES = Topic(
    "lotse.matches",
    key="need id",
    description="Matches between needs and offers found, invalidated or decided.",
    producer="matching",
    consumers=("notifications",),
)
NOTIFICATIONS = Topic(
    "lotse.notifications",
    key="advisor id",
    description="Emails sent to advisors or failed for good.",
    producer="notifications",
)

# Who reviewed stays in the catalog; the provider hears of each decision by email.
OFFER_REVIEWS = Topic(
    "lotse.offer-reviews",
    key="offer id",
    description="The KI's review of offers: revisions submitted, each decision with its comment, "
    "revisions closed without one, and advisors' problem reports (reason only).",
    producer="catalog",
    consumers=("notifications",),
)

TOPICS: tuple[Topic, ...] = (OFFERS, DIRECTORY, NEEDS, MATCHES, NOTIFICATIONS, OFFER_REVIEWS)


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

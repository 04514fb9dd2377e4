"""Base classes for event payloads."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from lotse_shared.contracts.topics import Topic

__all__ = ["Event", "Payload"]


class Payload(BaseModel):
    """A part of an event. Consumers ignore fields they do not know."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Event(Payload):
    """An event: a CloudEvents ``type`` (with major version) on one topic, keyed by an id."""

    event_type: ClassVar[str]
    topic: ClassVar[Topic]

    def key(self) -> str:
        """The Kafka key: the aggregate id, so one entity's events stay in order."""
        raise NotImplementedError

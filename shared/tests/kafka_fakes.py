"""Hand-made Kafka records and a recording producer, for consumer tests without a broker."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Producer", "Record"]


@dataclass
class Record:
    """What the consumer reads of an aiokafka ``ConsumerRecord``."""

    topic: str
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    key: bytes | None = b"k-1"
    partition: int = 0
    offset: int = 7
    timestamp: int = 0


@dataclass
class Producer:
    """Keeps what would have been sent (dead letters, for one)."""

    sent: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, topic: str, **record: Any) -> asyncio.Future[None]:
        self.sent.append({"topic": topic, **record})
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

"""The unit of work every service builds on: one transaction plus its outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lotse_shared.contracts import Event
from lotse_shared.envelope import KafkaRecord
from lotse_shared.inbox import first_deliveries
from lotse_shared.outbox import Outbox

__all__ = ["SqlUnitOfWork"]


class SqlUnitOfWork:
    """Rolls back unless :meth:`commit` ran; queued events are published only on commit.

    Subclasses build their repositories on ``self.session`` in :meth:`_open`.
    """

    session: AsyncSession
    inbox: Table | None = None  # the service's inbox, for consumers that record what they applied

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._on_commit = on_commit

    def _open(self) -> None:
        """Create repositories on the fresh ``self.session``."""

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.session.rollback()
        await self.session.close()

    async def first_deliveries(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        """Record the events in the inbox; the ids of those not applied before."""
        if self.inbox is None:
            raise TypeError(f"{type(self).__name__} has no inbox")
        return await first_deliveries(self.session, self.inbox, consumer, event_ids)

    async def publish(self, event: Event) -> None:
        """Queue ``event`` in the outbox of this transaction."""
        await self._outbox.add(self.session, event)

    async def publish_all(self, events: Sequence[Event]) -> None:
        """Queue ``events``, in this order, in the outbox of this transaction."""
        await self._outbox.add_all(self.session, events)

    def record_of(self, event: Event) -> KafkaRecord:
        """``event`` as the outbox will send it, in the current trace."""
        return self._outbox.record_of(event)

    async def publish_records(self, records: Sequence[KafkaRecord]) -> None:
        """Queue ready-made records, in this order, in the outbox of this transaction."""
        await self._outbox.add_records(self.session, records)

    async def publish_tombstone(self, topic: str, key: str) -> None:
        """Queue a tombstone that erases ``key`` from a compacted topic."""
        await self._outbox.add_tombstone(self.session, topic, key)

    async def discard_unpublished(self, topic: str, key: str) -> None:
        """Drop events under ``key`` on ``topic`` the outbox has not yet published."""
        await self._outbox.discard(self.session, topic, key)

    async def commit(self) -> None:
        await self.session.commit()
        self._on_commit()

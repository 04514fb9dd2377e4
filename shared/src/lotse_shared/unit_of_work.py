"""The unit of work every service builds on: one transaction plus its outbox."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Self

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lotse_shared.contracts import Event
from lotse_shared.envelope import Tombstone, encode, tombstone
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

    async def publish(
        self,
        events: Sequence[Event | Tombstone],
        *,
        trace: str | Mapping[str, str] | None = None,
    ) -> None:
        """Queue ``events`` in this order in the outbox of this transaction, in one statement.

        Each event carries ``trace`` as its traceparent: one for them all, or one
        for each key, so that each entity's events go on in the trace of the
        change that touched it. Without one, the current trace: the request's,
        or the consumed event's. A tombstone erases its key and carries nothing.
        """
        source = self._outbox.source
        records = [
            tombstone(e.topic, e.key)
            if isinstance(e, Tombstone)
            else encode(e, source=source, traceparent=_traceparent(e, trace))
            for e in events
        ]
        await self._outbox.add(self.session, records)

    async def discard_unpublished(self, topic: str, key: str) -> None:
        """Drop events under ``key`` on ``topic`` the outbox has not yet published."""
        await self._outbox.discard(self.session, topic, key)

    async def commit(self) -> None:
        await self.session.commit()
        self._on_commit()


def _traceparent(event: Event, trace: str | Mapping[str, str] | None) -> str | None:
    return trace.get(event.key()) if isinstance(trace, Mapping) else trace

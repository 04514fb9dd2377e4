"""Notifications' unit of work: directory, delivery log, inbox and outbox in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from lotse_notifications.adapters import orm
from lotse_notifications.adapters.repository import DeliveryLog, Directory
from lotse_shared.inbox import first_deliveries
from lotse_shared.unit_of_work import SqlUnitOfWork

__all__ = ["UnitOfWork"]


class UnitOfWork(SqlUnitOfWork):
    directory: Directory
    deliveries: DeliveryLog

    def _open(self) -> None:
        self.directory = Directory(self.session)
        self.deliveries = DeliveryLog(self.session)

    async def first_deliveries(self, consumer: str, event_ids: Sequence[str]) -> set[str]:
        """Record the events in the inbox; the ids of those not applied before."""
        return await first_deliveries(self.session, orm.inbox, consumer, event_ids)

"""Notifications' unit of work: directory, delivery log, inbox and outbox in one transaction."""

from __future__ import annotations

from lotse_notifications.adapters import orm
from lotse_notifications.adapters.repository import DeliveryLog, Directory
from lotse_shared.inbox import first_delivery
from lotse_shared.unit_of_work import SqlUnitOfWork

__all__ = ["UnitOfWork"]


class UnitOfWork(SqlUnitOfWork):
    directory: Directory
    deliveries: DeliveryLog

    def _open(self) -> None:
        self.directory = Directory(self.session)
        self.deliveries = DeliveryLog(self.session)

    async def first_delivery(self, consumer: str, event_id: str) -> bool:
        return await first_delivery(self.session, orm.inbox, consumer, event_id)

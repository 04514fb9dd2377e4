"""The composition root of notifications."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources

from lotse_notifications.adapters import orm
from lotse_notifications.adapters.smtp import SmtpMailer
from lotse_notifications.config import NotificationsSettings
from lotse_notifications.domain.mailer import Mailer
from lotse_notifications.service_layer import handlers
from lotse_notifications.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import AdvisorEvent, MatchFound
from lotse_shared.envelope import Envelope
from lotse_shared.region import Region, load_region
from lotse_shared.runtime import Runtime

__all__ = ["Notifications", "bootstrap"]

log = logging.getLogger(__name__)


@dataclass
class Notifications:
    settings: NotificationsSettings
    runtime: Runtime
    region: Region
    mailer: Mailer
    idle_interval: float = 0.5
    _wakeup: asyncio.Event = field(default_factory=asyncio.Event)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.runtime.sessions, self.runtime.outbox, on_commit=self._committed)

    def _committed(self) -> None:
        self.runtime.wake_relay()
        self._wakeup.set()

    async def handle(self, envelope: Envelope) -> None:
        """Route one consumed event to its use case."""
        event = envelope.event
        consumer = self.settings.group_id
        if isinstance(event, AdvisorEvent):
            await handlers.advisor_changed(event, envelope.id, self.uow(), consumer)
        elif isinstance(event, MatchFound):
            await handlers.match_found(event, envelope.id, self.uow(), consumer)
        else:
            log.debug("notifications ignores %s", envelope.type)

    async def send_forever(self) -> None:
        """Send due emails whenever something committed, and at least every idle interval.

        The idle interval also ends batching windows: at most that late after one closes.
        """
        while True:
            self._wakeup.clear()
            try:
                await handlers.send_due(
                    self.uow,
                    self.mailer,
                    sender=self.settings.mail_from,
                    region=self.region,
                    window=timedelta(seconds=self.settings.batch_window),
                )
            except Exception:
                log.exception("sending due deliveries failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.idle_interval)


def bootstrap(
    settings: NotificationsSettings | None = None, mailer: Mailer | None = None
) -> Notifications:
    settings = settings or NotificationsSettings()
    runtime = Runtime(
        name="notifications",
        settings=settings,
        database_url=settings.database_url,
        outbox_table=orm.outbox,
        migrations=str(resources.files("lotse_notifications") / "migrations"),
    )
    mailer = mailer or SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls,
        timeout=settings.smtp_timeout,
    )
    return Notifications(
        settings=settings, runtime=runtime, region=load_region(settings.region_file), mailer=mailer
    )

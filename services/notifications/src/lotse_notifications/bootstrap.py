"""The composition root of notifications: builds it from its settings; tests pass fakes for its
parts (mailer, clock, runtime, unit of work)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from lotse_notifications.adapters import orm
from lotse_notifications.adapters.review_email import ReviewComposer
from lotse_notifications.adapters.smtp import SmtpMailer
from lotse_notifications.config import NotificationsSettings
from lotse_notifications.domain.mailer import Mailer
from lotse_notifications.domain.model import Timing
from lotse_notifications.domain.review import KiDigest
from lotse_notifications.service_layer.review_news import plan_digest_if_waiting
from lotse_notifications.service_layer.sending import send_due
from lotse_notifications.service_layer.unit_of_work import UnitOfWork
from lotse_shared.region import load_region
from lotse_shared.runtime import Runtime

__all__ = ["Notifications", "bootstrap"]

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Notifications:
    settings: NotificationsSettings
    runtime: Runtime
    mailer: Mailer
    composer: ReviewComposer
    timing: Timing
    unit_of_work: Callable[[Callable[[], None]], UnitOfWork]  # given what to do on commit
    clock: Callable[[], datetime] = _utc_now
    ki_digest: KiDigest | None = None
    idle_interval: float = 0.5
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)  # set when news may be due
    _digest_planned: datetime | None = None  # the KI's next daily email, as last looked at

    def uow(self) -> UnitOfWork:
        """A transaction of the consumers or the API: what it commits may be due, so the sender looks."""
        return self.unit_of_work(self._committed)

    def _sending_uow(self) -> UnitOfWork:
        """A transaction of the sender: it wakes the relay for its events, never the sender.

        Woken by its own claim, the sender would claim again at once, for ever.
        """
        return self.unit_of_work(self.runtime.wake_relay)

    def _committed(self) -> None:
        self.runtime.wake_relay()
        self.wakeup.set()

    async def send_due(self) -> int:
        """Send every email that is due now; how many the server accepted.

        Once per daily slot it looks whether something waits for review, so
        the KI hears of it also on the days after the one it was submitted.
        """
        now = self.clock()
        if self.ki_digest is not None:
            slot = self.ki_digest.next_after(now)
            if slot != self._digest_planned:
                await plan_digest_if_waiting(self._sending_uow, self.ki_digest, now)
                self._digest_planned = slot
        return await send_due(
            self._sending_uow,
            self.mailer,
            self.composer,
            now=now,
            concurrency=self.settings.smtp_connections,
        )


def bootstrap(
    settings: NotificationsSettings | None = None,
    mailer: Mailer | None = None,
    clock: Callable[[], datetime] = _utc_now,
    *,
    runtime: Runtime | None = None,
    unit_of_work: Callable[[Callable[[], None]], UnitOfWork] | None = None,
) -> Notifications:
    """Notifications with its real database, outbox and SMTP server, or the ``mailer``,
    ``clock``, ``runtime`` and ``unit_of_work`` factory passed in."""
    settings = settings or NotificationsSettings()
    runtime = runtime or Runtime.for_service(
        "lotse_notifications",
        settings,
        database_url=settings.database_url,
        outbox_table=orm.outbox,
    )
    mailer = mailer or SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls,
        timeout=settings.smtp_timeout,
        connections=settings.smtp_connections,
        ca_file=settings.smtp_ca_file,
    )
    zone = ZoneInfo(settings.timezone)
    composer = ReviewComposer(
        sender=settings.mail_from,
        region=load_region(settings.region_file),
        link_base=settings.match_link_base,
        zone=zone,
        ki_email=settings.ki_email,
    )
    timing = Timing(timedelta(seconds=settings.batch_window), zone)
    ki_digest = (
        KiDigest(settings.ki_email, settings.ki_digest_hour, zone) if settings.ki_email else None
    )
    real = runtime

    def transaction(on_commit: Callable[[], None]) -> UnitOfWork:
        return UnitOfWork(real.sessions, real.outbox, on_commit=on_commit)

    return Notifications(
        settings,
        runtime,
        mailer,
        composer,
        timing,
        unit_of_work or transaction,
        clock,
        ki_digest,
    )

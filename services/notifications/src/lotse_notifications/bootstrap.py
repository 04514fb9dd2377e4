"""The composition root of notifications."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
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
from lotse_notifications.service_layer import handlers
from lotse_notifications.service_layer.erasure import NeedErasure
from lotse_notifications.service_layer.review_news import plan_digest_if_waiting
from lotse_notifications.service_layer.sending import send_due
from lotse_notifications.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import NEEDS, NeedEvent
from lotse_shared.envelope import Envelope, Tombstone
from lotse_shared.errors import InvalidMessage
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
    clock: Callable[[], datetime] = _utc_now
    ki_digest: KiDigest | None = None
    idle_interval: float = 0.5
    _wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    _digest_planned: datetime | None = None  # the KI's next daily email, as last looked at

    def uow(self) -> UnitOfWork:
        """A transaction of the consumers or the API: what it commits may be due, so the sender looks."""
        return UnitOfWork(self.runtime.sessions, self.runtime.outbox, on_commit=self._committed)

    def _sending_uow(self) -> UnitOfWork:
        """A transaction of the sender: it wakes the relay for its events, never the sender.

        Woken by its own claim, the sender would claim again at once, for ever.
        """
        return UnitOfWork(
            self.runtime.sessions, self.runtime.outbox, on_commit=self.runtime.wake_relay
        )

    def _committed(self) -> None:
        self.runtime.wake_relay()
        self._wakeup.set()

    async def handle(self, envelope: Envelope) -> None:
        """Apply one consumed event."""
        await self.handle_batch([envelope])

    async def erase(self, topic: str, key: str) -> None:
        """A tombstone on the needs topic erases what the delivery log knows of the need."""
        await self.handle_batch([Tombstone(topic, key)])

    async def handle_batch(self, items: Sequence[Envelope | Tombstone]) -> None:
        """Apply consumed events and need erasures in order, in one transaction.

        Raises :class:`InvalidMessage`, having changed nothing, for a need's
        tombstone without a usable key.
        """
        changes = [change for item in items if (change := _change(item)) is not None]
        if changes:
            await handlers.apply(
                changes,
                self.uow(),
                self.settings.group_id,
                self.timing,
                self.clock(),
                self.ki_digest,
            )

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

    async def send_forever(self) -> None:
        """Send due emails whenever something committed, and at least every idle interval.

        The idle interval also ends batching windows: at most that late after one closes.
        """
        while True:
            self._wakeup.clear()
            try:
                await self.send_due()
            except Exception:
                log.exception("sending due deliveries failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.idle_interval)


def _change(item: Envelope | Tombstone) -> Envelope | NeedErasure | None:
    """What ``item`` asks of notifications; None for what tells it nothing.

    A need's own events carry nothing an email shows (match events do), so of
    the needs topic only tombstones count; tombstones of other topics are none
    of its business.
    """
    if isinstance(item, Envelope):
        return None if isinstance(item.event, NeedEvent) else item
    if not item.topic.endswith(NEEDS.name):
        return None
    if not 0 < len(item.key) <= _NEED_ID_LENGTH:
        raise InvalidMessage(
            f"a tombstone on {item.topic} needs a need id as key, not {item.key!r}"
        )
    return NeedErasure(item.key)


_NEED_ID_LENGTH = 64  # as long as the columns that hold need ids


def bootstrap(
    settings: NotificationsSettings | None = None,
    mailer: Mailer | None = None,
    clock: Callable[[], datetime] = _utc_now,
) -> Notifications:
    settings = settings or NotificationsSettings()
    runtime = Runtime.for_service(
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
    return Notifications(settings, runtime, mailer, composer, timing, clock, ki_digest)

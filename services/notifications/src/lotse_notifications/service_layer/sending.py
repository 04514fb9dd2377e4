"""Sending what is due: one email per claimed group, over a small pool of SMTP connections.

Between the server accepting an email and its deliveries being marked sent
lies one window: a crash there sends that email again once its claim (the
lease) expires — at most one duplicate per crash and connection, and it
carries the same Message-ID, so a mail client can recognise it. Closing the
window entirely would need the SMTP server to take part in the transaction,
which SMTP cannot do.

Each sender waits until its email is recorded before it takes the next, so
the window never holds more than one email per connection; the records of
emails finished at the same moment share one transaction (group commit).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from lotse_notifications.adapters.email import EmailComposer
from lotse_notifications.domain.letter import letter_for
from lotse_notifications.domain.mailer import Mailer, PermanentDeliveryError, TemporaryDeliveryError
from lotse_notifications.domain.model import FAILED, SENT, Delivery, Recipient, next_attempt
from lotse_notifications.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import Event, NotificationFailed, NotificationSent
from lotse_shared.metrics import EMAILS

__all__ = ["GroupRecorder", "send_due"]

log = logging.getLogger(__name__)


async def send_due(
    new_uow: Callable[[], UnitOfWork],
    mailer: Mailer,
    composer: EmailComposer,
    *,
    now: datetime,
    batch: int = 200,
    lease: timedelta = timedelta(minutes=2),
    concurrency: int = 1,
) -> int:
    """Send the emails that are due; returns how many the server accepted.

    Up to ``concurrency`` emails are on their way at once (one per pooled
    SMTP connection).
    """
    async with new_uow() as uow:
        claimed = await uow.deliveries.claim_due(now, limit=batch, lease=lease)
        providers = await uow.directory.provider_names(
            d.offer.provider_id for _, group, _ in claimed for d in group if d.offer.provider_id
        )
        await uow.commit()
    gate = asyncio.Semaphore(max(concurrency, 1))
    recorder = GroupRecorder(new_uow)

    async def one(group_key: str, group: list[Delivery], recipient: Recipient) -> int:
        async with gate:
            message = composer.compose(
                letter_for(recipient, group_key, group), providers=providers, now=now
            )
            return await _send(recorder, mailer, message, group, now)

    sent = await asyncio.gather(*(one(*c) for c in claimed))
    return sum(sent)


async def _send(
    recorder: GroupRecorder,
    mailer: Mailer,
    message: EmailMessage,
    group: list[Delivery],
    now: datetime,
) -> int:
    try:
        await mailer.send(message)
    except TemporaryDeliveryError as exc:
        log.warning("email %s failed, will retry: %s", message["Message-ID"], exc)
        EMAILS.labels("retried").inc()
        attempts = max(d.attempts for d in group) + 1
        await recorder.record(
            group,
            [],
            attempts=attempts,
            next_attempt_at=next_attempt(now, attempts),
            last_error=str(exc)[:500],
            last_failed_at=now,
        )
        return 0
    except PermanentDeliveryError as exc:
        log.error("email %s refused for good: %s", message["Message-ID"], exc)
        EMAILS.labels("failed").inc()
        error = str(exc)[:500]
        failed = [
            NotificationFailed(**_about(d), error=error, attempts=d.attempts + 1, failed_at=now)
            for d in group
        ]
        await recorder.record(group, failed, status=FAILED, last_error=error, last_failed_at=now)
        return 0
    sent = [NotificationSent(**_about(d), sent_at=now) for d in group]
    await recorder.record(group, sent, status=SENT, sent_at=now)
    EMAILS.labels("sent").inc()
    return 1


def _about(d: Delivery) -> dict[str, str]:
    return {
        "notification_id": d.id,
        "advisor_id": d.advisor_id,
        "match_id": d.match_id,
        "kind": d.kind,
    }


class GroupRecorder:
    """Releases groups' claims with their outcome and publishes their events, in as few
    transactions as concurrent senders allow: whoever arrives while a transaction is being
    written joins the next one, and each caller returns once its own record is committed."""

    def __init__(self, new_uow: Callable[[], UnitOfWork]) -> None:
        self.new_uow = new_uow
        self._waiting: list[tuple[list[Delivery], Sequence[Event], dict[str, Any]]] = []
        self._done: list[asyncio.Future[None]] = []
        self._writing: asyncio.Task[None] | None = None

    async def record(self, group: list[Delivery], events: Sequence[Event], **values: Any) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((group, events, values))
        self._done.append(done)
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write())
        await done

    async def _write(self) -> None:
        while self._waiting:
            batch, done = self._waiting, self._done
            self._waiting, self._done = [], []
            try:
                async with self.new_uow() as uow:
                    for group, events, values in batch:
                        await uow.deliveries.set(
                            [d.id for d in group], claimed_until=None, **values
                        )
                        await uow.publish_all(events)
                    await uow.commit()
            except Exception as exc:  # each caller sees its record fail
                for future in done:
                    future.set_exception(exc)
            else:
                for future in done:
                    future.set_result(None)

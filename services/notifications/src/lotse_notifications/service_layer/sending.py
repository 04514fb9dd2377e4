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
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from lotse_notifications.adapters.review_email import ReviewComposer
from lotse_notifications.domain.letter import letter_for
from lotse_notifications.domain.mailer import (
    Email,
    Mailer,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from lotse_notifications.domain.model import Delivery, DeliveryStatus, Recipient, next_attempt
from lotse_notifications.domain.review import Decided, ReviewDigest
from lotse_notifications.service_layer.review_news import claim_review_emails
from lotse_notifications.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import Event, NotificationFailed, NotificationSent
from lotse_shared.metrics import EMAILS

__all__ = ["GroupRecorder", "send_due"]

log = logging.getLogger(__name__)


class Claimed(Protocol):
    """What is recorded of a claimed row, delivery or review email, once its email is tried."""

    @property
    def id(self) -> str: ...

    @property
    def attempts(self) -> int: ...


async def send_due(
    new_uow: Callable[[], UnitOfWork],
    mailer: Mailer,
    composer: ReviewComposer,
    *,
    now: datetime,
    batch: int = 200,
    lease: timedelta = timedelta(minutes=2),
    concurrency: int = 1,
) -> int:
    """Send the emails that are due, advisors' and the review's; how many the server accepted.

    Up to ``concurrency`` emails are on their way at once (one per pooled
    SMTP connection).
    """
    async with new_uow() as uow:
        claimed = await uow.deliveries.claim_due(now, limit=batch, lease=lease)
        reviews = await claim_review_emails(uow, now, limit=batch, lease=lease)
        providers = await uow.directory.provider_names(
            [d.offer.provider_id for _, group, _ in claimed for d in group if d.offer.provider_id]
            + [e.provider_id for e in reviews if isinstance(e, Decided)]
            + [w.provider_id for e in reviews if isinstance(e, ReviewDigest) for w in e.waiting]
        )
        await uow.commit()
    gate = asyncio.Semaphore(max(concurrency, 1))
    recorder = GroupRecorder(new_uow)
    review_recorder = GroupRecorder(new_uow, rows=lambda uow: uow.review_emails)

    async def one(group_key: str, group: list[Delivery], recipient: Recipient) -> int:
        async with gate:
            message = composer.compose(
                letter_for(recipient, group_key, group), providers=providers, now=now
            )
            return await _send(
                recorder, mailer, message, group, now, lambda e: _announced(group, now, e)
            )

    async def review(email: Decided | ReviewDigest) -> int:
        async with gate:
            if isinstance(email, Decided):
                name = providers.get(email.provider_id)
                message = composer.decision(email, provider=name, now=now)
            else:
                message = composer.digest(email, providers=providers, now=now)
            # Not announced: lotse.notifications tells of advisors' emails about matches.
            return await _send(review_recorder, mailer, message, [email], now, lambda _: [])

    sent = await asyncio.gather(*(one(*c) for c in claimed), *(review(e) for e in reviews))
    return sum(sent)


async def _send(
    recorder: GroupRecorder,
    mailer: Mailer,
    message: Email,
    group: Sequence[Claimed],
    now: datetime,
    announce: Callable[[str | None], Sequence[Event]],
) -> int:
    """Send ``message`` for ``group`` and record the outcome; ``announce`` gives the events of
    its being sent (None) or refused for good (the error)."""
    try:
        await mailer.send(message)
    except TemporaryDeliveryError as exc:
        log.warning("email %s failed, will retry: %s", message.message_id, exc)
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
        log.error("email %s refused for good: %s", message.message_id, exc)
        EMAILS.labels("failed").inc()
        error = str(exc)[:500]
        await recorder.record(
            group,
            announce(error),
            status=DeliveryStatus.FAILED,
            last_error=error,
            last_failed_at=now,
        )
        return 0
    await recorder.record(group, announce(None), status=DeliveryStatus.SENT, sent_at=now)
    EMAILS.labels("sent").inc()
    return 1


def _announced(group: Sequence[Delivery], now: datetime, error: str | None) -> list[Event]:
    """notification.sent for each delivery, or notification.failed with the server's reply."""
    if error is None:
        return [NotificationSent(**_about(d), sent_at=now) for d in group]
    return [
        NotificationFailed(**_about(d), error=error, attempts=d.attempts + 1, failed_at=now)
        for d in group
    ]


def _about(d: Delivery) -> dict[str, str]:
    return {
        "notification_id": d.id,
        "advisor_id": d.advisor_id,
        "match_id": d.match_id,
        "kind": d.kind,
    }


class _Rows(Protocol):
    def set(self, ids: Sequence[str], **values: Any) -> Awaitable[None]: ...


class GroupRecorder:
    """Releases groups' claims with their outcome and publishes their events, in as few
    transactions as concurrent senders allow: whoever arrives while a transaction is being
    written joins the next one, and each caller returns once its own record is committed.

    ``rows``: where the claimed rows are, the delivery log unless said otherwise."""

    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        rows: Callable[[UnitOfWork], _Rows] = lambda uow: uow.deliveries,
    ) -> None:
        self.new_uow = new_uow
        self.rows = rows
        self._waiting: list[tuple[Sequence[Claimed], Sequence[Event], dict[str, Any]]] = []
        self._done: list[asyncio.Future[None]] = []
        self._writing: asyncio.Task[None] | None = None

    async def record(
        self, group: Sequence[Claimed], events: Sequence[Event], **values: Any
    ) -> None:
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
                    # One statement per outcome (sent, failed, to retry) and one for the events.
                    alike: dict[tuple[tuple[str, Any], ...], list[str]] = {}
                    for group, _, values in batch:
                        alike.setdefault(tuple(values.items()), []).extend(d.id for d in group)
                    for outcome, ids in alike.items():
                        await self.rows(uow).set(ids, claimed_until=None, **dict(outcome))
                    await uow.publish([e for _, events, _ in batch for e in events])
                    await uow.commit()
            except Exception as exc:  # each caller sees its record fail
                for future in done:
                    future.set_exception(exc)
            else:
                for future in done:
                    future.set_result(None)

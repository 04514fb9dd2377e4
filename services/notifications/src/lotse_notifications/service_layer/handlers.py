"""Notifications use cases: keep the directory, record deliveries, send them."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from lotse_notifications.domain.mailer import Mailer, PermanentDeliveryError, TemporaryDeliveryError
from lotse_notifications.domain.model import Delivery, Recipient, next_attempt, render_match_email
from lotse_notifications.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import AdvisorEvent, MatchFound, NotificationSent
from lotse_shared.region import Region

__all__ = ["advisor_changed", "match_found", "send_due"]

log = logging.getLogger(__name__)

_DELIVERY_NAMESPACE = uuid.UUID("0c1f0f3e-8f0b-4b0e-a4c5-3c4f3b7d2e11")
MATCH_FOUND = "match_found"


def delivery_id_for(advisor_id: str, match_id: str, kind: str) -> str:
    """One id per (advisor, match, kind): the key that makes every email unique."""
    return str(uuid.uuid5(_DELIVERY_NAMESPACE, f"{advisor_id}/{match_id}/{kind}"))


async def advisor_changed(
    event: AdvisorEvent, event_id: str, uow: UnitOfWork, consumer: str
) -> None:
    async with uow:
        if not await uow.first_delivery(consumer, event_id):
            return
        await uow.directory.save(
            {
                "id": event.advisor_id,
                "name": event.name,
                "email": str(event.email),
                "active": event.active,
                "version": event.version,
            }
        )
        await uow.commit()


async def match_found(event: MatchFound, event_id: str, uow: UnitOfWork, consumer: str) -> bool:
    """Record the email to send about ``event``; False when it was recorded before."""
    now = datetime.now(UTC)
    async with uow:
        if not await uow.first_delivery(consumer, event_id):
            return False
        added = await uow.deliveries.add(
            {
                "id": delivery_id_for(event.advisor_id, event.match_id, MATCH_FOUND),
                "advisor_id": event.advisor_id,
                "match_id": event.match_id,
                "kind": MATCH_FOUND,
                "need_reference": event.need_reference,
                "offer_title": event.offer.title,
                "offer_category": event.offer.category.value,
                "offer_municipality": event.offer.municipality,
                "score": event.score,
                "reasons": [reason.de for reason in event.reasons],
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
        await uow.commit()
    return added


async def send_due(
    new_uow: Callable[[], UnitOfWork],
    mailer: Mailer,
    *,
    sender: str,
    region: Region,
    window: timedelta = timedelta(0),
    batch: int = 200,
    lease: timedelta = timedelta(minutes=2),
) -> int:
    """Send the emails that are due, one per advisor and need; returns how many were accepted.

    A crash after the server accepted an email and before its deliveries are
    marked sent sends that email again after the lease: at most one
    duplicate per crash, carrying the same Message-ID when the group is the same.
    """
    now = datetime.now(UTC)
    async with new_uow() as uow:
        claimed = await uow.deliveries.claim_due(now, limit=batch, lease=lease, window=window)
        await uow.commit()
    sent = 0
    for group, recipient in claimed:
        sent += await _send_group(new_uow, mailer, group, recipient, sender=sender, region=region)
    return sent


async def _send_group(
    new_uow: Callable[[], UnitOfWork],
    mailer: Mailer,
    group: list[Delivery],
    recipient: Recipient,
    *,
    sender: str,
    region: Region,
) -> int:
    now = datetime.now(UTC)
    message = render_match_email(group, recipient, sender=sender, region=region, now=now)
    try:
        await mailer.send(message)
    except TemporaryDeliveryError as exc:
        log.warning("email %s failed, will retry: %s", message["Message-ID"], exc)
        async with new_uow() as uow:
            for delivery in group:
                attempts = delivery.attempts + 1
                await uow.deliveries.mark_retry(
                    delivery.id, attempts, next_attempt(now, attempts), str(exc)
                )
            await uow.commit()
        return 0
    except PermanentDeliveryError as exc:
        log.error("email %s refused for good: %s", message["Message-ID"], exc)
        async with new_uow() as uow:
            for delivery in group:
                await uow.deliveries.mark_failed(delivery.id, delivery.attempts + 1, str(exc))
            await uow.commit()
        return 0
    async with new_uow() as uow:
        for delivery in group:
            await uow.deliveries.mark_sent(delivery.id, now)
        await uow.publish_all(
            [
                NotificationSent(
                    notification_id=delivery.id,
                    advisor_id=delivery.advisor_id,
                    match_id=delivery.match_id,
                    sent_at=now,
                )
                for delivery in group
            ]
        )
        await uow.commit()
    return 1

"""Notifications use cases: keep the directory, record what to tell advisors and providers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lotse_notifications.domain.model import (
    MATCH_FOUND,
    MATCH_INVALIDATED,
    DeliveryStatus,
    Recipient,
    Timing,
    delivery_id_for,
    schedule,
    worth_a_notice,
)
from lotse_notifications.domain.review import KiDigest
from lotse_notifications.service_layer.erasure import NeedErasure, erase_need
from lotse_notifications.service_layer.review_news import review_changed
from lotse_notifications.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import (
    AdvisorEvent,
    MatchFound,
    MatchInvalidated,
    OfferReviewEvent,
    ProviderEvent,
)
from lotse_shared.database import as_utc
from lotse_shared.envelope import Envelope

__all__ = ["apply"]

log = logging.getLogger(__name__)


async def apply(
    changes: Sequence[Envelope | NeedErasure],
    uow: UnitOfWork,
    consumer: str,
    timing: Timing,
    now: datetime,
    ki: KiDigest | None = None,
) -> None:
    """Apply consumed events and erasures in order, in one transaction.

    Events applied before change nothing; an erasure can be applied again and
    again. News of a need erased before it arrived is not recorded. ``ki``:
    where and when the KI hears what waits for review; without it, it does not.
    """
    recorded: list[tuple[MatchFound, dict[str, Any]]] = []
    envelopes = [c for c in changes if isinstance(c, Envelope)]
    async with uow:
        fresh = await uow.first_deliveries(consumer, [e.id for e in envelopes])
        erased = await uow.erased.among(
            e.event.need_id for e in envelopes if isinstance(e.event, MatchFound | MatchInvalidated)
        )
        for envelope in changes:
            if isinstance(envelope, NeedErasure):
                await erase_need(uow, envelope.need_id, now)
                erased.add(envelope.need_id)
                continue
            if envelope.id not in fresh:
                continue
            fresh.discard(envelope.id)  # a second copy within the batch
            event = envelope.event
            if isinstance(event, MatchInvalidated) and event.reason == "erased":
                # Matching's word that the need is gone, maybe before the tombstone arrives
                # here; each of its matches, as one may have been recorded before need ids were.
                await erase_need(uow, event.need_id, now, match_id=event.match_id)
                erased.add(event.need_id)
            elif isinstance(event, MatchFound | MatchInvalidated) and event.need_id in erased:
                log.debug("%s is about an erased need; nothing to tell", envelope.type)
            elif isinstance(event, AdvisorEvent):
                await _advisor_changed(uow, event, timing, now)
            elif isinstance(event, ProviderEvent):
                await _provider_changed(uow, event)
            elif isinstance(event, MatchFound):
                values = await _match_found(uow, event, timing, now)
                if values is not None:
                    recorded.append((event, values))
            elif isinstance(event, MatchInvalidated):
                await _match_invalidated(uow, event, timing, now)
            elif isinstance(event, OfferReviewEvent):
                await review_changed(uow, event, ki, now)
            else:
                log.debug("notifications ignores %s", envelope.type)
        await uow.commit()
    for event, values in recorded:
        log.info(
            "match %s for %s: %s, due %s",
            event.match_id,
            event.need_reference,
            values["status"],
            values["due_at"].isoformat(),
        )


async def _advisor_changed(
    uow: UnitOfWork, event: AdvisorEvent, timing: Timing, now: datetime
) -> None:
    """Keep the advisor's copy; their pending news follows a changed preference at once."""
    pref = event.notifications
    changed = await uow.directory.save_advisor(
        {
            "id": event.advisor_id,
            "name": event.name,
            "email": str(event.email),
            "active": event.active,
            "version": event.version,
            "language": event.language,
            "mode": pref.mode.value,
            "digest_hour": pref.digest_hour,
            "min_score": pref.min_score,
        }
    )
    if changed:
        await _reschedule(uow, event.advisor_id, timing, now)


async def _reschedule(uow: UnitOfWork, advisor_id: str, timing: Timing, now: datetime) -> None:
    """Give the advisor's pending deliveries the due time and group their preference says.

    A removed advisor's pending news is cancelled; news below their minimum
    score is suppressed. Deliveries claimed right now are left to the sender.
    """
    recipient = await uow.directory.recipient(advisor_id)
    for row in await uow.deliveries.pending_of(advisor_id):
        if _claimed(row.claimed_until, now):
            continue
        if recipient is None:
            await uow.deliveries.set([row.id], status=DeliveryStatus.CANCELLED)
        elif row.kind == MATCH_FOUND and row.score < recipient.preference.min_score:
            await uow.deliveries.set([row.id], status=DeliveryStatus.SUPPRESSED)
        else:
            due, group = schedule(
                as_utc(row.created_at), row.need_reference, recipient.preference, timing
            )
            await uow.deliveries.set([row.id], due_at=due, group_key=group)


async def _provider_changed(uow: UnitOfWork, event: ProviderEvent) -> None:
    """Keep the provider's name, which emails show."""
    await uow.directory.save_provider(
        {"id": event.provider_id, "name": event.name, "version": event.version}
    )


async def _match_found(
    uow: UnitOfWork, event: MatchFound, timing: Timing, now: datetime
) -> dict[str, Any] | None:
    """Record the email to send about ``event``; its values, or None when it was recorded before.

    A match that was cancelled before its email went out (it ended, then came
    back) is pending again: still one email per advisor and match.
    """
    recipient = await uow.directory.recipient(event.advisor_id)
    delivery_id = delivery_id_for(event.advisor_id, event.match_id, MATCH_FOUND)
    values = _found_values(event, recipient, timing, now)
    if await uow.deliveries.add({"id": delivery_id, **values}):
        return values
    earlier = await uow.deliveries.get(delivery_id)
    if earlier is not None and earlier.status == DeliveryStatus.CANCELLED:
        await uow.deliveries.set([delivery_id], **values)
        return values
    return None


def _found_values(
    event: MatchFound, recipient: Recipient | None, timing: Timing, now: datetime
) -> dict[str, Any]:
    preference = recipient.preference if recipient else None
    due, group = schedule(now, event.need_reference, preference, timing)
    below = preference is not None and event.score < preference.min_score
    offer = event.offer
    return {
        "advisor_id": event.advisor_id,
        "match_id": event.match_id,
        "kind": MATCH_FOUND,
        "need_id": event.need_id,
        "need_reference": event.need_reference,
        "offer_title": offer.title,
        "offer_category": offer.category.value,
        "offer_municipality": offer.municipality,
        "offer_facts": {
            "offer_id": event.offer_id,
            "provider_id": offer.provider_id,
            "start_date": offer.start_date.isoformat() if offer.start_date else None,
            "rolling_start": offer.rolling_start,
            "contact_email": offer.contact_email,
        },
        "score": event.score,
        "reasons": [{"de": r.de, "en": r.en} for r in event.reasons],
        "eligibility": event.eligibility,
        "status": DeliveryStatus.SUPPRESSED if below else DeliveryStatus.PENDING,
        **_unsent(group, due, now),
    }


def _unsent(group: str, due: datetime, now: datetime) -> dict[str, Any]:
    """What a delivery recorded ``now`` starts with: never tried, due at ``due`` in ``group``."""
    return {
        "attempts": 0,
        "group_key": group,
        "due_at": due,
        "next_attempt_at": now,
        "claimed_until": None,
        "created_at": now,
    }


async def _match_invalidated(
    uow: UnitOfWork, event: MatchInvalidated, timing: Timing, now: datetime
) -> None:
    """An ended match: news not yet sent is withdrawn; an advisor already told gets a notice.

    A notice goes out like news of matches: in the need's next email, or in the digest.
    """
    found = await uow.deliveries.get(delivery_id_for(event.advisor_id, event.match_id, MATCH_FOUND))
    if found is None:
        return
    if found.status == DeliveryStatus.PENDING and not _claimed(found.claimed_until, now):
        await uow.deliveries.set([found.id], status=DeliveryStatus.CANCELLED)
    elif found.status in (DeliveryStatus.PENDING, DeliveryStatus.SENT) and worth_a_notice(
        event.reason
    ):
        recipient = await uow.directory.recipient(event.advisor_id)
        due, group = schedule(
            now, event.need_reference, recipient.preference if recipient else None, timing
        )
        await uow.deliveries.add(
            {
                "id": delivery_id_for(event.advisor_id, event.match_id, MATCH_INVALIDATED),
                **{k: getattr(found, k) for k in _COPIED_FROM_FOUND},
                "kind": MATCH_INVALIDATED,
                "invalidation_reason": event.reason,
                "status": DeliveryStatus.PENDING,
                **_unsent(group, due, now),
            }
        )


_COPIED_FROM_FOUND = (
    "advisor_id", "match_id", "need_id", "need_reference", "offer_title", "offer_category",
    "offer_municipality", "offer_facts", "score", "reasons", "eligibility",
)  # fmt: skip


def _claimed(until: datetime | None, now: datetime) -> bool:
    return until is not None and as_utc(until) > now

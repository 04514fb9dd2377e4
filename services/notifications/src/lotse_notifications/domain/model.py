"""Deliveries, who gets them, and when. No I/O.

A delivery is one thing to tell one advisor about one match: that it was
found, or that it no longer holds. Deliveries that go out together share a
``group``: an advisor who wants to hear at once gets one email per need and
batching window; one who wants a daily digest gets one email a day.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from lotse_shared.contracts import NotificationKind, NotificationMode, NotificationPreference

__all__ = [
    "DIGEST",
    "ERASED",
    "MATCH_FOUND",
    "MATCH_INVALIDATED",
    "Delivery",
    "DeliveryStatus",
    "OfferFacts",
    "Reason",
    "Recipient",
    "Timing",
    "delivery_id_for",
    "message_id_for",
    "next_at_hour",
    "next_attempt",
    "schedule",
    "worth_a_notice",
]

MATCH_FOUND: NotificationKind = "match_found"
MATCH_INVALIDATED: NotificationKind = "match_invalidated"
DIGEST = "*digest*"  # the group of all an advisor's deliveries for the next digest
ERASED = "*erased*"  # the group of deliveries whose need was erased: about no need any more


class DeliveryStatus(StrEnum):
    """How far an email got: pending until the server accepted it (sent) or refused it for
    good (failed); cancelled when it is no longer news, suppressed when below the advisor's
    minimum score."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SUPPRESSED = "suppressed"


# Kept short for prompt delivery; capped so a long outage does not mean a day's wait.
_FIRST_RETRY = timedelta(seconds=1)
_LONGEST_RETRY = timedelta(minutes=5)
_MESSAGE_NAMESPACE = uuid.UUID("5b0e6c2a-3f0e-4d1e-9a57-1d2f3c4b5a69")
_DELIVERY_NAMESPACE = uuid.UUID("0c1f0f3e-8f0b-4b0e-a4c5-3c4f3b7d2e11")
# The advisor told of an offer hears when it can no longer be had; not when better offers
# displaced it, nor when the advisor's own change of the need ended it.
_NOTICE_REASONS = frozenset({"full", "withdrawn", "changed"})


@dataclass(frozen=True)
class Reason:
    de: str
    en: str


@dataclass(frozen=True)
class OfferFacts:
    """What an email shows of the offer, as the match event carried it."""

    offer_id: str
    title: str
    category: str
    municipality: str
    provider_id: str | None = None
    start_date: date | None = None
    rolling_start: bool = False
    contact_email: str | None = None


@dataclass(frozen=True)
class Delivery:
    """One email's worth of news for one advisor about one match."""

    id: str
    advisor_id: str
    match_id: str
    kind: NotificationKind
    need_reference: str
    offer: OfferFacts
    score: float
    reasons: tuple[Reason, ...] = ()
    eligibility: str | None = None
    invalidation_reason: str | None = None
    attempts: int = 0


@dataclass(frozen=True)
class Recipient:
    advisor_id: str
    name: str
    email: str
    language: Literal["de", "en"] = "de"
    preference: NotificationPreference = field(default_factory=NotificationPreference)


def delivery_id_for(advisor_id: str, match_id: str, kind: str) -> str:
    """One id per (advisor, match, kind): the key that makes every email unique."""
    return str(uuid.uuid5(_DELIVERY_NAMESPACE, f"{advisor_id}/{match_id}/{kind}"))


def worth_a_notice(reason: str) -> bool:
    """Whether an advisor who was told of a match hears that it ended for this reason."""
    return reason in _NOTICE_REASONS


@dataclass(frozen=True)
class Timing:
    """How long news for one need is gathered, and the zone digest hours are meant in."""

    window: timedelta = timedelta(seconds=60)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Berlin"))


def schedule(
    created_at: datetime,
    need_reference: str,
    preference: NotificationPreference | None,
    timing: Timing,
) -> tuple[datetime, str]:
    """When a delivery recorded at ``created_at`` is due, and the group it goes out with.

    Immediate (also while the advisor is not yet known): after the batching
    window, with the need's other news. Daily digest: at the first digest
    hour, local time, after it was recorded, with all the advisor's news.
    """
    if preference is None or preference.mode is NotificationMode.IMMEDIATE:
        return created_at + timing.window, need_reference
    return next_at_hour(created_at, preference.digest_hour, timing.zone), DIGEST


def next_at_hour(moment: datetime, hour: int, zone: ZoneInfo) -> datetime:
    """The first ``hour`` o'clock in ``zone`` after ``moment``, in ``moment``'s zone."""
    local = moment.astimezone(zone)
    slot = datetime.combine(local.date(), time(hour), tzinfo=zone)
    if slot <= local:
        slot = datetime.combine(local.date() + timedelta(days=1), time(hour), tzinfo=zone)
    return slot.astimezone(moment.tzinfo)


def next_attempt(now: datetime, attempts: int) -> datetime:
    """When to try again after ``attempts`` failed tries: exponential, capped."""
    delay = min(_FIRST_RETRY * (1 << max(attempts - 1, 0)), _LONGEST_RETRY)
    return now + delay


def message_id_for(deliveries: Sequence[Delivery]) -> str:
    """The same deliveries always make the same Message-ID, so a resend is recognisable."""
    ids = sorted(d.id for d in deliveries)
    key = ids[0] if len(ids) == 1 else str(uuid.uuid5(_MESSAGE_NAMESPACE, "/".join(ids)))
    return f"<{key}@lotse>"

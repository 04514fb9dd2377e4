"""Deliveries and the email they become. No I/O."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from lotse_shared.region import Region

__all__ = ["Delivery", "Recipient", "message_id_for", "next_attempt", "render_match_email"]

# Kept short for prompt delivery; capped so a long outage does not mean a day's wait.
_FIRST_RETRY = timedelta(seconds=1)
_LONGEST_RETRY = timedelta(minutes=5)
_MESSAGE_NAMESPACE = uuid.UUID("5b0e6c2a-3f0e-4d1e-9a57-1d2f3c4b5a69")


@dataclass(frozen=True)
class Recipient:
    advisor_id: str
    name: str
    email: str


@dataclass(frozen=True)
class Delivery:
    """One email to one advisor about one match."""

    id: str
    advisor_id: str
    match_id: str
    need_reference: str
    offer_title: str
    offer_category: str
    offer_municipality: str
    score: float
    reasons: tuple[str, ...]
    attempts: int


def next_attempt(now: datetime, attempts: int) -> datetime:
    """When to try again after ``attempts`` failed tries: exponential, capped."""
    delay = min(_FIRST_RETRY * (1 << max(attempts - 1, 0)), _LONGEST_RETRY)
    return now + delay


def _header_safe(value: str) -> str:
    # A CR or LF in a header value would start a new header.
    return " ".join(value.split())


def message_id_for(deliveries: Sequence[Delivery]) -> str:
    """The same deliveries always make the same Message-ID, so a resend is recognisable."""
    ids = sorted(d.id for d in deliveries)
    key = ids[0] if len(ids) == 1 else str(uuid.uuid5(_MESSAGE_NAMESPACE, "/".join(ids)))
    return f"<{key}@lotse>"


def render_match_email(
    deliveries: Sequence[Delivery],
    recipient: Recipient,
    *,
    sender: str,
    region: Region,
    now: datetime,
) -> EmailMessage:
    """One email telling ``recipient`` about new matches for one need, best first.

    Carries no personal data: the need's generated reference and the offers.
    """
    ranked = sorted(deliveries, key=lambda d: (-d.score, d.offer_title, d.id))
    reference = ranked[0].need_reference
    count = len(ranked)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((_header_safe(recipient.name), recipient.email))
    message["Subject"] = _header_safe(f"Lotse: {_offers(count, new=True)} für {reference}")
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id_for(ranked)
    offers = "\n\n".join(_offer_text(n, d, region) for n, d in enumerate(ranked, start=1))
    message.set_content(
        f"Guten Tag {recipient.name},\n\n"
        f"für den Bedarf {reference} gibt es {_offers(count)}, das beste zuerst:\n\n"
        f"{offers}\n\n"
        "Lotse schlägt vor, Sie entscheiden.\n"
    )
    return message


def _offers(count: int, *, new: bool = False) -> str:
    """'ein (neues) passendes Angebot' or 'N (neue) passende Angebote'."""
    if count == 1:
        return f"ein {'neues ' if new else ''}passendes Angebot"
    return f"{count} {'neue ' if new else ''}passende Angebote"


def _offer_text(n: int, delivery: Delivery, region: Region) -> str:
    reasons = "\n".join(f"     - {reason}" for reason in delivery.reasons)
    return (
        f"{n}. {delivery.offer_title}\n"
        f"   Kategorie: {delivery.offer_category}\n"
        f"   Ort: {region.name_of(delivery.offer_municipality)}\n"
        f"   Passung: {delivery.score:.0%}\n"
        f"   Warum es passt:\n{reasons}"
    )

"""Deliveries and the email they become. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from lotse_shared.region import Region

__all__ = ["Delivery", "Recipient", "next_attempt", "render_match_email"]

# Kept short for prompt delivery; capped so a long outage does not mean a day's wait.
_FIRST_RETRY = timedelta(seconds=1)
_LONGEST_RETRY = timedelta(minutes=5)


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


def render_match_email(
    delivery: Delivery, recipient: Recipient, *, sender: str, region: Region, now: datetime
) -> EmailMessage:
    """The email telling ``recipient`` about a new match. Carries no personal data."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((_header_safe(recipient.name), recipient.email))
    message["Subject"] = _header_safe(
        f"Lotse: neues passendes Angebot für {delivery.need_reference}"
    )
    message["Date"] = format_datetime(now)
    # The same delivery always has the same Message-ID, so a resend is recognisable.
    message["Message-ID"] = f"<{delivery.id}@lotse>"
    reasons = "\n".join(f"  - {reason}" for reason in delivery.reasons)
    message.set_content(
        f"Guten Tag {recipient.name},\n\n"
        f"für den Bedarf {delivery.need_reference} gibt es ein passendes Angebot:\n\n"
        f"  {delivery.offer_title}\n"
        f"  Kategorie: {delivery.offer_category}\n"
        f"  Ort: {region.name_of(delivery.offer_municipality)}\n"
        f"  Passung: {delivery.score:.0%}\n\n"
        f"Warum es passt:\n{reasons}\n\n"
        "Lotse schlägt vor, Sie entscheiden.\n"
    )
    return message

"""Events on ``lotse.notifications``, keyed by advisor id."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from lotse_shared.contracts.base import Event
from lotse_shared.contracts.topics import NOTIFICATIONS

__all__ = ["NotificationFailed", "NotificationKind", "NotificationSent"]

NotificationKind = Literal["match_found", "match_invalidated"]


class _AboutADelivery(Event):
    """What every notification event says of its delivery."""

    topic: ClassVar = NOTIFICATIONS

    notification_id: str = Field(description="Id of the delivery.")
    advisor_id: str = Field(description="Advisor the email was for.")
    match_id: str = Field(description="Match the email was about.")
    kind: NotificationKind = Field(
        default="match_found",
        description="What the email said of the match: found, or no longer available.",
        examples=["match_found"],
    )

    def key(self) -> str:
        return self.advisor_id


class NotificationSent(_AboutADelivery):
    """An email about a match was accepted by the SMTP server."""

    event_type: ClassVar = "lotse.notification.sent.v1"

    sent_at: datetime = Field(description="When the SMTP server accepted the email (UTC).")


class NotificationFailed(_AboutADelivery):
    """The SMTP server refused an email about a match for good; it is not tried again."""

    event_type: ClassVar = "lotse.notification.failed.v1"

    error: str = Field(
        max_length=500,
        description="The server's reply, e.g. '550 no such mailbox'.",
        examples=["550 5.1.1 mailbox unavailable"],
    )
    attempts: int = Field(ge=1, description="How many times it was tried.", examples=[1])
    failed_at: datetime = Field(description="When the server refused it (UTC).")

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

    notification_id: str = Field(
        description="Id of the delivery.", examples=["6a2f0c4e-8d1b-4f3a-9e7c-5b6d8a0f1e2c"]
    )
    advisor_id: str = Field(description="Advisor the email was for.", examples=["adv-schwerte-1"])
    match_id: str = Field(
        description="Match the email was about.", examples=["3f8c2a9e-1b7d-5e4f-8a6b-2c9d0e1f3a4b"]
    )
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

    sent_at: datetime = Field(
        description="When the SMTP server accepted the email (UTC).",
        examples=["2026-11-28T09:31:05Z"],
    )


class NotificationFailed(_AboutADelivery):
    """The SMTP server refused an email about a match for good; it is not tried again."""

    event_type: ClassVar = "lotse.notification.failed.v1"

    error: str = Field(
        max_length=500,
        description="The server's reply, e.g. '550 no such mailbox'.",
        examples=["550 5.1.1 mailbox unavailable"],
    )
    attempts: int = Field(ge=1, description="How many times it was tried.", examples=[1])
    failed_at: datetime = Field(
        description="When the server refused it (UTC).", examples=["2026-11-28T09:31:05Z"]
    )

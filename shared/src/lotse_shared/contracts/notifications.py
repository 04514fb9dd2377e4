"""Events on ``lotse.notifications``, keyed by advisor id."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from lotse_shared.contracts.base import Event
from lotse_shared.contracts.topics import NOTIFICATIONS

__all__ = ["NotificationSent"]


class NotificationSent(Event):
    """An email about a match was accepted by the SMTP server."""

    event_type: ClassVar = "lotse.notification.sent.v1"
    topic: ClassVar = NOTIFICATIONS

    notification_id: str = Field(description="Id of the delivery.")
    advisor_id: str = Field(description="Advisor the email went to.")
    match_id: str = Field(description="Match the email was about.")
    sent_at: datetime = Field(description="When the SMTP server accepted the email (UTC).")

    def key(self) -> str:
        return self.advisor_id

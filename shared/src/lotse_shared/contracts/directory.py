"""Events on ``lotse.directory``: the advisors (and later providers) Lotse knows."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import EmailStr, Field

from lotse_shared.contracts.base import Event
from lotse_shared.contracts.topics import DIRECTORY

__all__ = ["AdvisorEvent", "AdvisorRegistered", "AdvisorRemoved", "AdvisorUpdated"]


class AdvisorEvent(Event):
    """The state of an advisor after a change."""

    topic: ClassVar = DIRECTORY

    advisor_id: str = Field(description="Stable id of the advisor.")
    name: str = Field(description="Display name used in emails.", max_length=120)
    email: EmailStr = Field(description="Where match emails go (a work address).")
    active: bool = Field(default=True, description="False once the advisor was removed.")
    version: int = Field(ge=1, description="Increases by one with every change.")
    updated_at: datetime = Field(description="When this state was recorded (UTC).")

    def key(self) -> str:
        return self.advisor_id


class AdvisorRegistered(AdvisorEvent):
    """A coordinator registered an advisor."""

    event_type: ClassVar = "lotse.advisor.registered.v1"


class AdvisorUpdated(AdvisorEvent):
    """An advisor's details changed."""

    event_type: ClassVar = "lotse.advisor.updated.v1"


class AdvisorRemoved(AdvisorEvent):
    """The advisor left; they get no more emails."""

    event_type: ClassVar = "lotse.advisor.removed.v1"

"""Events on ``lotse.needs``: pseudonymous needs, never names or free text."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from lotse_shared.contracts.base import Event
from lotse_shared.contracts.domain import AGS, Category, NeedStatus
from lotse_shared.contracts.topics import NEEDS

__all__ = ["NeedClosed", "NeedEvent", "NeedRegistered", "NeedUpdated"]


class NeedEvent(Event):
    """The state of a need after a change. Holds no personal data beyond coarse categories."""

    topic: ClassVar = NEEDS

    need_id: str = Field(description="Stable id of the need (UUID).")
    reference: str = Field(
        description="Short reference the catalog generated, shown to the advisor.",
        examples=["UNN-7K3Q"],
    )
    advisor_id: str = Field(description="Id of the advisor who owns the need.")
    municipality: AGS = Field(description="AGS of the municipality of residence.")
    categories: list[Category] = Field(min_length=1, description="Kinds of offer wanted.")
    status: NeedStatus = Field(description="open or closed.")
    version: int = Field(ge=1, description="Increases by one with every change of the need.")
    updated_at: datetime = Field(description="When this state was recorded (UTC).")

    def key(self) -> str:
        return self.need_id


class NeedRegistered(NeedEvent):
    """An advisor registered a need."""

    event_type: ClassVar = "lotse.need.registered.v1"


class NeedUpdated(NeedEvent):
    """A need changed."""

    event_type: ClassVar = "lotse.need.updated.v1"


class NeedClosed(NeedEvent):
    """The need is met or no longer wanted; it takes no new matches."""

    event_type: ClassVar = "lotse.need.closed.v1"

"""Events on ``lotse.needs``: pseudonymous needs, never names or free text.

Erasing a need publishes a tombstone (a message with no value) under its id;
every subscriber deletes what it holds of that need.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import Field

from lotse_shared.contracts.base import Event, Payload
from lotse_shared.contracts.domain import (
    AGS,
    Category,
    GermanLevel,
    Language,
    Literacy,
    NeedStatus,
    ResidenceStatus,
    TimeOfDay,
)
from lotse_shared.contracts.topics import NEEDS

__all__ = ["NeedClosed", "NeedDetails", "NeedEvent", "NeedRegistered", "NeedUpdated"]


class NeedDetails(Payload):
    """What an advisor records of a need. Coarse categories only: no names, no free text."""

    municipality: AGS = Field(description="AGS of the municipality of residence.")
    age: int = Field(ge=0, le=120, description="Age in years.", examples=[34])
    languages: list[Language] = Field(
        default_factory=list,
        max_length=10,
        description="Languages the person speaks.",
        examples=[["ar", "en"]],
    )
    german_level: GermanLevel = Field(
        examples=["A2"], default=GermanLevel.A0, description="Current German level (CEFR)."
    )
    literacy: Literacy = Field(
        examples=["latin"], default=Literacy.LATIN, description="latin, other_script or none."
    )
    residence_status: ResidenceStatus | None = Field(
        examples=["temporary_protection"],
        default=None,
        description="Coarse residence category, if the person agreed to give it.",
    )
    categories: list[Category] = Field(
        min_length=1,
        max_length=10,
        description="Kinds of offer wanted.",
        examples=[["integration_course"]],
    )
    times_of_day: list[TimeOfDay] = Field(
        examples=[["morning"]],
        default_factory=list,
        max_length=4,
        description="When the person is available; empty means any time.",
    )
    childcare_needed: bool = Field(
        examples=[True], default=False, description="Needs childcare to take part."
    )
    barrier_free_needed: bool = Field(
        examples=[False], default=False, description="Needs a venue without barriers."
    )
    max_travel_km: float = Field(
        examples=[15],
        default=10.0,
        ge=0,
        le=100,
        description="How far the person can travel (straight line, km).",
    )
    earliest_start: date | None = Field(
        examples=["2027-01-01"], default=None, description="Earliest day the person can start."
    )


class NeedEvent(NeedDetails, Event):
    """The state of a need after a change."""

    topic: ClassVar = NEEDS

    need_id: str = Field(
        examples=["2b7e8c1d-6f3a-4e2b-9c1d-8a7f6e5d4c3b"],
        description="Stable id of the need (UUID).",
    )
    reference: str = Field(
        description="Short reference the catalog generated, shown to the advisor.",
        examples=["UNN-7K3Q9X"],
    )
    advisor_id: str = Field(
        examples=["adv-schwerte-1"], description="Id of the advisor who owns the need."
    )
    status: NeedStatus = Field(examples=["open"], description="open or closed.")
    expires_on: date = Field(
        examples=["2027-05-27"], description="The need is erased after this day."
    )
    version: int = Field(
        examples=[2], ge=1, description="Increases by one with every change of the need."
    )
    updated_at: datetime = Field(
        examples=["2026-11-28T09:30:00Z"], description="When this state was recorded (UTC)."
    )

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

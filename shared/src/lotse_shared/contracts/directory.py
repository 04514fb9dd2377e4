"""Events on ``lotse.directory``: the providers and advisors Lotse knows."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import EmailStr, Field

from lotse_shared.contracts.base import Event, Payload
from lotse_shared.contracts.domain import AGS
from lotse_shared.contracts.topics import DIRECTORY

__all__ = [
    "AdvisorDetails",
    "AdvisorEvent",
    "AdvisorRegistered",
    "AdvisorRemoved",
    "AdvisorUpdated",
    "NotificationMode",
    "NotificationPreference",
    "ProviderDetails",
    "ProviderEvent",
    "ProviderRegistered",
    "ProviderUpdated",
]


class NotificationMode(StrEnum):
    IMMEDIATE = "immediate"
    DAILY_DIGEST = "daily_digest"


class NotificationPreference(Payload):
    """How an advisor wants to hear about matches."""

    mode: NotificationMode = Field(
        examples=["immediate"],
        default=NotificationMode.IMMEDIATE,
        description="immediate or daily_digest.",
    )
    digest_hour: int = Field(
        examples=[7], default=8, ge=0, le=23, description="Local hour of the daily digest."
    )
    min_score: float = Field(
        examples=[0.5],
        default=0.0,
        ge=0,
        le=1,
        description="Matches below this score are not emailed.",
    )


class AdvisorDetails(Payload):
    """What the directory holds of an advisor (KI staff, MBE/JMD counsellors)."""

    name: str = Field(
        min_length=1,
        max_length=120,
        description="Display name used in emails.",
        examples=["Aylin Demir"],
    )
    email: EmailStr = Field(
        description="Work address for match emails.", examples=["a.demir@ki-unna.example"]
    )
    organisation: str = Field(
        min_length=1,
        max_length=120,
        description="Employing organisation.",
        examples=["KI Kreis Unna"],
    )
    municipality: AGS | None = Field(
        examples=["05978028"], default=None, description="Municipality the advisor mainly serves."
    )
    language: Literal["de", "en"] = Field(
        examples=["de"], default="de", description="Language of the emails."
    )
    notifications: NotificationPreference = Field(
        examples=[{"mode": "daily_digest", "digest_hour": 7, "min_score": 0.5}],
        default_factory=NotificationPreference,
        description="How the advisor hears about matches.",
    )


class AdvisorEvent(AdvisorDetails, Event):
    """The state of an advisor after a change."""

    topic: ClassVar = DIRECTORY

    advisor_id: str = Field(examples=["adv-schwerte-1"], description="Stable id of the advisor.")
    active: bool = Field(
        examples=[True], default=True, description="False once the advisor was removed."
    )
    version: int = Field(examples=[1], ge=1, description="Increases by one with every change.")
    updated_at: datetime = Field(
        examples=["2026-11-28T09:30:00Z"], description="When this state was recorded (UTC)."
    )

    def key(self) -> str:
        return self.advisor_id


class AdvisorRegistered(AdvisorEvent):
    """A coordinator registered an advisor."""

    event_type: ClassVar = "lotse.advisor.registered.v1"


class AdvisorUpdated(AdvisorEvent):
    """An advisor's details changed."""

    event_type: ClassVar = "lotse.advisor.updated.v1"


class AdvisorRemoved(AdvisorEvent):
    """The advisor was deactivated; they get no more emails."""

    event_type: ClassVar = "lotse.advisor.removed.v1"


class ProviderDetails(Payload):
    """What the directory holds of a provider (VHS, language school, welfare organisation, ...)."""

    name: str = Field(
        min_length=1, max_length=160, description="Name of the provider.", examples=["VHS Schwerte"]
    )
    contact_email: EmailStr = Field(
        description="Role mailbox of the provider.", examples=["info@vhs-schwerte.example"]
    )
    municipality: AGS | None = Field(
        examples=["05978028"], default=None, description="Seat of the provider."
    )
    website: str | None = Field(
        examples=["https://vhs-schwerte.example"],
        default=None,
        max_length=300,
        pattern=r"^https?://",
        description="Website.",
    )


class ProviderEvent(ProviderDetails, Event):
    """The state of a provider after a change."""

    topic: ClassVar = DIRECTORY

    provider_id: str = Field(examples=["vhs-schwerte"], description="Stable id of the provider.")
    active: bool = Field(
        examples=[True],
        default=True,
        description="False once deactivated; its offers are withdrawn.",
    )
    version: int = Field(examples=[1], ge=1, description="Increases by one with every change.")
    updated_at: datetime = Field(
        examples=["2026-11-28T09:30:00Z"], description="When this state was recorded (UTC)."
    )

    def key(self) -> str:
        return self.provider_id


class ProviderRegistered(ProviderEvent):
    """A coordinator registered a provider."""

    event_type: ClassVar = "lotse.provider.registered.v1"


class ProviderUpdated(ProviderEvent):
    """A provider's details changed, or it was deactivated."""

    event_type: ClassVar = "lotse.provider.updated.v1"

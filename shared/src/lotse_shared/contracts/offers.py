"""Events on ``lotse.offers``: the full current state of an offer."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from lotse_shared.contracts.base import Event
from lotse_shared.contracts.domain import AGS, Category, OfferStatus
from lotse_shared.contracts.topics import OFFERS

__all__ = ["OfferEvent", "OfferPublished", "OfferUpdated", "OfferWithdrawn"]


class OfferEvent(Event):
    """The state of an offer after a change."""

    topic: ClassVar = OFFERS

    offer_id: str = Field(description="Stable id of the offer (UUID).")
    provider_id: str | None = Field(
        default=None, description="Id of the provider that runs the offer."
    )
    title: str = Field(description="Title in German.", max_length=200)
    category: Category = Field(description="Kind of offer.")
    municipality: AGS = Field(description="AGS of the municipality where the offer takes place.")
    status: OfferStatus = Field(description="published or withdrawn.")
    version: int = Field(ge=1, description="Increases by one with every change of the offer.")
    updated_at: datetime = Field(description="When this state was recorded (UTC).")

    def key(self) -> str:
        return self.offer_id


class OfferPublished(OfferEvent):
    """A provider published a new offer."""

    event_type: ClassVar = "lotse.offer.published.v1"


class OfferUpdated(OfferEvent):
    """A published offer changed."""

    event_type: ClassVar = "lotse.offer.updated.v1"


class OfferWithdrawn(OfferEvent):
    """The provider withdrew the offer; it no longer takes anyone."""

    event_type: ClassVar = "lotse.offer.withdrawn.v1"

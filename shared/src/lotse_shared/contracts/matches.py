"""Events on ``lotse.matches``, keyed by need id."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import Field

from lotse_shared.contracts.base import Event, Payload
from lotse_shared.contracts.domain import AGS, Category
from lotse_shared.contracts.topics import MATCHES

__all__ = ["MatchFound", "OfferSummary", "match_id_for"]

_MATCH_NAMESPACE = uuid.UUID("5b0f8a4e-6a43-4c55-9a53-2f1b8f4f6a10")


def match_id_for(need_id: str, offer_id: str) -> str:
    """The match id of a (need, offer) pair: the same everywhere, on every instance."""
    return str(uuid.uuid5(_MATCH_NAMESPACE, f"{need_id}/{offer_id}"))


class OfferSummary(Payload):
    """What an email about a match shows of the offer."""

    title: str = Field(description="Title in German.")
    category: Category = Field(description="Kind of offer.")
    municipality: AGS = Field(description="AGS where the offer takes place.")


class MatchFound(Event):
    """An offer fits a need; the advisor decides what happens with it."""

    event_type: ClassVar = "lotse.match.found.v1"
    topic: ClassVar = MATCHES

    match_id: str = Field(description="Id of the (need, offer) pair, stable across instances.")
    need_id: str = Field(description="Id of the need.")
    need_reference: str = Field(description="The need's generated short reference.")
    advisor_id: str = Field(description="Advisor who owns the need.")
    offer_id: str = Field(description="Id of the offer.")
    offer: OfferSummary = Field(description="The offer as it was when matched.")
    score: float = Field(ge=0, le=1, description="Rank among the need's matches; 1 fits best.")
    reasons: list[str] = Field(description="Why the offer fits, in plain words.")
    found_at: datetime = Field(description="When the match was found (UTC).")

    def key(self) -> str:
        return self.need_id

"""Events on ``lotse.matches``, keyed by need id, so one need's matches stay in order."""

from __future__ import annotations

import functools
import hashlib
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import Field

from lotse_shared.contracts.base import Event, Payload
from lotse_shared.contracts.domain import AGS, Category
from lotse_shared.contracts.topics import MATCHES

__all__ = [
    "DeclineReason",
    "InvalidationReason",
    "MatchDecided",
    "MatchFound",
    "MatchInvalidated",
    "MatchReason",
    "MatchStatus",
    "OfferSummary",
    "match_id_for",
]


class InvalidationReason(StrEnum):
    """Why a match no longer holds."""

    FULL = "full"
    WITHDRAWN = "withdrawn"
    CHANGED = "changed"
    OUTRANKED = "outranked"
    NEED_CLOSED = "need_closed"
    NEED_CHANGED = "need_changed"
    ERASED = "erased"


class MatchStatus(StrEnum):
    """Whether a match still holds: proposed to the advisor, or ended (invalidated)."""

    ACTIVE = "active"
    INVALIDATED = "invalidated"


DeclineReason = Literal[
    "not_interested",
    "not_eligible",
    "schedule",
    "too_far",
    "already_enrolled",
    "waiting_list",
    "other",
]

_MATCH_NAMESPACE = uuid.UUID("5b0f8a4e-6a43-4c55-9a53-2f1b8f4f6a10")


_MATCH_NAMESPACE_BYTES = _MATCH_NAMESPACE.bytes


@functools.lru_cache(maxsize=8192)  # asked for several times while a batch is ranked; small
def match_id_for(need_id: str, offer_id: str) -> str:
    """The match id of a (need, offer) pair: the same everywhere, on every instance.

    ``str(uuid.uuid5(_MATCH_NAMESPACE, f"{need_id}/{offer_id}"))``, spelled out:
    one id per match event made, and building the ``UUID`` objects cost more
    than the hash.
    """
    name = _MATCH_NAMESPACE_BYTES + f"{need_id}/{offer_id}".encode()
    digest = bytearray(hashlib.sha1(name, usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class OfferSummary(Payload):
    """What an email about a match shows of the offer."""

    title: str = Field(description="Title in German.", examples=["Integrationskurs allgemein"])
    category: Category = Field(description="Kind of offer.", examples=["integration_course"])
    municipality: AGS = Field(description="AGS where the offer takes place.", examples=["05978028"])
    provider_id: str | None = Field(
        default=None, description="Provider of the offer.", examples=["vhs-schwerte"]
    )
    start_date: date | None = Field(
        default=None, description="First day, if fixed.", examples=["2027-01-11"]
    )
    rolling_start: bool = Field(
        default=False, description="Participants can join at any time.", examples=[False]
    )
    contact_email: str | None = Field(
        default=None, description="Where to apply.", examples=["kurse@vhs-schwerte.example"]
    )


class MatchReason(Payload):
    """One reason the offer fits: a stable code and the words for the advisor."""

    code: str = Field(
        description="Stable code, e.g. same_municipality.", examples=["same_municipality"]
    )
    de: str = Field(description="In German.", examples=["Im Wohnort Schwerte"])
    en: str = Field(description="In English.", examples=["In the home town Schwerte"])


class MatchFound(Event):
    """An offer fits a need; the advisor decides what happens with it."""

    event_type: ClassVar = "lotse.match.found.v1"
    topic: ClassVar = MATCHES

    match_id: str = Field(
        description="Id of the (need, offer) pair, stable across instances.",
        examples=["3f8c2a9e-1b7d-5e4f-8a6b-2c9d0e1f3a4b"],
    )
    need_id: str = Field(
        description="Id of the need.", examples=["2b7e8c1d-6f3a-4e2b-9c1d-8a7f6e5d4c3b"]
    )
    need_reference: str = Field(
        description="The need's generated short reference.", examples=["UNN-7K3Q9X"]
    )
    advisor_id: str = Field(description="Advisor who owns the need.", examples=["adv-schwerte-1"])
    offer_id: str = Field(
        description="Id of the offer.", examples=["9d1c7e3a-4b2f-4c8e-a5d6-7f0e1b2c3d4e"]
    )
    offer: OfferSummary = Field(description="The offer as it was when matched.")
    score: float = Field(
        ge=0, le=1, description="Rank among the need's matches; 1 fits best.", examples=[0.82]
    )
    reasons: list[MatchReason] = Field(description="Why the offer fits, in plain words.")
    eligibility: Literal["eligible", "check_required", "self_payer_only"] = Field(
        default="eligible",
        description="On what terms the person may join, after the eligibility rules in force.",
        examples=["self_payer_only"],
    )
    found_at: datetime = Field(
        description="When the match was found (UTC).", examples=["2026-11-28T09:30:02Z"]
    )

    def key(self) -> str:
        return self.need_id


class MatchInvalidated(Event):
    """A proposed match no longer holds."""

    event_type: ClassVar = "lotse.match.invalidated.v1"
    topic: ClassVar = MATCHES

    match_id: str = Field(
        description="Id of the (need, offer) pair.",
        examples=["3f8c2a9e-1b7d-5e4f-8a6b-2c9d0e1f3a4b"],
    )
    need_id: str = Field(
        description="Id of the need.", examples=["2b7e8c1d-6f3a-4e2b-9c1d-8a7f6e5d4c3b"]
    )
    need_reference: str = Field(
        description="The need's generated short reference.", examples=["UNN-7K3Q9X"]
    )
    advisor_id: str = Field(description="Advisor who owns the need.", examples=["adv-schwerte-1"])
    offer_id: str = Field(
        description="Id of the offer.", examples=["9d1c7e3a-4b2f-4c8e-a5d6-7f0e1b2c3d4e"]
    )
    reason: InvalidationReason = Field(
        description="Why: the offer is full, withdrawn or changed, or better offers took its place; "
        "the need was closed, changed or erased.",
        examples=["full"],
    )
    invalidated_at: datetime = Field(description="When (UTC).", examples=["2026-12-01T14:05:00Z"])

    def key(self) -> str:
        return self.need_id


class MatchDecided(Event):
    """The advisor decided on a proposed match: the system proposes, the advisor decides."""

    event_type: ClassVar = "lotse.match.decided.v1"
    topic: ClassVar = MATCHES

    match_id: str = Field(
        description="Id of the (need, offer) pair.",
        examples=["3f8c2a9e-1b7d-5e4f-8a6b-2c9d0e1f3a4b"],
    )
    need_id: str = Field(
        description="Id of the need.", examples=["2b7e8c1d-6f3a-4e2b-9c1d-8a7f6e5d4c3b"]
    )
    advisor_id: str = Field(description="Advisor who decided.", examples=["adv-schwerte-1"])
    offer_id: str = Field(
        description="Id of the offer.", examples=["9d1c7e3a-4b2f-4c8e-a5d6-7f0e1b2c3d4e"]
    )
    decision: Literal["accepted", "declined"] = Field(
        description="accepted or declined.", examples=["declined"]
    )
    decline_reason: DeclineReason | None = Field(
        default=None,
        description="Why it was declined (a code, never free text).",
        examples=["schedule"],
    )
    decided_at: datetime = Field(description="When (UTC).", examples=["2026-11-30T10:15:00Z"])

    def key(self) -> str:
        return self.need_id

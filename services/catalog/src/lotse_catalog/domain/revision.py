"""A submitted revision of an offer, what it changes, and the decisions on revisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from lotse_shared.contracts import OfferDetails
from lotse_shared.identity import Principal

__all__ = [
    "COMMENT_MAX",
    "Decision",
    "FieldChange",
    "Revision",
    "RevisionState",
    "Verdict",
    "author_of",
    "difference",
    "free_places_only",
    "with_free_places",
]

COMMENT_MAX = 2000


class RevisionState(StrEnum):
    """What became of one submitted revision."""

    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class Verdict(StrEnum):
    """A coordinator's decision on a revision."""

    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"


def author_of(principal: Principal) -> str:
    """Who wrote a change, as the four-eyes rule compares them: role and id."""
    return f"{principal.role.value}:{principal.sub}"


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: its path (``title.de``, ``places_available``) and both values."""

    field: str
    before: Any
    after: Any


def _flat(details: OfferDetails | None) -> dict[str, Any]:
    if details is None:
        return {}
    flat: dict[str, Any] = {}
    for name, value in details.model_dump(mode="json").items():
        if isinstance(value, dict):
            flat.update({f"{name}.{key}": inner for key, inner in value.items()})
        else:
            flat[name] = value
    return flat


def difference(before: OfferDetails | None, after: OfferDetails) -> tuple[FieldChange, ...]:
    """Field by field, what ``after`` changes of ``before`` (nothing before: a new offer)."""
    old, new = _flat(before), _flat(after)
    return tuple(
        FieldChange(name, old.get(name), new.get(name))
        for name in sorted(old.keys() | new.keys())
        if old.get(name) != new.get(name)
    )


def free_places_only(before: OfferDetails, after: OfferDetails) -> bool:
    """Whether ``after`` is ``before`` with, at most, other free places."""
    return before.model_copy(update={"places_available": after.places_available}) == after


def with_free_places(details: OfferDetails, places: int | None) -> OfferDetails:
    """``details`` with ``places`` free, at most as many as it has places in all."""
    # A draft may have fewer places in all than the published offer has free.
    if places is not None and details.places_total is not None:
        places = min(places, details.places_total)
    return details.model_copy(update={"places_available": places})


@dataclass
class Revision:
    """A submitted version of an offer's details, kept for good with what it changed."""

    number: int
    details: OfferDetails
    changes: tuple[FieldChange, ...]
    authors: frozenset[str]
    submitted_by: str
    submitted_at: datetime
    base_version: int | None
    """The published version it was made against; None for a new offer."""
    state: RevisionState = RevisionState.SUBMITTED


@dataclass(frozen=True)
class Decision:
    """Who decided what about which revision, when, and what they said."""

    id: str
    revision: int | None
    """None when a change request concerns the published offer, not a revision."""
    verdict: Verdict
    reviewer: str
    decided_at: datetime
    comment: str | None = None
    report_id: str | None = None

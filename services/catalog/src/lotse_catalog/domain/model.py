"""Catalog entities and their rules. Plain Python: no database, no HTTP."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lotse_shared.contracts import Category, NeedStatus, OfferStatus

__all__ = ["Advisor", "Need", "Offer", "new_reference"]

# No 0/O, 1/I: references are read aloud and typed from emails.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# Six characters give about 10^9 references: collisions stay rare at a million needs.
_REFERENCE_LENGTH = 6


def _now() -> datetime:
    return datetime.now(UTC)


def new_reference(prefix: str) -> str:
    """A short reference for a need, such as ``UNN-7K3Q9X``."""
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(_REFERENCE_LENGTH))
    return f"{prefix}-{body}"


@dataclass
class Advisor:
    id: str
    name: str
    email: str
    active: bool = True
    version: int = 1
    updated_at: datetime = field(default_factory=_now)


@dataclass
class Offer:
    id: str
    title: str
    category: Category
    municipality: str
    provider_id: str | None = None
    status: OfferStatus = OfferStatus.PUBLISHED
    version: int = 1
    updated_at: datetime = field(default_factory=_now)


@dataclass
class Need:
    """A newcomer's need, pseudonymous: the person's file stays with the advisor."""

    id: str
    reference: str
    advisor_id: str
    municipality: str
    categories: list[Category]
    case_reference: str | None = None
    status: NeedStatus = NeedStatus.OPEN
    version: int = 1
    updated_at: datetime = field(default_factory=_now)

"""Catalog entities and their rules. Plain Python: no database, no HTTP.

Each entity carries its descriptive details as the contract's value object
(``OfferDetails``, ``NeedDetails``, ...), so what is stored, what the API
shows and what goes to Kafka cannot drift apart.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Generic, TypeAlias, TypeVar

from lotse_catalog.domain.errors import Conflict, InvalidField, StaleVersion
from lotse_shared.contracts import (
    AdvisorDetails,
    NeedDetails,
    NeedStatus,
    OfferDetails,
    OfferStatus,
    ProviderDetails,
)
from lotse_shared.region import Region

__all__ = [
    "Advisor",
    "DirectoryEntry",
    "Expected",
    "Need",
    "Offer",
    "Provider",
    "check_version",
    "new_reference",
    "require_municipality",
]

# No 0/O, 1/I: references are read aloud and typed from emails.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
# Six characters give about 10^9 references: collisions stay rare at a million needs.
_REFERENCE_LENGTH = 6


D = TypeVar("D", ProviderDetails, AdvisorDetails)


def now() -> datetime:
    return datetime.now(UTC)


def new_reference(prefix: str) -> str:
    """A short reference for a need, such as ``UNN-7K3Q9X``."""
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(_REFERENCE_LENGTH))
    return f"{prefix}-{body}"


def require_municipality(region: Region, field: str, ags: str | None) -> None:
    """Every municipality the catalog stores must belong to the district it serves."""
    if ags is not None and ags not in region:
        raise InvalidField(field, f"{ags} is not a municipality of {region.name}")


Expected: TypeAlias = int | frozenset[int] | None
"""The versions a change was made against: one, any of several (an If-Match list; empty
when it names none that can be ours), or None for whatever version there is."""


def check_version(current: int, expected: Expected) -> None:
    """Optimistic concurrency: refuse a change made against another version."""
    if expected is None:
        return
    if isinstance(expected, int):
        expected = frozenset((expected,))
    if current not in expected:
        named = ", ".join(str(version) for version in sorted(expected)) or "none of ours"
        raise StaleVersion(f"the entity is at version {current}, not {named}")


@dataclass
class DirectoryEntry(Generic[D]):
    """A provider or an advisor: details that change, and a switch to deactivate."""

    id: str
    details: D
    active: bool = True
    version: int = 1
    updated_at: datetime = field(default_factory=now)

    def revise(self, details: D, expected_version: Expected = None) -> None:
        check_version(self.version, expected_version)
        self.details = details
        self._touch()

    def deactivate(self) -> None:
        if not self.active:
            raise Conflict(f"{type(self).__name__.lower()} {self.id} is already inactive")
        self.active = False
        self._touch()

    def _touch(self) -> None:
        self.version += 1
        self.updated_at = now()


@dataclass
class Provider(DirectoryEntry[ProviderDetails]):
    pass


@dataclass
class Advisor(DirectoryEntry[AdvisorDetails]):
    pass


@dataclass
class Offer:
    id: str
    provider_id: str
    details: OfferDetails
    status: OfferStatus = OfferStatus.PUBLISHED
    version: int = 1
    updated_at: datetime = field(default_factory=now)

    def revise(self, details: OfferDetails, expected_version: Expected) -> None:
        check_version(self.version, expected_version)
        if self.status is OfferStatus.WITHDRAWN:
            raise Conflict(f"offer {self.id} is withdrawn and cannot change")
        self.details = details
        self._touch()

    def withdraw(self, expected_version: Expected) -> None:
        check_version(self.version, expected_version)
        if self.status is OfferStatus.WITHDRAWN:
            raise Conflict(f"offer {self.id} is already withdrawn")
        self.status = OfferStatus.WITHDRAWN
        self._touch()

    def _touch(self) -> None:
        self.version += 1
        self.updated_at = now()


@dataclass
class Need:
    """A newcomer's need, pseudonymous: the person's file stays with the advisor."""

    id: str
    reference: str
    advisor_id: str
    details: NeedDetails
    expires_on: date
    case_reference: str | None = None
    status: NeedStatus = NeedStatus.OPEN
    version: int = 1
    updated_at: datetime = field(default_factory=now)

    @staticmethod
    def expiry(retention: timedelta, today: date | None = None) -> date:
        return (today or now().date()) + retention

    def revise(
        self, details: NeedDetails, case_reference: str | None, expected_version: Expected
    ) -> None:
        check_version(self.version, expected_version)
        if self.status is NeedStatus.CLOSED:
            raise Conflict(f"need {self.id} is closed and cannot change")
        self.details = details
        self.case_reference = case_reference
        self._touch()

    def close(self, expected_version: Expected) -> None:
        check_version(self.version, expected_version)
        if self.status is NeedStatus.CLOSED:
            raise Conflict(f"need {self.id} is already closed")
        self.status = NeedStatus.CLOSED
        self._touch()

    def _touch(self) -> None:
        self.version += 1
        self.updated_at = now()

"""What matching knows of offers and needs. No I/O.

Offers and needs carry the contract's details as value objects, exactly as
the catalog published them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lotse_shared.contracts import NeedDetails, NeedStatus, OfferDetails, OfferStatus
from lotse_shared.region import Region

__all__ = ["Context", "Need", "Offer"]


@dataclass(frozen=True)
class Offer:
    id: str
    provider_id: str
    status: OfferStatus
    version: int
    details: OfferDetails


@dataclass(frozen=True)
class Need:
    id: str
    reference: str
    advisor_id: str
    status: NeedStatus
    version: int
    details: NeedDetails


@dataclass(frozen=True)
class Context:
    """What the rules need besides the pair: the day, and where municipalities lie."""

    today: date
    region: Region

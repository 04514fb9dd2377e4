"""What matching knows of offers and needs, and the rules that pair them. No I/O."""

from __future__ import annotations

from dataclasses import dataclass

from lotse_shared.contracts import Category, NeedStatus, OfferStatus
from lotse_shared.region import Region

__all__ = ["Fit", "Need", "Offer", "fit"]


@dataclass(frozen=True)
class Offer:
    id: str
    title: str
    category: Category
    municipality: str
    status: OfferStatus
    version: int


@dataclass(frozen=True)
class Need:
    id: str
    reference: str
    advisor_id: str
    municipality: str
    categories: tuple[Category, ...]
    status: NeedStatus
    version: int


@dataclass(frozen=True)
class Fit:
    """Why an offer fits a need, and how well."""

    score: float
    reasons: tuple[str, ...]


def fit(need: Need, offer: Offer, region: Region) -> Fit | None:
    """The fit of ``offer`` for ``need``, or None when a hard condition fails.

    For now: the offer is published, the need open, the category wanted and
    the offer in the need's municipality. Further conditions extend this.
    """
    if offer.status is not OfferStatus.PUBLISHED or need.status is not NeedStatus.OPEN:
        return None
    if offer.category not in need.categories:
        return None
    if offer.municipality != need.municipality:
        return None
    return Fit(
        score=1.0,
        reasons=(
            f"Gewünschte Kategorie: {offer.category.value}",
            f"Im Wohnort: {region.name_of(offer.municipality)}",
        ),
    )

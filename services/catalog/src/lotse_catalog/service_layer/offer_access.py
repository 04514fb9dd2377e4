"""Who may change an offer, and whether a change of theirs waits for review."""

from __future__ import annotations

from dataclasses import dataclass

from lotse_catalog.domain.errors import Forbidden, InvalidField, NotFound
from lotse_catalog.domain.model import Offer, Provider
from lotse_catalog.domain.review import OfferReview
from lotse_catalog.domain.review_policy import ReviewRules
from lotse_catalog.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import OfferStatus
from lotse_shared.identity import Principal, Role

__all__ = [
    "LockedOffer",
    "Reviewed",
    "active_provider",
    "live",
    "locked_offer",
    "may_change",
    "own_review",
    "requires_review",
]


def _owns(principal: Principal, provider_id: str) -> bool:
    return principal.is_admin or (principal.role is Role.PROVIDER and principal.sub == provider_id)


def may_change(principal: Principal, provider_id: str) -> None:
    if not _owns(principal, provider_id):
        raise Forbidden("providers change only their own offers")


async def active_provider(uow: UnitOfWork, provider_id: str) -> Provider:
    provider = await uow.providers.active(provider_id)
    if provider is None:
        raise InvalidField("provider_id", f"no active provider {provider_id!r}")
    return provider


def live(offer: Offer | None) -> Offer | None:
    """The offer as advisors see it, if it is published."""
    return offer if offer is not None and offer.status is OfferStatus.PUBLISHED else None


@dataclass
class LockedOffer:
    """An offer to change: as published (if it ever was) and its review (if it has one)."""

    id: str
    provider_id: str
    version: int
    """What If-Match is compared with: the published version, else the review's."""
    offer: Offer | None
    review: OfferReview | None

    @property
    def published(self) -> Offer | None:
        return live(self.offer)

    @property
    def open_review(self) -> OfferReview | None:
        return self.review if self.review is not None and self.review.is_open else None


@dataclass(frozen=True)
class Reviewed:
    """A change kept for review: the review, and the offer advisors still see (if any)."""

    review: OfferReview
    published: Offer | None

    @property
    def version(self) -> int:
        """What If-Match for the offer is compared with next."""
        return self.published.version if self.published else self.review.version


async def locked_offer(uow: UnitOfWork, principal: Principal, offer_id: str) -> LockedOffer:
    """The offer and its review, locked, if the caller may change them.

    An offer that was never published is the provider's own business: to
    anyone else it does not exist.
    """
    offer = await uow.offers.get(offer_id, for_update=True)
    review = await uow.reviews.get(offer_id, for_update=True)
    if offer is not None:
        may_change(principal, offer.provider_id)
        return LockedOffer(offer_id, offer.provider_id, offer.version, offer, review)
    if review is None or not _owns(principal, review.provider_id):
        raise NotFound(f"no offer {offer_id}")
    return LockedOffer(offer_id, review.provider_id, review.version, None, review)


async def own_review(uow: UnitOfWork, principal: Principal, offer_id: str) -> OfferReview:
    """An offer's review, for its provider and admins; to anyone else there is none."""
    review = await uow.reviews.get(offer_id)
    if review is None or not _owns(principal, review.provider_id):
        raise NotFound(f"offer {offer_id} has no review")
    return review


async def requires_review(uow: UnitOfWork, rules: ReviewRules, provider_id: str) -> bool:
    """Whether the provider's changes wait for review; counts approvals only if that matters."""
    if not rules.counts_approvals:
        return rules.requires_review()
    return rules.requires_review(await uow.reviews.approved_offers(provider_id))

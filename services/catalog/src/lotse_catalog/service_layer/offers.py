"""Use cases of offers: providers publish, change and withdraw their own.

Where the review policy asks for it, a new offer or a change is kept as a
draft (an :class:`OfferReview`) instead of being published; free places and
withdrawal never wait.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lotse_catalog.domain.errors import Conflict, Forbidden, InvalidField
from lotse_catalog.domain.model import Expected, Offer, check_version, require_municipality
from lotse_catalog.domain.review import OfferReview
from lotse_catalog.domain.review_policy import ReviewRules
from lotse_catalog.domain.revision import author_of, free_places_only, with_free_places
from lotse_catalog.service_layer.events import offer_event
from lotse_catalog.service_layer.offer_access import (
    LockedOffer,
    Reviewed,
    active_provider,
    locked_offer,
    requires_review,
)
from lotse_catalog.service_layer.reviews import publish_closed, publish_now
from lotse_catalog.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import (
    OfferDetails,
    OfferPublished,
    OfferStatus,
    OfferUpdated,
    OfferWithdrawn,
)
from lotse_shared.identity import Principal, Role
from lotse_shared.region import Region

__all__ = [
    "ImportRow",
    "Revision",
    "import_offers",
    "offer_to_change",
    "preview_offer",
    "publish_offer",
    "revise_offer",
    "withdraw_offer",
]

NO_REVIEW = ReviewRules()


def check_region(region: Region, details: OfferDetails) -> None:
    """The venue and every municipality served must belong to the district."""
    require_municipality(region, "location.municipality", details.location.municipality)
    for i, ags in enumerate(details.service_area):
        require_municipality(region, f"service_area[{i}]", ags)


def publishing_provider(principal: Principal, provider_id: str | None) -> str:
    """Providers publish as themselves; admins name the provider they act for."""
    if principal.role is Role.PROVIDER:
        if provider_id not in (None, principal.sub):
            raise Forbidden("providers publish only their own offers")
        return principal.sub
    if principal.is_admin:
        if provider_id is None:
            raise InvalidField("provider_id", "required when an admin publishes an offer")
        return provider_id
    raise Forbidden("only providers and admins publish offers")


async def publish_offer(
    uow: UnitOfWork,
    region: Region,
    principal: Principal,
    details: OfferDetails,
    provider_id: str | None = None,
    review: ReviewRules = NO_REVIEW,
) -> Offer | Reviewed:
    """Publish a new offer, or keep it as a draft for review."""
    owner = publishing_provider(principal, provider_id)
    check_region(region, details)
    offer = Offer(id=str(uuid.uuid4()), provider_id=owner, details=details)
    async with uow:
        await active_provider(uow, owner)
        if await requires_review(uow, review, owner):
            draft = OfferReview.start(offer.id, owner, details, author_of(principal))
            await uow.reviews.add(draft)
            await uow.commit()
            return Reviewed(draft, None)
        await uow.offers.add(offer)
        await uow.publish([offer_event(OfferPublished, offer)])
        await uow.commit()
    return offer


async def preview_offer(
    uow: UnitOfWork,
    region: Region,
    principal: Principal,
    details: OfferDetails,
    provider_id: str | None = None,
) -> str:
    """Every check :func:`publish_offer` makes, storing and publishing nothing.

    Returns the provider the offer would be published for; raises what
    publishing would raise.
    """
    owner = publishing_provider(principal, provider_id)
    check_region(region, details)
    async with uow:  # left without commit: the check reads, never writes
        await active_provider(uow, owner)
    return owner


async def offer_to_change(uow: UnitOfWork, principal: Principal, offer_id: str) -> OfferDetails:
    """What a partial change applies to: the draft or the revision waiting, else the
    published offer."""
    async with uow:
        return _applies_to(await locked_offer(uow, principal, offer_id))


def _applies_to(target: LockedOffer) -> OfferDetails:
    if target.open_review is not None and target.open_review.working_copy is not None:
        return target.open_review.working_copy
    if target.offer is not None:
        return target.offer.details
    assert target.review is not None  # never published: the review is all there is
    target.review.ensure_changeable(None)
    working = target.review.working_copy
    assert working is not None, "a review not withdrawn holds a draft or a revision"
    return working


Revision = OfferDetails | Callable[[OfferDetails], OfferDetails]
"""An offer's new details, or how to make them of what the change applies to (a patch)."""


async def revise_offer(
    uow: UnitOfWork,
    region: Region,
    principal: Principal,
    offer_id: str,
    revision: Revision,
    expected_version: Expected,
    review: ReviewRules = NO_REVIEW,
) -> Offer | Reviewed:
    """Change an offer: free places at once; anything else as a draft where the policy asks
    for review, else published.

    ``expected_version`` is the published offer's version, or for an offer not
    yet published its review's. A patch is applied to what it changes (see
    :func:`offer_to_change`) as read under the lock of this transaction.
    """
    if isinstance(revision, OfferDetails):
        check_region(region, revision)
    async with uow:
        target = await locked_offer(uow, principal, offer_id)
        if target.offer is not None and target.offer.status is OfferStatus.WITHDRAWN:
            raise Conflict(f"offer {offer_id} is withdrawn and cannot change")
        check_version(target.version, expected_version)
        if isinstance(revision, OfferDetails):
            details = revision
        else:
            details = revision(_applies_to(target))
            check_region(region, details)
        result = await _free_places(uow, target, details)
        if result is None:
            result = await _change(uow, review, principal, target, details)
        await uow.commit()
    return result


async def _free_places(
    uow: UnitOfWork, target: LockedOffer, details: OfferDetails
) -> Offer | Reviewed | None:
    """Apply a change of free places only, to the published offer and to what waits alike;
    None when ``details`` changes more."""
    published, waiting = target.published, target.open_review
    base = waiting.working_copy if waiting else None
    base = base or (published.details if published else None)
    if base is None or not free_places_only(base, details):
        return None
    places = details.places_available
    if waiting is not None and waiting.take_free_places(places):
        await uow.reviews.save(waiting)
    else:
        waiting = None
    if published is not None:
        published.revise(with_free_places(published.details, places), expected_version=None)
        await uow.offers.save(published)
        await uow.publish([offer_event(OfferUpdated, published)])
        return published
    return Reviewed(waiting, None) if waiting else None


async def _change(
    uow: UnitOfWork,
    rules: ReviewRules,
    principal: Principal,
    target: LockedOffer,
    details: OfferDetails,
) -> Offer | Reviewed:
    published, review = target.published, target.review
    if await requires_review(uow, rules, target.provider_id):
        if review is None:
            review = OfferReview.start(target.id, target.provider_id, details, author_of(principal))
            await uow.reviews.add(review)
        else:
            waited = review.pending
            review.save(details, author_of(principal), published)
            await uow.reviews.save(review)
            await publish_closed(uow, review, waited, published)
        return Reviewed(review, published)
    if review is not None:
        review.ensure_changeable(published)
    offer = await publish_now(uow, target.id, target.provider_id, published, details)
    if review is not None and review.is_open:
        waited = review.pending
        review.close_published()
        await uow.reviews.save(review)
        await publish_closed(uow, review, waited, offer)
    return offer


async def withdraw_offer(
    uow: UnitOfWork, principal: Principal, offer_id: str, expected_version: Expected
) -> Offer | Reviewed:
    """Withdraw at once, published or not; what waited for review is withdrawn with it."""
    async with uow:
        target = await locked_offer(uow, principal, offer_id)
        check_version(target.version, expected_version)
        result: Offer | Reviewed
        if target.offer is not None:
            result = target.offer
            result.withdraw(expected_version=None)
            await uow.offers.save(result)
            await uow.publish([offer_event(OfferWithdrawn, result)])
        if target.review is not None and (target.offer is None or target.review.is_open):
            waited = target.review.pending
            target.review.withdraw()
            await uow.reviews.save(target.review)
            await publish_closed(uow, target.review, waited, target.offer)
            result = target.offer or Reviewed(target.review, None)
        await uow.commit()
    return result


@dataclass(frozen=True)
class ImportRow:
    """One row of a bulk import: its details, or why they could not be read."""

    number: int
    details: OfferDetails | None
    errors: Sequence[dict[str, str]] = ()


async def import_offers(
    uow: UnitOfWork,
    region: Region,
    principal: Principal,
    rows: Sequence[ImportRow],
    *,
    partial: bool,
    provider_id: str | None = None,
    review: ReviewRules = NO_REVIEW,
) -> tuple[list[Offer] | list[Reviewed], list[ImportRow]]:
    """Publish every valid row in one transaction, or keep each as a draft for review.

    All-or-nothing (the default) stores nothing when any row is invalid;
    partial mode stores the valid rows and reports the others.
    """
    owner = publishing_provider(principal, provider_id)
    checked: list[ImportRow] = []
    for row in rows:
        if row.details is not None:
            try:
                check_region(region, row.details)
            except InvalidField as exc:
                row = ImportRow(row.number, None, [{"field": exc.field, "reason": exc.reason}])
        checked.append(row)
    failed = [r for r in checked if r.details is None]
    if failed and not partial:
        return [], failed
    offers = [
        Offer(id=str(uuid.uuid4()), provider_id=owner, details=r.details)
        for r in checked
        if r.details
    ]
    async with uow:
        await active_provider(uow, owner)
        if await requires_review(uow, review, owner):
            drafts = [
                Reviewed(OfferReview.start(o.id, owner, o.details, author_of(principal)), None)
                for o in offers
            ]
            for draft in drafts:
                await uow.reviews.add(draft.review)
            await uow.commit()
            return drafts, failed
        for offer in offers:
            await uow.offers.add(offer)
        await uow.publish([offer_event(OfferPublished, offer) for offer in offers])
        await uow.commit()
    return offers, failed

"""The hard conditions: each a small pure function, None when it holds, else why not.

Every condition must hold for an offer to be proposed for a need. Ranges
include their ends; an empty list of times of day means any time.
"""

from __future__ import annotations

from collections.abc import Callable

from lotse_matching.domain.geography import distance_km
from lotse_matching.domain.model import Context, Need, Offer
from lotse_shared.contracts import DeliveryMode, Literacy, NeedStatus, OfferStatus

__all__ = ["HARD_CONDITIONS", "Condition", "first_failure", "offer_full", "offer_over"]

Condition = Callable[[Need, Offer, Context], str | None]


def published_and_open(need: Need, offer: Offer, ctx: Context) -> str | None:
    if offer.status is not OfferStatus.PUBLISHED:
        return "withdrawn"
    if need.status is not NeedStatus.OPEN:
        return "need_closed"
    return None


def category_wanted(need: Need, offer: Offer, ctx: Context) -> str | None:
    return None if offer.details.category in need.details.categories else "category"


def reachable(need: Need, offer: Offer, ctx: Context) -> str | None:
    """Same municipality, in the service area, online, or within the travel distance."""
    home = need.details.municipality
    details = offer.details
    if home == details.location.municipality or home in details.service_area:
        return None
    if details.delivery_mode is DeliveryMode.ONLINE:
        return None
    distance = distance_km(need, offer, ctx.region)
    return None if distance is not None and distance <= need.details.max_travel_km else "distance"


def age_in_range(need: Need, offer: Offer, ctx: Context) -> str | None:
    return None if offer.details.age_min <= need.details.age <= offer.details.age_max else "age"


def german_level_in_range(need: Need, offer: Offer, ctx: Context) -> str | None:
    level = need.details.german_level.rank
    lowest, highest = offer.details.german_level_min.rank, offer.details.german_level_max.rank
    return None if lowest <= level <= highest else "german_level"


def literacy(need: Need, offer: Offer, ctx: Context) -> str | None:
    if offer.details.requires_latin_literacy and need.details.literacy is not Literacy.LATIN:
        return "literacy"
    return None


def residence_status_allowed(need: Need, offer: Offer, ctx: Context) -> str | None:
    """An offer that names statuses admits those; an unknown status is left to the eligibility check."""
    allowed = offer.details.residence_statuses
    status = need.details.residence_status
    if not allowed or status is None or status in allowed:
        return None
    return "residence_status"


def times_overlap(need: Need, offer: Offer, ctx: Context) -> str | None:
    wanted, given = set(need.details.times_of_day), set(offer.details.times_of_day)
    return None if not wanted or not given or wanted & given else "times_of_day"


def childcare(need: Need, offer: Offer, ctx: Context) -> str | None:
    return "childcare" if need.details.childcare_needed and not offer.details.childcare else None


def barrier_free(need: Need, offer: Offer, ctx: Context) -> str | None:
    return (
        "barrier_free"
        if need.details.barrier_free_needed and not offer.details.barrier_free
        else None
    )


def capacity(need: Need, offer: Offer, ctx: Context) -> str | None:
    """A free place, a waiting list, or no count given at all."""
    return offer_full(offer)


def offer_full(offer: Offer) -> str | None:
    free = offer.details.places_available
    return "full" if free is not None and free <= 0 and not offer.details.waitlist else None


def offer_over(offer: Offer, ctx: Context) -> str | None:
    """Ended, or too late to apply: the offer fits nobody any more."""
    details = offer.details
    if details.end_date is not None and details.end_date < ctx.today:
        return "ended"
    if details.application_deadline is not None and details.application_deadline < ctx.today:
        return "deadline_passed"
    return None


def dates(need: Need, offer: Offer, ctx: Context) -> str | None:
    details = offer.details
    over = offer_over(offer, ctx)
    if over is not None:
        return over
    earliest = need.details.earliest_start
    if (
        earliest
        and details.start_date
        and not details.rolling_start
        and details.start_date < earliest
    ):
        return "starts_too_early"
    return None


HARD_CONDITIONS: tuple[Condition, ...] = (
    published_and_open,
    category_wanted,
    reachable,
    age_in_range,
    german_level_in_range,
    literacy,
    residence_status_allowed,
    times_overlap,
    childcare,
    barrier_free,
    capacity,
    dates,
)


def first_failure(need: Need, offer: Offer, ctx: Context) -> str | None:
    """The first condition that fails, or None when the offer fits the need."""
    for condition in HARD_CONDITIONS:
        failed = condition(need, offer, ctx)
        if failed is not None:
            return failed
    return None

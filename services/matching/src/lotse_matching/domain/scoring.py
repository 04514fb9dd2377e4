"""How well an offer that fits a need fits it: a score in [0, 1] and the reasons, in German and English."""

from __future__ import annotations

from dataclasses import dataclass

from lotse_matching.domain.geography import distance_km
from lotse_matching.domain.model import Context, Need, Offer
from lotse_shared.contracts import DeliveryMode, GermanLevel

__all__ = ["DEFAULT_WEIGHTS", "Reason", "Weights", "reasons", "score"]


@dataclass(frozen=True)
class Reason:
    """One reason an offer fits, for the advisor: a stable code and the words in both languages."""

    code: str
    de: str
    en: str


@dataclass(frozen=True)
class Weights:
    """How much each aspect counts; only the ratios matter."""

    distance: float = 0.3
    language: float = 0.2
    start: float = 0.15
    level: float = 0.2
    cost: float = 0.15


DEFAULT_WEIGHTS = Weights()


def _distance_fit(need: Need, offer: Offer, ctx: Context) -> float:
    if offer.details.delivery_mode is DeliveryMode.ONLINE:
        return 1.0
    if need.details.municipality == offer.details.location.municipality:
        return 1.0
    distance = distance_km(need, offer, ctx.region)
    if distance is None:
        return 0.5
    return max(0.0, 1.0 - distance / max(need.details.max_travel_km, 1.0))


def _language_fit(need: Need, offer: Offer) -> float:
    spoken = set(need.details.languages)
    if spoken & (
        set(offer.details.support_languages) | set(offer.details.languages_of_instruction)
    ):
        return 1.0
    return 0.7 if need.details.german_level.rank >= GermanLevel.B1.rank else 0.3


def _start_fit(need: Need, offer: Offer, ctx: Context) -> float:
    details = offer.details
    if details.rolling_start:
        return 1.0
    if details.start_date is None:
        return 0.5
    ready = max(ctx.today, need.details.earliest_start or ctx.today)
    wait_days = (details.start_date - ready).days
    return 1.0 if wait_days <= 30 else max(0.0, 1.0 - (wait_days - 30) / 150)


def _level_fit(need: Need, offer: Offer) -> float:
    centre = (offer.details.german_level_min.rank + offer.details.german_level_max.rank) / 2
    return max(0.0, 1.0 - abs(need.details.german_level.rank - centre) / 6)


def _cost_fit(offer: Offer) -> float:
    if offer.details.free_of_charge or offer.details.fee_eur is None:
        return 1.0
    return max(0.0, 1.0 - float(offer.details.fee_eur) / 1000)


def score(need: Need, offer: Offer, ctx: Context, weights: Weights = DEFAULT_WEIGHTS) -> float:
    """A rank in [0, 1] among the offers that fit; rounded so every instance agrees exactly."""
    parts = (
        (weights.distance, _distance_fit(need, offer, ctx)),
        (weights.language, _language_fit(need, offer)),
        (weights.start, _start_fit(need, offer, ctx)),
        (weights.level, _level_fit(need, offer)),
        (weights.cost, _cost_fit(offer)),
    )
    total = sum(w for w, _ in parts)
    return round(sum(w * fit for w, fit in parts) / total, 4) if total else 0.0


def reasons(need: Need, offer: Offer, ctx: Context) -> tuple[Reason, ...]:
    """Why the offer fits, in plain words."""
    details = offer.details
    de, en = details.category.names()
    found = [Reason("category", f"Gewünschte Art: {de}", f"Wanted kind: {en}")]
    home = need.details.municipality
    place = ctx.region.name_of(details.location.municipality)
    if details.delivery_mode is DeliveryMode.ONLINE:
        found.append(Reason("online", "Online, ohne Anfahrt", "Online, no travel"))
    elif home == details.location.municipality:
        found.append(
            Reason("same_municipality", f"Im Wohnort {place}", f"In the home town {place}")
        )
    elif home in details.service_area:
        found.append(
            Reason(
                "service_area",
                f"Für den Wohnort zuständig ({place})",
                f"Serves the home town ({place})",
            )
        )
    else:
        km = distance_km(need, offer, ctx.region) or 0.0
        found.append(
            Reason(
                "distance",
                f"{km:.1f} km entfernt in {place}".replace(".", ","),
                f"{km:.1f} km away in {place}",
            )
        )
    support = sorted(set(need.details.languages) & set(details.support_languages))
    if support:
        codes = ", ".join(support)
        found.append(
            Reason("language_support", f"Unterstützung in: {codes}", f"Support in: {codes}")
        )
    if details.places_available is not None and details.places_available > 0:
        n = details.places_available
        found.append(Reason("places", f"{n} freie Plätze", f"{n} places free"))
    elif details.waitlist:
        found.append(Reason("waitlist", "Warteliste offen", "Waiting list open"))
    if details.rolling_start:
        found.append(Reason("rolling_start", "Einstieg jederzeit", "Join any time"))
    elif details.start_date is not None:
        found.append(
            Reason(
                "start",
                f"Beginn {details.start_date:%d.%m.%Y}",
                f"Starts {details.start_date.isoformat()}",
            )
        )
    if need.details.childcare_needed:
        found.append(Reason("childcare", "Mit Kinderbetreuung", "Childcare offered"))
    if need.details.barrier_free_needed:
        found.append(Reason("barrier_free", "Barrierefrei", "Barrier-free"))
    if details.free_of_charge:
        found.append(Reason("free", "Kostenfrei", "Free of charge"))
    return tuple(found)

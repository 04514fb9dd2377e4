"""Small view models: what a template shows, built from the APIs' answers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lotse_shared.region import Region
from lotse_web import i18n, labels
from lotse_web.i18n import gettext_ as _

__all__ = [
    "MatchView",
    "NeedRow",
    "OfferView",
    "ended_match",
    "match_view",
    "need_row",
    "offer_view",
]

Json = dict[str, Any]


@dataclass(frozen=True)
class NeedRow:
    id: str
    reference: str
    case_reference: str | None
    categories: list[str]
    municipality: str
    status: str
    active: int
    new: int
    expires_on: date


def need_row(need: Json, counts: Json | None, region: Region) -> NeedRow:
    return NeedRow(
        need["id"],
        need["reference"],
        need.get("case_reference"),
        list(need["categories"]),
        region.name_of(need["municipality"]),
        need["status"],
        int((counts or {}).get("active", 0)),
        int((counts or {}).get("new", 0)),
        date.fromisoformat(need["expires_on"]),
    )


def text_in(texts: Json, language: str) -> tuple[str, str]:
    """A text in ``language`` when given, else German: (text, language it is in)."""
    if texts.get(language):
        return str(texts[language]), language
    return str(texts.get("de", "")), "de"


def _km(region: Region, home: str, offer: Json) -> float | None:
    location = offer["location"]
    centre = region.municipalities.get(home)
    if centre is None or offer.get("delivery_mode") == "online":
        return None
    if location["municipality"] == home and location.get("lat") is None:
        return None  # the same town, and no venue to measure to
    there = region.municipalities.get(location["municipality"])
    if location.get("lat") is not None and location.get("lon") is not None:
        lat, lon = float(location["lat"]), float(location["lon"])
    elif there is not None:
        lat, lon = there.lat, there.lon
    else:
        return None
    p1, p2 = math.radians(centre.lat), math.radians(lat)
    dp, dl = p2 - p1, math.radians(lon - centre.lon)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * 6371.0 * math.asin(math.sqrt(a)), 1)


def _place(region: Region, offer: Json) -> str:
    location = offer["location"]
    town = region.name_of(location["municipality"])
    if offer.get("delivery_mode") == "online":
        return _("online")
    return f"{location['address']}, {town}" if location.get("address") else town


def _start(offer: Json) -> str:
    if offer.get("rolling_start"):
        return _("join any time")
    if offer.get("start_date"):
        return _("from %(day)s", day=i18n.day(date.fromisoformat(offer["start_date"])))
    return _("start to be agreed")


def _places(offer: Json) -> str:
    available = offer.get("places_available")
    if available is None:
        return _("places not stated")
    if available > 0:
        return i18n.ngettext_("%(num)d place free", "%(num)d places free", available) % {
            "num": available
        }
    return _("full, waiting list open") if offer.get("waitlist") else _("full")


@dataclass(frozen=True)
class MatchView:
    id: str
    offer_id: str
    title: str
    provider: str
    category: str
    place: str
    distance_km: float | None
    start: str
    score: float
    reasons: list[str]
    eligibility: str
    contact_email: str
    how_to_apply: str | None
    decision: str | None


def match_view(match: Json, offer: Json | None, providers: dict[str, str], need: Json,
               region: Region) -> MatchView:  # fmt: skip
    language = i18n.current().code
    reasons = [r.get(language) or r.get("de", "") for r in match.get("reasons", [])]
    if offer is None:  # the catalog no longer has it: show what matching knows
        return MatchView(match["id"], match["offer_id"], _("(offer no longer listed)"), "", "",
                         "", None, "", float(match["score"]), reasons, match["eligibility"],
                         "", None, match.get("decision"))  # fmt: skip
    return MatchView(
        match["id"],
        match["offer_id"],
        text_in(offer["title"], language)[0],
        providers.get(offer["provider_id"]) or offer["provider_id"],
        offer["category"],
        _place(region, offer),
        _km(region, need["municipality"], offer),
        _start(offer),
        float(match["score"]),
        reasons,
        match["eligibility"],
        offer["contact_email"],
        offer.get("how_to_apply"),
        match.get("decision"),
    )


@dataclass(frozen=True)
class EndedMatch:
    offer_id: str
    title: str
    ended_because: str
    ended_at: datetime | None


def ended_match(match: Json, offer: Json | None) -> EndedMatch:
    language = i18n.current().code
    title = text_in(offer["title"], language)[0] if offer else _("(offer no longer listed)")
    reason = match.get("invalidation_reason") or ""
    because = (
        _("you declined it")
        if match.get("decision") == "declined"
        else _(labels.INVALIDATION_REASONS.get(reason, reason))
    )
    ended_at = match.get("invalidated_at") or match.get("decided_at")
    return EndedMatch(
        match["offer_id"], title, because, datetime.fromisoformat(ended_at) if ended_at else None
    )


@dataclass(frozen=True)
class OfferView:
    id: str
    title: str
    title_lang: str
    description: str
    description_lang: str
    category: str
    provider: str
    place: str
    delivery: str
    start: str
    times: str
    deadline: date | None
    audience: str
    languages: str
    places: str
    cost: str
    access: str
    contact_email: str
    how_to_apply: str | None
    withdrawn: bool


_DELIVERY = {
    "in_person": labels.N_("in person"),
    "online": labels.N_("online"),
    "hybrid": labels.N_("in person and online"),
}


def _language_names(codes: list[str]) -> str:
    names = i18n.locale().languages
    return ", ".join(str(names.get(c, c)) for c in codes)


def offer_view(offer: Json, providers: dict[str, str], region: Region) -> OfferView:
    language = i18n.current().code
    title, title_lang = text_in(offer["title"], language)
    description, description_lang = text_in(offer["description"], language)
    low, high = offer.get("age_min", 0), offer.get("age_max", 120)
    ages = (
        _("all ages")
        if (low, high) == (0, 120)
        else _("ages %(low)d to %(high)d", low=low, high=high)
    )
    least, most = offer.get("german_level_min", "A0"), offer.get("german_level_max", "C2")
    levels = (
        _("any German level")
        if (least, most) == ("A0", "C2")
        else _("German %(least)s to %(most)s", least=least, most=most)
    )
    audience = f"{ages}, {levels}"
    if offer.get("requires_latin_literacy"):
        audience += ", " + _("reading and writing Latin script")
    support = offer.get("support_languages") or []
    languages = _language_names(offer.get("languages_of_instruction") or ["de"])
    if support:
        languages += "; " + _("support in %(languages)s", languages=_language_names(support))
    if offer.get("free_of_charge"):
        cost = _("free of charge")
    elif offer.get("fee_eur") is not None:
        cost = _("%(fee)s euros", fee=i18n.number(float(offer["fee_eur"])))
    else:
        cost = _("fee, ask the provider")
    access = ", ".join(
        [_("barrier-free") if offer.get("barrier_free") else _("not stated as barrier-free")]
        + ([_("with childcare")] if offer.get("childcare") else [])
    )
    times = ", ".join(_(labels.TIMES_OF_DAY[t]) for t in offer.get("times_of_day") or [])
    return OfferView(
        offer["id"], title, title_lang, description, description_lang, offer["category"],
        providers.get(offer["provider_id"]) or offer["provider_id"], _place(region, offer),
        _(_DELIVERY.get(offer.get("delivery_mode", "in_person"), "in_person")), _start(offer),
        times,
        date.fromisoformat(offer["application_deadline"]) if offer.get("application_deadline") else None,
        audience, languages, _places(offer), cost, access, offer["contact_email"],
        offer.get("how_to_apply"), offer.get("status") == "withdrawn",
    )  # fmt: skip

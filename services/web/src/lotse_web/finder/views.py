"""What the finder's pages show of an offer, in the visitor's language.

An offer's own texts are shown in the visitor's language when the provider gave
one, otherwise in German, marked as German. Who may join is said in words, from
the offer's data and the eligibility rules in force.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from babel import Locale

from lotse_shared.region import Region
from lotse_web.finder import languages
from lotse_web.finder.languages import bdi
from lotse_web.finder.languages import gettext_ as _
from lotse_web.finder.words import (
    DELIVERY,
    ENTITLEMENTS,
    KINDS,
    LEVELS,
    RESIDENCE,
    RULE_HINTS,
    TARGET_GROUPS,
    TIMES,
)

__all__ = [
    "OfferCard",
    "OfferPage",
    "Text",
    "offer_card",
    "offer_page",
    "rules_in_words",
    "text_of",
]

Json = dict[str, Any]


@dataclass(frozen=True)
class Text:
    """A provider's text and the language it is in; ``fallback`` when not the visitor's."""

    value: str
    lang: str
    fallback: bool


def text_of(texts: Json) -> Text:
    variant = languages.current()
    wanted = variant.text_language
    if texts.get(wanted):
        # Providers write German, not Leichte Sprache: say so on the easy-German pages.
        return Text(str(texts[wanted]), wanted, variant.code == "ls")
    return Text(str(texts.get("de", "")), "de", True)


@dataclass(frozen=True)
class OfferCard:
    id: str
    title: Text
    kind: str
    provider: str
    place: str
    when: str
    cost: str


@dataclass(frozen=True)
class OfferPage:
    card: OfferCard
    description: Text
    who: list[str]
    times: list[str]
    dates: list[str]
    address: str
    delivery: str
    barrier_free: bool
    childcare: bool
    places: str
    how_to_apply: Text | None
    contact_email: str
    languages: list[str]


def _cost(offer: Json) -> str:
    if offer["free_of_charge"]:
        return _("Free of charge")
    return _("Costs %(fee)s", fee=bdi(languages.euros(offer["fee_eur"])))


def _when(offer: Json) -> str:
    if offer.get("rolling_start"):
        return _("You can start at any time")
    if offer.get("start_date"):
        return _("Starts on %(day)s", day=bdi(languages.day(offer["start_date"])))
    return _("Ask for the dates")


def offer_card(offer: Json, region: Region) -> OfferCard:
    return OfferCard(
        id=offer["id"],
        title=text_of(offer["title"]),
        kind=_(KINDS[offer["category"]]),
        provider=offer.get("provider_name", ""),
        place=region.name_of(offer["location"]["municipality"]),
        when=_when(offer),
        cost=_cost(offer),
    )


def _listing(items: Iterable[str]) -> str:
    return _(", ").join(items)


def who_may_join(offer: Json, rules: Iterable[Json]) -> list[str]:
    """Who can take part, sentence by sentence, from the offer and the rules in force."""
    said: list[str] = []
    low, high = offer["age_min"], offer["age_max"]
    if low > 0 and high < 120:
        said.append(_("For people from %(low)s to %(high)s years.",
                      low=bdi(languages.number(low)), high=bdi(languages.number(high))))  # fmt: skip
    elif low > 0:
        said.append(_("For people aged %(low)s and older.", low=bdi(languages.number(low))))
    elif high < 120:
        said.append(_("For people up to %(high)s years.", high=bdi(languages.number(high))))
    else:
        said.append(_("For people of every age."))
    lo, hi = offer["german_level_min"], offer["german_level_max"]
    if lo == "A0" and hi == "C2":
        said.append(_("You can join with any German, also with none."))
    else:
        said.append(
            _("Your German: from %(low)s to %(high)s.", low=_(LEVELS[lo]), high=_(LEVELS[hi]))
        )
    if offer.get("requires_latin_literacy"):
        said.append(_("You need to read and write the Latin alphabet."))
    if groups := [g for g in offer.get("target_groups", ()) if g in TARGET_GROUPS]:
        said.append(
            _("Meant for %(groups)s.", groups=_listing(_(TARGET_GROUPS[g]) for g in groups))
        )
    if statuses := [s for s in offer.get("residence_statuses", ()) if s in RESIDENCE]:
        said.append(_("Open to %(who)s.", who=_listing(_(RESIDENCE[s]) for s in statuses)))
    if (entitlement := offer.get("entitlement_required")) in ENTITLEMENTS:
        said.append(_(ENTITLEMENTS[entitlement]))
    return said + rules_in_words(offer["category"], rules, statuses)


def rules_in_words(
    category: str, rules: Iterable[Json], among: list[str] | None = None
) -> list[str]:
    """What the eligibility rules in force say of a kind of offer, one sentence a rule;
    with ``among``, only of those residence statuses."""
    said = []
    for rule in rules:
        if rule["category"] == category and rule["hint"] in RULE_HINTS:
            who = [s for s in rule["residence_statuses"] if s in RESIDENCE]
            if among:
                who = [s for s in who if s in among]
            if who:
                said.append(_(RULE_HINTS[rule["hint"]], who=_listing(_(RESIDENCE[s]) for s in who)))
    return said


def _places(offer: Json) -> str:
    free = offer.get("places_available")
    if free is None:
        return _("Ask the provider about free places.")
    if free > 0:
        return _("Places free: %(count)s", count=bdi(languages.number(free)))
    if offer.get("waitlist"):
        return _("Full at the moment; you can join the waiting list.")
    return _("Full at the moment.")


def _dates(offer: Json) -> list[str]:
    dates = []
    if offer.get("start_date") and not offer.get("rolling_start"):
        dates.append(_("First day: %(day)s", day=bdi(languages.day(offer["start_date"]))))
    if offer.get("end_date"):
        dates.append(_("Last day: %(day)s", day=bdi(languages.day(offer["end_date"]))))
    if offer.get("application_deadline"):
        dates.append(_("Apply by: %(day)s", day=bdi(languages.day(offer["application_deadline"]))))
    return dates


def _spoken(offer: Json) -> list[str]:
    return list(dict.fromkeys((*offer["languages_of_instruction"], *offer["support_languages"])))


def _language_name(code: str) -> str:
    name = Locale.parse(languages.current().locale).languages.get(code)
    return str(name) if name else code


def offer_page(offer: Json, region: Region, rules: Iterable[Json]) -> OfferPage:
    location = offer["location"]
    apply = offer.get("how_to_apply")
    place = region.name_of(location["municipality"])
    return OfferPage(
        card=offer_card(offer, region),
        description=text_of(offer["description"]),
        who=who_may_join(offer, rules),
        times=[_(TIMES[t]) for t in offer.get("times_of_day", ()) if t in TIMES],
        dates=_dates(offer),
        address=", ".join(filter(None, (location.get("address"), place))),
        delivery=_(DELIVERY.get(offer.get("delivery_mode", "in_person"), DELIVERY["in_person"])),
        barrier_free=bool(offer.get("barrier_free")),
        childcare=bool(offer.get("childcare")),
        places=_places(offer),
        how_to_apply=text_of({"de": apply}) if apply else None,
        contact_email=offer["contact_email"],
        languages=[_language_name(c) for c in _spoken(offer)],
    )

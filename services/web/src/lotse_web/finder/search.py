"""The finder's search: what a visitor asked for, checked, and the offers that fit it.

Pure functions over the published set; a bad value is reported by field and
changes nothing (the search runs without it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lotse_web.finder.words import KINDS, LEVELS, N_, TIMES

__all__ = ["FinderQuery", "parse_query", "search"]

Json = dict[str, Any]
RANKS = {code: rank for rank, code in enumerate(LEVELS)}
FLAGS = ("free", "childcare", "barrier_free")


@dataclass(frozen=True)
class FinderQuery:
    text: str = ""
    kind: str = ""
    municipality: str = ""
    age: int | None = None
    level: str = ""
    time: str = ""
    language: str = ""
    free: bool = False
    childcare: bool = False
    barrier_free: bool = False
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)  # field -> message id
    raw: dict[str, str] = field(default_factory=dict)  # what was sent, to show it again

    @property
    def any(self) -> bool:
        return any(self.raw.get(k) for k in self.raw if k != "page")


def parse_query(params: Mapping[str, str], municipalities: Iterable[str]) -> FinderQuery:
    """The query from a search form's GET parameters; unknown values become field errors."""
    raw = {k: params.get(k, "").strip()[:100] for k in (
        "q", "kind", "municipality", "age", "level", "time", "language", "page", *FLAGS)}  # fmt: skip
    errors: dict[str, str] = {}
    age: int | None = None
    if raw["age"]:
        if raw["age"].isdigit() and int(raw["age"]) <= 120:
            age = int(raw["age"])
        else:
            errors["age"] = N_("Enter the age as a number of years, from 0 to 120.")
    choices = {"kind": KINDS, "level": LEVELS, "time": TIMES}
    for name, known in choices.items():
        if raw[name] and raw[name] not in known:
            errors[name] = N_("Choose one of the options in the list.")
    if raw["municipality"] and raw["municipality"] not in set(municipalities):
        errors["municipality"] = N_("Choose one of the options in the list.")
    if raw["language"] and not (raw["language"].isalpha() and len(raw["language"]) <= 3):
        errors["language"] = N_("Choose one of the options in the list.")
    page = int(raw["page"]) if raw["page"].isdigit() and 0 < int(raw["page"]) < 1000 else 1

    def ok(name: str) -> str:
        return "" if name in errors else raw[name]

    return FinderQuery(
        text=raw["q"].casefold(),
        kind=ok("kind"),
        municipality=ok("municipality"),
        age=age,
        level=ok("level"),
        time=ok("time"),
        language=ok("language"),
        page=page,
        errors=errors,
        raw=raw,
        **{flag: raw[flag] == "on" for flag in FLAGS},
    )


def _reaches(offer: Json, municipality: str) -> bool:
    return (
        offer["location"]["municipality"] == municipality
        or municipality in offer.get("service_area", ())
        or offer.get("delivery_mode") in ("online", "hybrid")
    )


def _has_text(offer: Json, text: str) -> bool:
    return any(
        text in t.casefold() for t in (*offer["title"].values(), offer.get("provider_name", ""))
    )


def fits(offer: Json, query: FinderQuery, today: date) -> bool:
    if query.kind and offer["category"] != query.kind:
        return False
    if query.municipality and not _reaches(offer, query.municipality):
        return False
    if query.age is not None and not offer["age_min"] <= query.age <= offer["age_max"]:
        return False
    if query.level and not (
        RANKS[offer["german_level_min"]] <= RANKS[query.level] <= RANKS[offer["german_level_max"]]
    ):
        return False
    if query.time and offer["times_of_day"] and query.time not in offer["times_of_day"]:
        return False
    if query.language and query.language not in (
        *offer["languages_of_instruction"],
        *offer["support_languages"],
    ):
        return False
    if (query.free and not offer["free_of_charge"]) or (query.childcare and not offer["childcare"]):
        return False
    if query.barrier_free and not offer["barrier_free"]:
        return False
    end = offer.get("end_date")
    if end and end < today.isoformat():  # ISO days order as strings do
        return False
    return not query.text or _has_text(offer, query.text)


def search(offers: Iterable[Json], query: FinderQuery, today: date) -> list[Json]:
    """The offers that fit, in the order given (the published set comes soonest first)."""
    return [o for o in offers if fits(o, query, today)]

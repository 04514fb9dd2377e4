"""Events on ``lotse.offers``: the full current state of an offer.

Fields follow Open Referral HSDS and schema.org CourseInstance where they can.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar, Self

from pydantic import AfterValidator, EmailStr, Field, StringConstraints, model_validator

from lotse_shared.contracts.base import Event, Payload
from lotse_shared.contracts.domain import (
    AGS,
    Category,
    DeliveryMode,
    GermanLevel,
    Language,
    OfferStatus,
    ResidenceStatus,
    TimeOfDay,
)
from lotse_shared.contracts.topics import OFFERS

__all__ = [
    "INTEGRATION_COURSE_TYPES",
    "Location",
    "OfferDetails",
    "OfferEvent",
    "OfferPublished",
    "OfferUpdated",
    "OfferWithdrawn",
]

INTEGRATION_COURSE_TYPES = frozenset(
    {"general", "youth", "parents", "women", "literacy", "second_script", "intensive"}
)


def _german_required(texts: dict[str, str]) -> dict[str, str]:
    if "de" not in texts:
        raise ValueError("a German text ('de') is required")
    return texts


Title = Annotated[
    dict[
        Language,
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)],
    ],
    AfterValidator(_german_required),
    Field(max_length=12),
]
Description = Annotated[
    dict[
        Language,
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)],
    ],
    AfterValidator(_german_required),
    Field(max_length=12),
]
Token = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]


class Location(Payload):
    """Where an offer takes place."""

    municipality: AGS = Field(description="AGS of the municipality of the venue.")
    address: str | None = Field(
        default=None,
        max_length=200,
        description="Street and number of the venue.",
        examples=["Rathausstraße 31"],
    )
    lat: float | None = Field(
        default=None, ge=-90, le=90, description="Latitude (WGS 84).", examples=[51.4446]
    )
    lon: float | None = Field(
        default=None, ge=-180, le=180, description="Longitude (WGS 84).", examples=[7.5653]
    )

    @model_validator(mode="after")
    def _both_coordinates_or_none(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        return self


class OfferDetails(Payload):
    """What a provider says about an offer: everything except identity, status and version."""

    title: Title = Field(
        description="Title by language; German required.", examples=[{"de": "Integrationskurs"}]
    )
    description: Description = Field(
        description="Description by language; German required.",
        examples=[{"de": "Allgemeiner Integrationskurs mit 700 Unterrichtsstunden."}],
    )
    category: Category = Field(description="Kind of offer.", examples=["integration_course"])
    subcategory: Token | None = Field(
        default=None,
        description="Finer kind; for integration courses one of general, youth, parents, women, "
        "literacy, second_script, intensive.",
        examples=["general"],
    )
    location: Location = Field(
        examples=[{"municipality": "05978028", "address": "Rathausstraße 31"}],
        description="Where the offer takes place.",
    )
    delivery_mode: DeliveryMode = Field(
        examples=["in_person"],
        default=DeliveryMode.IN_PERSON,
        description="in_person, online or hybrid.",
    )
    service_area: list[AGS] = Field(
        default_factory=list,
        max_length=100,
        description="Municipalities whose residents the offer serves besides its own.",
        examples=[["05978036"]],
    )
    age_min: int = Field(
        examples=[16], default=0, ge=0, le=120, description="Youngest age admitted (inclusive)."
    )
    age_max: int = Field(
        examples=[99], default=120, ge=0, le=120, description="Oldest age admitted (inclusive)."
    )
    german_level_min: GermanLevel = Field(
        examples=["A1"],
        default=GermanLevel.A0,
        description="Lowest German level admitted (inclusive).",
    )
    german_level_max: GermanLevel = Field(
        examples=["B1"],
        default=GermanLevel.C2,
        description="Highest German level admitted (inclusive).",
    )
    requires_latin_literacy: bool = Field(
        examples=[False],
        default=False,
        description="Participants must read and write the Latin script.",
    )
    target_groups: list[Token] = Field(
        default_factory=list,
        max_length=20,
        description="Groups the offer is meant for.",
        examples=[["women"]],
    )
    residence_statuses: list[ResidenceStatus] = Field(
        examples=[["recognised_protection", "temporary_protection"]],
        default_factory=list,
        max_length=10,
        description="Residence statuses admitted; empty means any.",
    )
    entitlement_required: Token | None = Field(
        default=None,
        description="An entitlement participants need, e.g. bamf_admission.",
        examples=["bamf_admission"],
    )
    languages_of_instruction: list[Language] = Field(
        examples=[["de"]],
        default_factory=lambda: ["de"],
        min_length=1,
        max_length=10,
        description="Languages taught in.",
    )
    support_languages: list[Language] = Field(
        default_factory=list,
        max_length=20,
        description="Languages in which participants get help.",
        examples=[["ar", "uk"]],
    )
    times_of_day: list[TimeOfDay] = Field(
        examples=[["morning", "evening"]],
        default_factory=list,
        max_length=4,
        description="When it takes place; empty means flexible.",
    )
    start_date: date | None = Field(examples=["2027-01-11"], default=None, description="First day.")
    end_date: date | None = Field(examples=["2027-07-30"], default=None, description="Last day.")
    rolling_start: bool = Field(
        examples=[False], default=False, description="Participants can join at any time."
    )
    application_deadline: date | None = Field(
        examples=["2027-01-04"], default=None, description="Last day to apply."
    )
    places_total: int | None = Field(
        examples=[20], default=None, ge=0, le=100_000, description="Places in all."
    )
    places_available: int | None = Field(
        examples=[4], default=None, ge=0, le=100_000, description="Places still free."
    )
    waitlist: bool = Field(
        examples=[True],
        default=False,
        description="A waiting list takes people when no place is free.",
    )
    free_of_charge: bool = Field(
        examples=[True], default=True, description="Participation costs nothing."
    )
    fee_eur: Decimal | None = Field(
        examples=["120.00"],
        default=None,
        ge=0,
        le=100_000,
        max_digits=8,
        decimal_places=2,
        description="Fee in euros when not free.",
    )
    childcare: bool = Field(
        examples=[True], default=False, description="Childcare is offered during the offer."
    )
    barrier_free: bool = Field(
        examples=[True], default=False, description="The venue is accessible without barriers."
    )
    contact_email: EmailStr = Field(
        description="A role mailbox of the provider (never a person's private address).",
        examples=["integrationskurse@vhs-schwerte.example"],
    )
    how_to_apply: str | None = Field(
        default=None,
        max_length=2000,
        description="How to apply.",
        examples=["Anmeldung im Bürgerbüro"],
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.age_min > self.age_max:
            raise ValueError("age_min must not exceed age_max")
        if self.german_level_min.rank > self.german_level_max.rank:
            raise ValueError("german_level_min must not exceed german_level_max")
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValueError("start_date must not be after end_date")
        if (
            self.application_deadline
            and self.end_date
            and self.application_deadline > self.end_date
        ):
            raise ValueError("application_deadline must not be after end_date")
        if (
            self.places_total is not None
            and self.places_available is not None
            and self.places_available > self.places_total
        ):
            raise ValueError("places_available must not exceed places_total")
        if not self.free_of_charge and self.fee_eur is None:
            raise ValueError("fee_eur is required when the offer is not free_of_charge")
        if self.free_of_charge and self.fee_eur:
            raise ValueError("a free_of_charge offer has no fee_eur")
        if (
            self.category is Category.INTEGRATION_COURSE
            and self.subcategory is not None
            and self.subcategory not in INTEGRATION_COURSE_TYPES
        ):
            raise ValueError(
                f"subcategory of an integration course must be one of {', '.join(sorted(INTEGRATION_COURSE_TYPES))}"
            )
        return self


class OfferEvent(OfferDetails, Event):
    """The state of an offer after a change."""

    topic: ClassVar = OFFERS

    offer_id: str = Field(
        examples=["7d3c1f7e-4b1a-4c55-9a53-2f1b8f4f6a10"],
        description="Stable id of the offer (UUID).",
    )
    provider_id: str = Field(
        examples=["vhs-schwerte"], description="Id of the provider that runs the offer."
    )
    status: OfferStatus = Field(examples=["published"], description="published or withdrawn.")
    version: int = Field(
        examples=[3], ge=1, description="Increases by one with every change of the offer."
    )
    updated_at: datetime = Field(
        examples=["2026-11-28T09:30:00Z"], description="When this state was recorded (UTC)."
    )

    def key(self) -> str:
        return self.offer_id


class OfferPublished(OfferEvent):
    """A provider published a new offer."""

    event_type: ClassVar = "lotse.offer.published.v1"


class OfferUpdated(OfferEvent):
    """A published offer changed (including its free places)."""

    event_type: ClassVar = "lotse.offer.updated.v1"


class OfferWithdrawn(OfferEvent):
    """The provider withdrew the offer; it no longer takes anyone."""

    event_type: ClassVar = "lotse.offer.withdrawn.v1"

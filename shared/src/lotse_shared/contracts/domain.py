"""Value types that several events share."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

__all__ = [
    "AGS",
    "Category",
    "DeliveryMode",
    "GermanLevel",
    "Language",
    "Literacy",
    "NeedStatus",
    "OfferStatus",
    "ResidenceStatus",
    "TimeOfDay",
]


AGS = Annotated[
    str,
    Field(
        pattern=r"^\d{8}$",
        description="Amtlicher Gemeindeschlüssel of a municipality (8 digits).",
        examples=["05978028"],
    ),
]

Language = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2,3}$"),
    Field(description="ISO 639 language code.", examples=["ar"]),
]


class Category(StrEnum):
    """What kind of offer it is, or what kind of offer a need asks for."""

    INTEGRATION_COURSE = "integration_course"
    LANGUAGE_COURSE = "language_course"
    VOCATIONAL_LANGUAGE_COURSE = "vocational_language_course"
    SCHOOL_PLACE = "school_place"
    VOCATIONAL_TRAINING = "vocational_training"
    RECOGNITION = "recognition"
    COUNSELLING = "counselling"
    QUALIFICATION = "qualification"
    LEISURE = "leisure"
    CHILDCARE = "childcare"

    def names(self) -> tuple[str, str]:
        """What people call this kind of offer: (German, English)."""
        return _CATEGORY_NAMES[self]


_CATEGORY_NAMES = {
    Category.INTEGRATION_COURSE: ("Integrationskurs", "integration course"),
    Category.LANGUAGE_COURSE: ("Sprachkurs", "language course"),
    Category.VOCATIONAL_LANGUAGE_COURSE: ("Berufssprachkurs", "vocational language course"),
    Category.SCHOOL_PLACE: ("Schulplatz", "school place"),
    Category.VOCATIONAL_TRAINING: ("Ausbildung", "vocational training"),
    Category.RECOGNITION: ("Anerkennung", "recognition of qualifications"),
    Category.COUNSELLING: ("Beratung", "counselling"),
    Category.QUALIFICATION: ("Qualifizierung", "qualification"),
    Category.LEISURE: ("Freizeit", "leisure"),
    Category.CHILDCARE: ("Kinderbetreuung", "childcare"),
}


class GermanLevel(StrEnum):
    """CEFR level of German; A0 means none. Ordered: compare with :meth:`rank`."""

    A0 = "A0"
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"

    @property
    def rank(self) -> int:
        return _LEVEL_RANKS[self]


_LEVEL_RANKS = {level: n for n, level in enumerate(GermanLevel)}


class Literacy(StrEnum):
    LATIN = "latin"
    OTHER_SCRIPT = "other_script"
    NONE = "none"


class ResidenceStatus(StrEnum):
    """A coarse residence category; never a document or a case file."""

    ASYLUM_SEEKER = "asylum_seeker"
    RECOGNISED_PROTECTION = "recognised_protection"
    TEMPORARY_PROTECTION = "temporary_protection"
    TOLERATED = "tolerated"
    EU_CITIZEN = "eu_citizen"
    RESIDENCE_PERMIT = "residence_permit"
    SETTLED = "settled"
    OTHER = "other"


class TimeOfDay(StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    WEEKEND = "weekend"


class DeliveryMode(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class OfferStatus(StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class NeedStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

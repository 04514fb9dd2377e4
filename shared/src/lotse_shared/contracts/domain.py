"""Value types that several events share."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

__all__ = ["AGS", "Category", "NeedStatus", "OfferStatus"]


AGS = Annotated[
    str,
    Field(
        pattern=r"^\d{8}$",
        description="Amtlicher Gemeindeschlüssel of a municipality (8 digits).",
        examples=["05978028"],
    ),
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


class OfferStatus(StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class NeedStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

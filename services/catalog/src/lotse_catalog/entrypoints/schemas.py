"""Request and response bodies of the catalog API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from lotse_shared.contracts import Category, NeedStatus, OfferStatus

__all__ = [
    "AdvisorCreate",
    "AdvisorPublic",
    "NeedCreate",
    "NeedPublic",
    "OfferCreate",
    "OfferPublic",
]

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
Ags = Annotated[
    str, Field(pattern=r"^\d{8}$", description="AGS of a municipality.", examples=["05978028"])
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AdvisorCreate(_Request):
    id: Id | None = Field(
        default=None, description="Own id; generated when absent.", examples=["adv-schwerte-1"]
    )
    name: Annotated[
        Text, Field(max_length=120, description="Display name.", examples=["Aylin Demir"])
    ]
    email: EmailStr = Field(
        description="Work address for match emails.", examples=["a.demir@ki-unna.example"]
    )


class AdvisorPublic(BaseModel):
    id: str
    name: str
    email: str
    active: bool
    version: int
    updated_at: datetime


class OfferCreate(_Request):
    title: Annotated[
        Text,
        Field(
            max_length=200, description="Title in German.", examples=["Integrationskurs allgemein"]
        ),
    ]
    category: Category = Field(description="Kind of offer.", examples=["integration_course"])
    municipality: Ags
    provider_id: Id | None = Field(
        default=None, description="Provider that runs the offer.", examples=["vhs-schwerte"]
    )


class OfferPublic(BaseModel):
    id: str
    provider_id: str | None
    title: str
    category: Category
    municipality: str
    status: OfferStatus
    version: int
    updated_at: datetime


class NeedCreate(_Request):
    advisor_id: Id = Field(description="Advisor who owns the need.", examples=["adv-schwerte-1"])
    municipality: Ags
    categories: list[Category] = Field(
        min_length=1,
        max_length=10,
        description="Kinds of offer wanted.",
        examples=[["language_course"]],
    )
    case_reference: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None
    ) = Field(
        default=None,
        description="The advisor's own case reference; stays in the catalog, never published.",
        examples=["MBE-2026-0412"],
    )


class NeedPublic(BaseModel):
    id: str
    reference: str
    advisor_id: str
    municipality: str
    categories: list[Category]
    case_reference: str | None
    status: NeedStatus
    version: int
    updated_at: datetime

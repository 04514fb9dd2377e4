"""Request and response bodies of the catalog API.

Requests reuse the contract models with unknown fields forbidden (a typo is
an error, not silently dropped); responses add identity, status and version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from lotse_catalog.domain.personal_data import PERSONAL_FIELDS
from lotse_shared.contracts import (
    AdvisorDetails,
    Location,
    NeedDetails,
    NeedStatus,
    NotificationPreference,
    OfferDetails,
    OfferStatus,
    ProviderDetails,
)

__all__ = [
    "AdvisorIn",
    "AdvisorPreferencesPatch",
    "AdvisorPublic",
    "ImportFailure",
    "ImportReport",
    "NeedIn",
    "NeedPublic",
    "NeedsPublic",
    "OfferDraft",
    "OfferIn",
    "OfferPreview",
    "OfferPublic",
    "OffersPublic",
    "ProviderIn",
    "ProviderPublic",
    "PublishedOfferPublic",
    "PublishedOffersPublic",
]

_FORBID = ConfigDict(extra="forbid", frozen=True)

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$"),
    Field(
        description="Own id (letters, digits, . _ -); generated when absent.",
        examples=["vhs-schwerte"],
    ),
]
CaseReference = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w./#:-]+$"),
]
_ID = "Own id (letters, digits, . _ -); generated when absent."
_CASE = "The advisor's own case reference; stays in the catalog and is never published."


class LocationIn(Location):
    model_config = _FORBID


class NotificationPreferenceIn(NotificationPreference):
    model_config = _FORBID


class ProviderIn(ProviderDetails):
    """A provider to register, or its new details."""

    model_config = _FORBID
    id: Id | None = Field(default=None, description=_ID, examples=["vhs-schwerte"])


class AdvisorIn(AdvisorDetails):
    """An advisor to register, or their new details."""

    model_config = _FORBID
    id: Id | None = Field(default=None, description=_ID, examples=["adv-schwerte-1"])
    notifications: NotificationPreferenceIn = Field(
        default_factory=NotificationPreferenceIn,
        description="How the advisor hears about matches.",
        examples=[{"mode": "immediate", "digest_hour": 8, "min_score": 0.3}],
    )


class AdvisorPreferencesPatch(BaseModel):
    """What advisors change about themselves, as a JSON Merge Patch: only what is sent
    changes (also inside `notifications`); null resets a field to its default."""

    model_config = _FORBID
    language: Literal["de", "en"] | None = Field(
        default=None, description="Language of the emails.", examples=["en"]
    )
    notifications: NotificationPreferenceIn | None = Field(
        default=None,
        description="How the advisor hears about matches; fields not sent stay as they are.",
        examples=[{"mode": "daily_digest", "digest_hour": 7}],
    )


class OfferIn(OfferDetails):
    """An offer as a provider describes it."""

    model_config = _FORBID
    location: LocationIn = Field(
        description="Where the offer takes place.",
        examples=[{"municipality": "05978028", "address": "Rathausstraße 31"}],
    )
    provider_id: Id | None = Field(
        default=None,
        description="Only for admins acting for a provider; providers publish as themselves.",
        examples=["vhs-schwerte"],
    )


class NeedIn(NeedDetails):
    """A need as an advisor records it: coarse categories, no personal data."""

    model_config = _FORBID
    case_reference: CaseReference | None = Field(
        default=None, description=_CASE, examples=["MBE-2026-0412"]
    )

    @model_validator(mode="before")
    @classmethod
    def _no_personal_data(cls, data: Any) -> Any:
        if isinstance(data, dict):
            named = sorted(PERSONAL_FIELDS & set(data))
            if named:
                raise ValueError(
                    f"{', '.join(named)}: personal data is never stored in a need; "
                    "keep it in the case file and use case_reference"
                )
        return data


def _id(example: str) -> Any:
    return Field(description="Stable id.", examples=[example])


_ACTIVE = Field(description="False once deactivated.", examples=[True])
_VERSION = Field(
    description="Increases with every change; If-Match sends it back as the ETag.", examples=[2]
)
_UPDATED = Field(
    description="When this state was recorded (UTC).", examples=["2026-11-28T09:30:00Z"]
)


class ProviderPublic(ProviderDetails):
    id: str = _id("vhs-schwerte")
    active: bool = _ACTIVE
    version: int = _VERSION
    updated_at: datetime = _UPDATED


class AdvisorPublic(AdvisorDetails):
    id: str = _id("adv-schwerte-1")
    active: bool = _ACTIVE
    version: int = _VERSION
    updated_at: datetime = _UPDATED


class OfferPublic(OfferDetails):
    id: str = _id("7d3c1f7e-4b1a-4c55-9a53-2f1b8f4f6a10")
    provider_id: str = Field(description="Provider that runs the offer.", examples=["vhs-schwerte"])
    status: OfferStatus = Field(description="published or withdrawn.", examples=["published"])
    version: int = _VERSION
    updated_at: datetime = _UPDATED


class OffersPublic(BaseModel):
    items: list[OfferPublic] = Field(description="The offers of this page.", examples=[[]])
    next_cursor: str | None = Field(
        description=(
            "Pass as `cursor` for the next page; null on the last page and for sorts other "
            "than `updated`, which page by `offset`."
        ),
        examples=["WyIyMDI2LTExLTI4VDA5OjMwOjAwKzAwOjAwIiwgIm8tMSJd"],
    )
    total: int | None = Field(
        default=None,
        description="With `total=true`: how many offers pass the filters, on all pages.",
        examples=[42],
    )


class PublishedOfferPublic(OfferDetails):
    """A published offer as anyone may read it."""

    id: str = _id("7d3c1f7e-4b1a-4c55-9a53-2f1b8f4f6a10")
    provider_id: str = Field(description="Provider that runs the offer.", examples=["vhs-schwerte"])
    provider_name: str = Field(description="The provider's name.", examples=["VHS Schwerte"])
    version: int = _VERSION
    updated_at: datetime = _UPDATED


class PublishedOffersPublic(BaseModel):
    items: list[PublishedOfferPublic] = Field(
        description="The published offers of this page.", examples=[[]]
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page.",
        examples=["WyIyMDI2LTExLTI4VDA5OjMwOjAwKzAwOjAwIiwgIm8tMSJd"],
    )


class OfferDraft(OfferDetails):
    """An offer as it would be stored: normalised, defaults filled in, not yet published."""

    provider_id: str = Field(
        description="Provider that would run the offer.", examples=["vhs-schwerte"]
    )


class OfferPreview(BaseModel):
    details: OfferDraft = Field(
        description="The offer as it would be stored.",
        examples=[
            {
                "title": {"de": "Deutschkurs B1 am Abend"},
                "category": "language_course",
                "location": {"municipality": "05978028"},
                "provider_id": "vhs-schwerte",
            }
        ],
    )
    provider_id: str = Field(
        description="Provider the offer would be published for.", examples=["vhs-schwerte"]
    )


class NeedPublic(NeedDetails):
    id: str = _id("2b7e8c1d-6f3a-4e2b-9c1d-8a7f6e5d4c3b")
    reference: str = Field(
        description="Generated short reference, used in emails.", examples=["UNN-7K3Q9X"]
    )
    advisor_id: str = Field(description="Advisor who owns the need.", examples=["adv-schwerte-1"])
    case_reference: str | None = Field(description=_CASE, examples=["MBE-2026-0412"])
    status: NeedStatus = Field(description="open or closed.", examples=["open"])
    expires_on: date = Field(
        description="The need is erased after this day.", examples=["2027-05-27"]
    )
    version: int = _VERSION
    updated_at: datetime = _UPDATED


class NeedsPublic(BaseModel):
    items: list[NeedPublic] = Field(description="The caller's needs (this page).", examples=[[]])
    total: int = Field(
        description="How many of the caller's needs match, on all pages.", examples=[42]
    )


class ImportFailure(BaseModel):
    row: int = Field(
        description="1-based row (CSV: line after the header; JSON: array position).", examples=[2]
    )
    errors: list[dict[str, str]] = Field(
        description="Field and reason of each problem.",
        examples=[[{"field": "category", "reason": "Input should be ..."}]],
    )


class ImportReport(BaseModel):
    created: list[str] = Field(
        description="Ids of the offers created.",
        examples=[["7d3c1f7e-4b1a-4c55-9a53-2f1b8f4f6a10"]],
    )
    failed: list[ImportFailure] = Field(
        description="Rows that were not imported, and why.", examples=[[]]
    )
    in_review: bool = Field(
        default=False,
        description="The offers were kept as drafts for review, not published: submit each.",
        examples=[False],
    )

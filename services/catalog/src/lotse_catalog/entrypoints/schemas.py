"""Request and response bodies of the catalog API.

Requests reuse the contract models with unknown fields forbidden (a typo is
an error, not silently dropped); responses add identity, status and version.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

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
    "AdvisorPublic",
    "ImportFailure",
    "ImportReport",
    "NeedIn",
    "NeedPublic",
    "NeedsPublic",
    "OfferIn",
    "OfferPublic",
    "OffersPublic",
    "ProviderIn",
    "ProviderPublic",
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
    Field(
        description="The advisor's own case reference; stays in the catalog and is never published.",
        examples=["MBE-2026-0412"],
    ),
]

# Requests naming any of these are refused: a need is pseudonymous.
PERSONAL_FIELDS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "surname",
        "full_name",
        "birth_date",
        "date_of_birth",
        "birthday",
        "address",
        "street",
        "phone",
        "telephone",
        "mobile",
        "email",
        "nationality",
        "citizenship",
        "passport",
        "passport_number",
        "document_number",
        "id_number",
    }
)


class LocationIn(Location):
    model_config = _FORBID


class NotificationPreferenceIn(NotificationPreference):
    model_config = _FORBID


class ProviderIn(ProviderDetails):
    """A provider to register, or its new details."""

    model_config = _FORBID
    id: Id | None = None


class AdvisorIn(AdvisorDetails):
    """An advisor to register, or their new details."""

    model_config = _FORBID
    id: Id | None = None
    notifications: NotificationPreferenceIn = Field(
        default_factory=NotificationPreferenceIn, description="How the advisor hears about matches."
    )


class OfferIn(OfferDetails):
    """An offer as a provider describes it."""

    model_config = _FORBID
    location: LocationIn = Field(description="Where the offer takes place.")
    provider_id: Id | None = Field(
        default=None,
        description="Only for admins acting for a provider; providers publish as themselves.",
    )


class NeedIn(NeedDetails):
    """A need as an advisor records it: coarse categories, no personal data."""

    model_config = _FORBID
    case_reference: CaseReference | None = None

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


class ProviderPublic(ProviderDetails):
    id: str
    active: bool
    version: int
    updated_at: datetime


class AdvisorPublic(AdvisorDetails):
    id: str
    active: bool
    version: int
    updated_at: datetime


class OfferPublic(OfferDetails):
    id: str
    provider_id: str
    status: OfferStatus
    version: int
    updated_at: datetime


class OffersPublic(BaseModel):
    items: list[OfferPublic]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page."
    )


class NeedPublic(NeedDetails):
    id: str
    reference: str = Field(
        description="Generated short reference, used in emails.", examples=["UNN-7K3Q9X"]
    )
    advisor_id: str
    case_reference: str | None
    status: NeedStatus
    expires_on: date
    version: int
    updated_at: datetime


class NeedsPublic(BaseModel):
    items: list[NeedPublic]


class ImportFailure(BaseModel):
    row: int = Field(description="1-based row (CSV: line after the header; JSON: array position).")
    errors: list[dict[str, str]] = Field(description="Field and reason of each problem.")


class ImportReport(BaseModel):
    created: list[str] = Field(description="Ids of the offers created.")
    failed: list[ImportFailure] = Field(description="Rows that were not imported, and why.")

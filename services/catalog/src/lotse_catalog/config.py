"""Catalog settings from the environment."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from lotse_catalog.domain.review_policy import ReviewPolicy, ReviewRules
from lotse_shared.settings import CommonSettings

__all__ = ["CatalogSettings"]


class CatalogSettings(CommonSettings):
    database_url: str = Field(
        default="sqlite+aiosqlite:///var/catalog.db", validation_alias="CATALOG_DATABASE_URL"
    )
    port: int = Field(default=8001, validation_alias="CATALOG_PORT")
    need_retention_days: int = Field(
        default=180,
        ge=1,
        le=3650,
        validation_alias="CATALOG_NEED_RETENTION_DAYS",
        description="A need is erased this many days after it was registered.",
    )
    expiry_interval_seconds: float = Field(
        default=3600, gt=0, validation_alias="CATALOG_EXPIRY_INTERVAL_SECONDS"
    )
    review_policy: ReviewPolicy = Field(
        default=ReviewPolicy.NEW_PROVIDERS,
        validation_alias="CATALOG_REVIEW_POLICY",
        description=(
            "Whose offers the KI reviews before advisors see them: off (every change is "
            "published at once), new_providers (a provider's offers until "
            "CATALOG_REVIEW_TRUSTED_AFTER of them were approved) or all."
        ),
    )
    review_trusted_after: int = Field(
        default=3,
        ge=1,
        le=1000,
        validation_alias="CATALOG_REVIEW_TRUSTED_AFTER",
        description="With new_providers: approved offers after which a provider publishes directly.",
    )
    provider_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        validation_alias="CATALOG_PROVIDER_CACHE_SECONDS",
        description=(
            "How long an active provider read stays trusted without reading it again, so "
            "publishing does not read it on every request; a provider deactivated on another "
            "instance publishes no more after this long. 0: read it every time."
        ),
    )
    max_body_bytes: int = Field(
        default=2_000_000,
        validation_alias="CATALOG_MAX_BODY_BYTES",
        description="Largest request body.",
    )

    public_per_minute: int = Field(
        default=600,
        ge=1,
        le=1_000_000,
        validation_alias="CATALOG_PUBLIC_REQUESTS_PER_MINUTE",
        description="Requests a client address may make to the unsigned /v1/public endpoints.",
    )
    public_burst: int = Field(
        default=120,
        ge=1,
        le=1_000_000,
        validation_alias="CATALOG_PUBLIC_BURST",
        description="Requests a client may make at once before the per-minute rate applies.",
    )

    @property
    def need_retention(self) -> timedelta:
        return timedelta(days=self.need_retention_days)

    @property
    def review(self) -> ReviewRules:
        return ReviewRules(self.review_policy, self.review_trusted_after)

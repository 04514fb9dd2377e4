"""Catalog settings from the environment."""

from __future__ import annotations

from pydantic import Field

from lotse_shared.settings import CommonSettings

__all__ = ["CatalogSettings"]


class CatalogSettings(CommonSettings):
    database_url: str = Field(
        default="sqlite+aiosqlite:///var/catalog.db", validation_alias="CATALOG_DATABASE_URL"
    )
    port: int = Field(default=8001, validation_alias="CATALOG_PORT")
    region_file: str | None = Field(
        default=None,
        validation_alias="LOTSE_REGION_FILE",
        description="JSON file with the district's municipalities; Kreis Unna when unset.",
    )

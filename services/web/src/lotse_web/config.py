"""Web app settings from the environment."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from lotse_shared.settings import CommonSettings

__all__ = ["WebSettings"]


class WebSettings(CommonSettings):
    port: int = Field(default=8000, validation_alias="WEB_PORT")
    database_url: str = Field(
        default="sqlite+aiosqlite:///var/web.db",
        validation_alias="WEB_DATABASE_URL",
        description="Where sessions and interface preferences are kept.",
    )
    catalog_url: str = Field(default="http://127.0.0.1:8001", validation_alias="WEB_CATALOG_URL")
    matching_url: str = Field(default="http://127.0.0.1:8002", validation_alias="WEB_MATCHING_URL")
    notifications_url: str = Field(
        default="http://127.0.0.1:8003", validation_alias="WEB_NOTIFICATIONS_URL"
    )
    api_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, validation_alias="WEB_API_TIMEOUT_SECONDS"
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, le=24 * 60, validation_alias="WEB_SESSION_IDLE_MINUTES"
    )
    session_absolute_hours: int = Field(
        default=8, ge=1, le=24, validation_alias="WEB_SESSION_ABSOLUTE_HOURS"
    )
    region_file: str | None = Field(
        default=None,
        validation_alias="LOTSE_REGION_FILE",
        description="JSON file with the district's municipalities; Kreis Unna when unset.",
    )
    dev_admins: str = Field(
        default="ki-admin:KI Koordination",
        validation_alias="WEB_DEV_ADMINS",
        description="Admins the development sign-in offers, as id:name pairs separated by commas.",
    )

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def session_absolute(self) -> timedelta:
        return timedelta(hours=self.session_absolute_hours)

    @property
    def secure_cookies(self) -> bool:
        return self.environment != "development"

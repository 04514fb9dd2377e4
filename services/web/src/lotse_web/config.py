"""Web app settings from the environment."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr

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
    finder_fresh_seconds: float = Field(
        default=30,
        ge=0,
        le=3600,
        validation_alias="WEB_FINDER_FRESH_SECONDS",
        description="How long the public finder searches the published offers it read last.",
    )
    dev_admins: str = Field(
        default="ki-admin:KI Koordination",
        validation_alias="WEB_DEV_ADMINS",
        description="Admins the development sign-in offers, as id:name pairs separated by commas.",
    )

    oidc_client_id: str = Field(
        default="lotse-web",
        min_length=1,
        validation_alias="WEB_OIDC_CLIENT_ID",
        description="The web app's client at the OpenID Connect issuer (LOTSE_OIDC_ISSUER).",
    )
    oidc_client_secret: SecretStr | None = Field(
        default=None,
        validation_alias="WEB_OIDC_CLIENT_SECRET",
        description="The client's secret at the issuer; unset for a public client.",
    )
    oidc_name: str | None = Field(
        default=None,
        max_length=60,
        validation_alias="WEB_OIDC_NAME",
        description="What the sign-in button calls the issuer, e.g. 'Kreis Unna'; its host when unset.",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[^/?#]+(/[^?#]*)?$",
        validation_alias="WEB_PUBLIC_URL",
        description="Where browsers reach the web app; the issuer sends them back below it.",
    )

    @property
    def redirect_uri(self) -> str:
        """Where the issuer sends the browser back with the authorisation code."""
        return self.public_url.rstrip("/") + "/sign-in/callback"

    @property
    def post_logout_redirect_uri(self) -> str:
        return self.public_url.rstrip("/") + "/sign-in"

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def session_absolute(self) -> timedelta:
        return timedelta(hours=self.session_absolute_hours)

    @property
    def secure_cookies(self) -> bool:
        return self.environment != "development"

"""Notifications settings from the environment."""

from __future__ import annotations

from pydantic import Field, SecretStr

from lotse_shared.settings import CommonSettings

__all__ = ["NotificationsSettings"]


class NotificationsSettings(CommonSettings):
    database_url: str = Field(
        default="sqlite+aiosqlite:///var/notifications.db",
        validation_alias="NOTIFICATIONS_DATABASE_URL",
    )
    port: int = Field(default=8003, validation_alias="NOTIFICATIONS_PORT")
    group_id: str = Field(default="lotse-notifications", validation_alias="NOTIFICATIONS_GROUP_ID")
    smtp_host: str = Field(default="127.0.0.1", validation_alias="SMTP_HOST")
    smtp_port: int = Field(default=1025, validation_alias="SMTP_PORT")
    smtp_username: str | None = Field(default=None, validation_alias="SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(default=None, validation_alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(default=False, validation_alias="SMTP_STARTTLS")
    smtp_timeout: float = Field(default=10.0, validation_alias="SMTP_TIMEOUT")
    mail_from: str = Field(default="Lotse <lotse@localhost>", validation_alias="MAIL_FROM")
    region_file: str | None = Field(default=None, validation_alias="LOTSE_REGION_FILE")
    batch_window: float = Field(
        default=60.0,
        ge=0,
        validation_alias="NOTIFICATIONS_BATCH_WINDOW_SECONDS",
        description="Matches for one need found within this many seconds share one email.",
    )

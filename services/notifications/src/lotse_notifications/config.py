"""Notifications settings from the environment."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import EmailStr, Field, SecretStr, field_validator

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
    smtp_ca_file: str | None = Field(
        default=None,
        validation_alias="SMTP_CA_FILE",
        description="CA certificates (PEM) to trust for STARTTLS, e.g. a district's own CA.",
    )
    smtp_timeout: float = Field(default=10.0, validation_alias="SMTP_TIMEOUT")
    smtp_connections: int = Field(
        default=4,
        ge=1,
        le=32,
        validation_alias="SMTP_CONNECTIONS",
        description="SMTP connections kept open; as many emails are on their way at once.",
    )
    mail_from: str = Field(default="Lotse <lotse@localhost>", validation_alias="MAIL_FROM")
    timezone: str = Field(
        default="Europe/Berlin",
        validation_alias="LOTSE_TIMEZONE",
        description="The zone advisors' digest hours and the KI's hour are meant in.",
    )
    batch_window: float = Field(
        default=60.0,
        ge=0,
        validation_alias="NOTIFICATIONS_BATCH_WINDOW_SECONDS",
        description="Matches for one need found within this many seconds share one email.",
    )
    match_link_base: str = Field(
        default="http://127.0.0.1:8000",
        validation_alias="NOTIFICATIONS_MATCH_LINK_BASE",
        description="Where advisors open Lotse's web app; emails link to {base}/matches/{id}, "
        "which shows the match on its need's page (after signing in).",
    )

    ki_email: EmailStr | None = Field(
        default=None,
        validation_alias="NOTIFICATIONS_KI_EMAIL",
        description="The KI's mailbox: once a day it hears which offers wait for review, and "
        "providers' emails name it for questions; unset, neither.",
    )
    ki_digest_hour: int = Field(
        default=8,
        ge=0,
        le=23,
        validation_alias="NOTIFICATIONS_KI_DIGEST_HOUR",
        description="The hour (LOTSE_TIMEZONE) the KI's daily email goes out.",
    )

    @field_validator("ki_email", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, e.g. Europe/Berlin") from exc
        return value

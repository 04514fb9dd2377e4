"""Matching settings from the environment."""

from __future__ import annotations

from pydantic import Field

from lotse_shared.settings import CommonSettings

__all__ = ["MatchingSettings"]


class MatchingSettings(CommonSettings):
    database_url: str = Field(
        default="sqlite+aiosqlite:///var/matching.db", validation_alias="MATCHING_DATABASE_URL"
    )
    port: int = Field(default=8002, validation_alias="MATCHING_PORT")
    group_id: str = Field(
        default="lotse-matching",
        validation_alias="MATCHING_GROUP_ID",
        description="Kafka consumer group; every instance of matching shares it.",
    )
    max_per_need: int = Field(
        default=10,
        ge=1,
        le=100,
        validation_alias="MATCHING_MAX_PER_NEED",
        description="Active matches per need.",
    )
    eligibility_rules_file: str | None = Field(
        default=None,
        validation_alias="MATCHING_ELIGIBILITY_RULES_FILE",
        description="JSON eligibility rules with validity dates; the packaged rules when unset.",
    )
    coverage_snapshot_minutes: float = Field(
        default=60,
        gt=0,
        le=1440,
        validation_alias="MATCHING_COVERAGE_SNAPSHOT_MINUTES",
        description="How often today's coverage snapshot is taken again (it is also taken on start).",
    )

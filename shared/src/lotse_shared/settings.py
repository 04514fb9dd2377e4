"""Settings every service shares. Built once in ``bootstrap()``, never read at import."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["CommonSettings"]


class CommonSettings(BaseSettings):
    """Environment variables with the same names in every service."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        default="development",
        validation_alias="LOTSE_ENV",
        description="development allows generated secrets; production refuses placeholders.",
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Comma-separated Kafka bootstrap servers."
    )
    kafka_create_topics: bool = Field(
        default=True,
        validation_alias="LOTSE_KAFKA_CREATE_TOPICS",
        description="Create missing topics from the registry at start (off where topics are provisioned).",
    )
    topic_prefix: str = Field(
        default="",
        pattern=r"^[a-z0-9._-]{0,40}$",
        validation_alias="LOTSE_TOPIC_PREFIX",
        description="Put before every topic name, for several deployments on one Kafka cluster.",
    )
    consumer_batch: int = Field(
        default=500,
        ge=1,
        le=10_000,
        validation_alias="LOTSE_CONSUMER_BATCH",
        description="Consumed events a service applies together in one transaction, at most.",
    )
    otel_endpoint: str | None = Field(
        default=None,
        validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT",
        description="OTLP/HTTP collector, e.g. http://otel-collector:4318; tracing is off without it.",
    )
    jwt_secret: SecretStr | None = Field(
        default=None,
        validation_alias="LOTSE_JWT_SECRET",
        description="Key that signs and checks bearer tokens; required outside development.",
    )

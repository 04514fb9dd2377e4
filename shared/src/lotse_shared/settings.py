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
    region_file: str | None = Field(
        default=None,
        validation_alias="LOTSE_REGION_FILE",
        description="JSON file with the district's municipalities; Kreis Unna when unset.",
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
    oidc_issuer: str | None = Field(
        default=None,
        validation_alias="LOTSE_OIDC_ISSUER",
        description=(
            "OpenID Connect issuer whose access tokens the APIs trust, e.g. "
            "https://id.kreis-unna.de/realms/lotse; without it, tokens from LOTSE_JWT_SECRET."
        ),
    )
    oidc_audience: str = Field(
        default="lotse",
        min_length=1,
        validation_alias="LOTSE_OIDC_AUDIENCE",
        description="The aud an issuer's access token must carry.",
    )
    oidc_role_claim: str = Field(
        default="realm_access.roles",
        min_length=1,
        validation_alias="LOTSE_OIDC_ROLE_CLAIM",
        description="Dotted path to the claim with the caller's role names (a list or one string).",
    )
    oidc_id_claim: str = Field(
        default="lotse_id",
        min_length=1,
        validation_alias="LOTSE_OIDC_ID_CLAIM",
        description="Dotted path to the claim with the provider's or advisor's Lotse id.",
    )
    oidc_org_claim: str = Field(
        default="lotse_org",
        min_length=1,
        validation_alias="LOTSE_OIDC_ORG_CLAIM",
        description="Dotted path to the claim with the caller's organisation (optional in tokens).",
    )
    oidc_role_admin: str = Field(
        default="lotse-admin",
        min_length=1,
        validation_alias="LOTSE_OIDC_ROLE_ADMIN",
        description="The issuer's role name for KI coordinators.",
    )
    oidc_role_provider: str = Field(
        default="lotse-provider",
        min_length=1,
        validation_alias="LOTSE_OIDC_ROLE_PROVIDER",
        description="The issuer's role name for providers.",
    )
    oidc_role_advisor: str = Field(
        default="lotse-advisor",
        min_length=1,
        validation_alias="LOTSE_OIDC_ROLE_ADVISOR",
        description="The issuer's role name for advisors.",
    )
    oidc_leeway_seconds: float = Field(
        default=30,
        ge=0,
        le=300,
        validation_alias="LOTSE_OIDC_LEEWAY_SECONDS",
        description="Clock skew allowed between the issuer and Lotse on exp, nbf and iat.",
    )
    oidc_jwks_min_refetch_seconds: float = Field(
        default=30,
        ge=0,
        le=3600,
        validation_alias="LOTSE_OIDC_JWKS_MIN_REFETCH_SECONDS",
        description="A token with an unknown key id refetches the issuer's keys at most this often.",
    )

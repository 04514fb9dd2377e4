"""Trusting one OpenID Connect issuer's access tokens.

    start()   reads the issuer's discovery document and keys (``lotse_shared.issuer``)
    verify()  checks a token's signature (RS256 or ES256 only), iss, aud, exp/nbf/iat
              and maps its claims to a ``Principal``

A token we cannot trust raises ``AuthenticationError`` (401); a trusted token that does
not say who in Lotse its holder is raises ``PermissionDenied`` (403), naming what is missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from lotse_shared.auth import (
    AuthenticationError,
    JwtCodec,
    LocalKeyVerifier,
    PermissionDenied,
    TokenVerifier,
    decode_checked,
)
from lotse_shared.errors import LotseError
from lotse_shared.identity import Principal, Role
from lotse_shared.issuer import IssuerKeys, IssuerMetadata
from lotse_shared.settings import CommonSettings

__all__ = [
    "AmbiguousTrust",
    "EitherVerifier",
    "OidcConfig",
    "OidcVerifier",
    "display_name",
    "verifier_from",
]

_REQUIRED = ["iss", "aud", "exp", "iat"]


class AmbiguousTrust(LotseError):
    """Outside development, an issuer and a local signing key are configured together."""


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    audience: str = "lotse"
    role_claim: str = "realm_access.roles"
    id_claim: str = "lotse_id"
    org_claim: str = "lotse_org"
    roles: Mapping[Role, str] | None = None
    leeway: float = 30.0
    min_refetch_seconds: float = 30.0
    timeout: float = 5.0

    @property
    def role_names(self) -> Mapping[Role, str]:
        return self.roles or {
            Role.ADMIN: "lotse-admin",
            Role.PROVIDER: "lotse-provider",
            Role.ADVISOR: "lotse-advisor",
        }

    @classmethod
    def from_settings(cls, settings: CommonSettings) -> OidcConfig:
        if not settings.oidc_issuer:
            raise ValueError("LOTSE_OIDC_ISSUER is not set")
        return cls(
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            role_claim=settings.oidc_role_claim,
            id_claim=settings.oidc_id_claim,
            org_claim=settings.oidc_org_claim,
            roles={
                Role.ADMIN: settings.oidc_role_admin,
                Role.PROVIDER: settings.oidc_role_provider,
                Role.ADVISOR: settings.oidc_role_advisor,
            },
            leeway=settings.oidc_leeway_seconds,
            min_refetch_seconds=settings.oidc_jwks_min_refetch_seconds,
        )


def display_name(claims: Mapping[str, Any]) -> str:
    """How to greet the holder of these claims: their name, else their username, else sub."""
    for claim in ("name", "preferred_username", "sub"):
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _at(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path such as ``realm_access.roles``; None where it is absent."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _one_string(value: Any) -> str | None:
    """A claim's text; a list of exactly one text counts (multivalued attribute mappers)."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


class OidcVerifier:
    """Checks access tokens of one issuer; ``start()`` before the first ``verify()``."""

    def __init__(
        self,
        config: OidcConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.keys = IssuerKeys(
            config.issuer,
            min_refetch_seconds=config.min_refetch_seconds,
            timeout=config.timeout,
            transport=transport,
            clock=clock,
        )

    @property
    def metadata(self) -> IssuerMetadata:
        return self.keys.metadata

    async def start(self) -> None:
        await self.keys.start()

    async def close(self) -> None:
        await self.keys.close()

    async def verify(self, token: str) -> Principal:
        return self.principal(await self.claims(token))

    async def claims(self, token: str, *, audience: str | None = None) -> dict[str, Any]:
        """The token's claims once signature, iss, aud and its times check out."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise AuthenticationError("malformed token") from None
        key = await self.keys.key_for(header.get("kid"), header.get("alg"))
        return decode_checked(
            token,
            key.key,
            algorithms=[key.algorithm_name],  # the header's alg: key_for refuses a key of another
            audience=audience or self.config.audience,
            issuer=self.config.issuer,
            leeway=self.config.leeway,
            require=_REQUIRED,
        )

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        """Who in Lotse the claims name; ``PermissionDenied`` saying what is missing."""
        config = self.config
        found = _at(claims, config.role_claim)
        names = (
            {found} if isinstance(found, str) else set(found) if isinstance(found, list) else set()
        )
        held = [role for role, name in config.role_names.items() if name in names]
        if not held:
            wanted = ", ".join(config.role_names.values())
            raise PermissionDenied(
                f"the token carries none of the roles {wanted} (in {config.role_claim})"
            )
        if len(held) > 1:
            both = " and ".join(config.role_names[role] for role in held)
            raise PermissionDenied(f"the token carries {both}; a person acts in one Lotse role")
        role = held[0]
        lotse_id = _one_string(_at(claims, config.id_claim))
        if lotse_id is None and role is not Role.ADMIN:
            raise PermissionDenied(
                f"the token carries the role {config.role_names[role]} but no {config.id_claim} "
                f"claim with the {role.value}'s Lotse id"
            )
        sub = (
            lotse_id
            or _one_string(claims.get("preferred_username"))
            or _one_string(claims.get("sub"))
        )
        if sub is None:
            raise PermissionDenied(f"the token names no one: no {config.id_claim}, username or sub")
        return Principal(sub=sub, role=role, org=_one_string(_at(claims, config.org_claim)))


class EitherVerifier:
    """Development only: the local key's HS256 tokens and the issuer's, side by side.

    ``make run AUTH=keycloak`` loads its demo data with local tokens while people sign in
    through the issuer. The token's header only picks which verifier to ask; each still
    refuses what it did not sign.
    """

    def __init__(self, local: LocalKeyVerifier, issuer: OidcVerifier) -> None:
        self.local = local
        self.issuer = issuer

    async def start(self) -> None:
        await self.issuer.start()

    async def close(self) -> None:
        await self.issuer.close()

    async def verify(self, token: str) -> Principal:
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.DecodeError:
            raise AuthenticationError("malformed token") from None
        chosen: TokenVerifier = self.local if algorithm == "HS256" else self.issuer
        return await chosen.verify(token)


def verifier_from(
    settings: CommonSettings, *, transport: httpx.AsyncBaseTransport | None = None
) -> TokenVerifier:
    """Whom a service trusts: the issuer when LOTSE_OIDC_ISSUER is set, else the local key.

    Raises ``AmbiguousTrust`` when both are set outside development, and
    ``InsecureSecret`` for a local key no one should run with.
    """
    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else None
    if not settings.oidc_issuer:
        return LocalKeyVerifier(JwtCodec.from_secret(secret, settings.environment))
    issuer = OidcVerifier(OidcConfig.from_settings(settings), transport=transport)
    if secret is None:
        return issuer
    if settings.environment != "development":
        raise AmbiguousTrust(
            "LOTSE_OIDC_ISSUER and LOTSE_JWT_SECRET are both set; outside development Lotse "
            "trusts only the issuer: unset LOTSE_JWT_SECRET"
        )
    return EitherVerifier(LocalKeyVerifier(JwtCodec.from_secret(secret, "development")), issuer)

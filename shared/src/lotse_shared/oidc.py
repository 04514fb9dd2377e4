"""Trusting one OpenID Connect issuer: its discovery document, its keys, its access tokens.

    start()   reads ``<issuer>/.well-known/openid-configuration`` and the JWKS it names
    verify()  checks a token's signature (RS256 or ES256 only), iss, aud, exp/nbf/iat
              and maps its claims to a ``Principal``

The keys stay cached. A token signed with a key id the cache does not hold makes the
verifier fetch the JWKS once more — at most once per ``min_refetch_seconds``, however many
such tokens arrive, so a flood of forged tokens cannot make it hammer the issuer. Every
HTTP call is made with httpx on the event loop, never a blocking one.

A token we cannot trust raises ``AuthenticationError`` (401); a trusted token that does
not say who in Lotse its holder is raises ``PermissionDenied`` (403), naming what is missing.
"""

from __future__ import annotations

import asyncio
import logging
import math
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
from lotse_shared.settings import CommonSettings

__all__ = [
    "ALGORITHMS",
    "AmbiguousTrust",
    "EitherVerifier",
    "IssuerMetadata",
    "IssuerUnavailable",
    "OidcConfig",
    "OidcVerifier",
    "display_name",
    "verifier_from",
]

log = logging.getLogger(__name__)

# Asymmetric only: with HS256 allowed, the issuer's public key would work as a shared secret.
ALGORITHMS = ("RS256", "ES256")
_REQUIRED = ["iss", "aud", "exp", "iat"]


class IssuerUnavailable(LotseError):
    """The issuer's discovery document or keys could not be read; ``str(exc)`` is one line."""


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


@dataclass(frozen=True)
class IssuerMetadata:
    """What the discovery document says, as far as Lotse uses it."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None


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
        self._http = httpx.AsyncClient(transport=transport, timeout=config.timeout)
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._unnamed: list[jwt.PyJWK] = []
        self._fetched_at = -math.inf
        self._refetch = asyncio.Lock()
        self._metadata: IssuerMetadata | None = None
        self.fetches = 0
        """How often the JWKS was fetched; the rate limit is tested by it."""

    @property
    def metadata(self) -> IssuerMetadata:
        if self._metadata is None:
            raise RuntimeError("OidcVerifier.start() has not run")
        return self._metadata

    async def start(self) -> None:
        issuer = self.config.issuer
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = await self._get_json(url, "its discovery document")
        if document.get("issuer") != issuer:
            raise IssuerUnavailable(
                f"LOTSE_OIDC_ISSUER is {issuer!r}, but {url} names the issuer "
                f"{document.get('issuer')!r}; set it to exactly that"
            )
        try:
            self._metadata = IssuerMetadata(
                issuer=issuer,
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                jwks_uri=str(document["jwks_uri"]),
                end_session_endpoint=document.get("end_session_endpoint"),
            )
        except KeyError as exc:
            raise IssuerUnavailable(f"{url} does not name {exc.args[0]}") from None
        await self._fetch_keys()
        self._fetched_at = self._clock()
        log.info("trusting tokens of %s (%d signing keys)", issuer, len(self._keys))

    async def close(self) -> None:
        await self._http.aclose()

    async def verify(self, token: str) -> Principal:
        return self.principal(await self.claims(token))

    async def claims(self, token: str, *, audience: str | None = None) -> dict[str, Any]:
        """The token's claims once signature, iss, aud and its times check out."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise AuthenticationError("malformed token") from None
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise AuthenticationError(
                f"algorithm {algorithm!r} not allowed (only {', '.join(ALGORITHMS)})"
            )
        key = await self._key_for(header.get("kid"), algorithm)
        return decode_checked(
            token,
            key.key,
            algorithms=[algorithm],
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

    async def _key_for(self, kid: Any, algorithm: str) -> jwt.PyJWK:
        key = self._match(kid, algorithm)
        if key is None:
            await self._refetch_keys()
            key = self._match(kid, algorithm)
        if key is None:
            raise AuthenticationError(f"unknown signing key {kid!r}")
        if key.algorithm_name != algorithm:
            raise AuthenticationError(f"signing key {kid!r} is not an {algorithm} key")
        return key

    def _match(self, kid: Any, algorithm: str) -> jwt.PyJWK | None:
        if isinstance(kid, str):
            return self._keys.get(kid)
        if kid is not None:
            return None
        # No kid: only unambiguous when the issuer has just one key for this algorithm.
        fitting = [
            key for key in [*self._keys.values(), *self._unnamed] if key.algorithm_name == algorithm
        ]
        return fitting[0] if len(fitting) == 1 else None

    async def _refetch_keys(self) -> None:
        async with self._refetch:
            if self._clock() - self._fetched_at < self.config.min_refetch_seconds:
                return  # fetched a moment ago (maybe by the request we waited for)
            self._fetched_at = self._clock()
            try:
                await self._fetch_keys()
            except IssuerUnavailable as exc:
                log.warning("kept the cached signing keys: %s", exc)

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        issuer = self.config.issuer
        try:
            response = await self._http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except httpx.HTTPStatusError as exc:
            raise IssuerUnavailable(
                f"the issuer {issuer} answered {exc.response.status_code} for {what} at {url}"
            ) from None
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise IssuerUnavailable(
                f"the issuer {issuer} did not answer for {what} at {url}: {reason}"
            ) from None
        except ValueError:
            raise IssuerUnavailable(
                f"the issuer {issuer} sent no JSON for {what} at {url}"
            ) from None
        if not isinstance(document, dict):
            raise IssuerUnavailable(f"the issuer {issuer} sent no JSON object for {what} at {url}")
        return document

    async def _fetch_keys(self) -> None:
        jwks = await self._get_json(self.metadata.jwks_uri, "its keys (JWKS)")
        self.fetches += 1
        keys: dict[str, jwt.PyJWK] = {}
        unnamed: list[jwt.PyJWK] = []
        for entry in jwks.get("keys") or []:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue  # Keycloak also lists its encryption key
            try:
                key = jwt.PyJWK(entry)
            except (jwt.PyJWKError, jwt.InvalidKeyError):
                continue  # a key type or algorithm we do not verify with
            if key.algorithm_name not in ALGORITHMS:
                continue
            if isinstance(entry.get("kid"), str):
                keys[entry["kid"]] = key
            else:
                unnamed.append(key)
        self._keys, self._unnamed = keys, unnamed


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

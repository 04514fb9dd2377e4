"""One OpenID Connect issuer as Lotse reads it: its discovery document and its signing keys.

The keys stay cached. A token signed with a key id the cache does not hold makes
``IssuerKeys`` fetch the JWKS once more — at most once per ``min_refetch_seconds``,
however many such tokens arrive, so a flood of forged tokens cannot make it hammer
the issuer. Every HTTP call is made with httpx on the event loop, never a blocking one.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from lotse_shared.auth import AuthenticationError
from lotse_shared.errors import LotseError

__all__ = ["ALGORITHMS", "IssuerKeys", "IssuerMetadata", "IssuerUnavailable"]

log = logging.getLogger(__name__)

# Asymmetric only: with HS256 allowed, the issuer's public key would work as a shared secret.
ALGORITHMS = ("RS256", "ES256")


class IssuerUnavailable(LotseError):
    """The issuer's discovery document or keys could not be read; ``str(exc)`` is one line."""


@dataclass(frozen=True)
class IssuerMetadata:
    """What the discovery document says, as far as Lotse uses it."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None


class IssuerKeys:
    """The issuer's metadata and signing keys, read over HTTP; ``start()`` before ``key_for()``."""

    def __init__(
        self,
        issuer: str,
        *,
        min_refetch_seconds: float,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self.min_refetch_seconds = min_refetch_seconds
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout)
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._unnamed: list[jwt.PyJWK] = []
        self._fetched_at = -math.inf
        self._refetch = asyncio.Lock()
        self._metadata: IssuerMetadata | None = None

    @property
    def metadata(self) -> IssuerMetadata:
        if self._metadata is None:
            raise RuntimeError("IssuerKeys.start() has not run")
        return self._metadata

    async def start(self) -> None:
        """Read ``<issuer>/.well-known/openid-configuration`` and the JWKS it names."""
        issuer = self.issuer
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

    async def key_for(self, kid: Any, algorithm: Any) -> jwt.PyJWK:
        """The key a token with this header's ``kid`` and ``alg`` must be signed with."""
        if algorithm not in ALGORITHMS:
            raise AuthenticationError(
                f"algorithm {algorithm!r} not allowed (only {', '.join(ALGORITHMS)})"
            )
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
            if self._clock() - self._fetched_at < self.min_refetch_seconds:
                return  # fetched a moment ago (maybe by the request we waited for)
            self._fetched_at = self._clock()
            try:
                await self._fetch_keys()
            except IssuerUnavailable as exc:
                log.warning("kept the cached signing keys: %s", exc)

    async def _get_json(self, url: str, what: str) -> dict[str, Any]:
        issuer = self.issuer
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

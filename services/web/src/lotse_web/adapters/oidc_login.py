"""Signing in through an OpenID Connect issuer: the Authorization Code flow with PKCE.

``begin`` sends the browser to the issuer with ``state``, ``nonce`` and an S256 code
challenge. ``complete`` exchanges the code (with the client's secret and the code
verifier), checks the ID token (signature, issuer, audience = this client, nonce) and
takes who signed in from the access token exactly as the APIs will read it
(``OidcVerifier.verify``). The tokens stay on the server; ``refresh`` renews them a
minute before the APIs would refuse them.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from lotse_shared.auth import AuthenticationError, PermissionDenied
from lotse_shared.oidc import OidcVerifier, display_name
from lotse_web.login import (
    IssuerTokens,
    IssuerUnreachable,
    LoginProvider,
    PendingSignIn,
    RoleMissing,
    SignedInUser,
    SignInRedirect,
    SignInRefused,
)

__all__ = ["REFRESH_BEFORE", "OidcLogin"]

REFRESH_BEFORE = timedelta(seconds=60)  # an API call that starts now still finds it valid
_ID_LIMIT = 64  # the sessions table's user_id, like the catalog's ids
_NAME_LIMIT = 120


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _with_query(endpoint: str, query: dict[str, str]) -> str:
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(query)


class OidcLogin(LoginProvider):
    kind = "oidc"

    def __init__(
        self,
        verifier: OidcVerifier,
        *,
        name: str,
        client_id: str,
        client_secret: str | None,
        redirect_uri: str,
        post_logout_redirect_uri: str,
        timeout: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.verifier = verifier
        self.name = name
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.post_logout_redirect_uri = post_logout_redirect_uri
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)), transport=transport
        )

    async def start(self) -> None:
        await self.verifier.start()

    async def close(self) -> None:
        await self.http.aclose()
        await self.verifier.close()

    async def begin(self, next: str) -> SignInRedirect:
        pending = PendingSignIn(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(64),  # 86 characters: RFC 7636 allows 43 to 128
            next=next,
        )
        url = _with_query(
            self.verifier.metadata.authorization_endpoint,
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": self.redirect_uri,
                "scope": "openid profile",
                "state": pending.state,
                "nonce": pending.nonce,
                "code_challenge": _challenge(pending.code_verifier),
                "code_challenge_method": "S256",
            },
        )
        return SignInRedirect(url, pending)

    async def complete(self, pending: PendingSignIn, code: str) -> SignedInUser:
        answer = await self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": pending.code_verifier,
            }
        )
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise SignInRefused("the token endpoint sent no ID token")
        claims = await self._id_claims(id_token)
        nonce = claims.get("nonce")
        if not isinstance(nonce, str) or not secrets.compare_digest(nonce, pending.nonce):
            raise SignInRefused("the ID token's nonce is not the one this sign-in sent")
        return await self._signed_in(answer, id_token, display_name(claims), refresh_token=None)

    def needs_refresh(self, user: SignedInUser, now: datetime) -> bool:
        return user.tokens is not None and user.tokens.expires_at - now < REFRESH_BEFORE

    async def refresh(self, user: SignedInUser) -> SignedInUser:
        if user.tokens is None or user.tokens.refresh_token is None:
            raise SignInRefused("the session has no refresh token")
        answer = await self._token(
            {"grant_type": "refresh_token", "refresh_token": user.tokens.refresh_token}
        )
        id_token = answer.get("id_token")
        name = user.display_name
        if isinstance(id_token, str):
            name = display_name(await self._id_claims(id_token))
        else:
            id_token = user.tokens.id_token  # still the hint that ends the issuer's session
        return await self._signed_in(
            answer, id_token, name, refresh_token=user.tokens.refresh_token
        )

    def end_session_url(self, id_token: str | None) -> str | None:
        endpoint = self.verifier.metadata.end_session_endpoint
        if endpoint is None:
            return None
        query = {
            "client_id": self.client_id,
            "post_logout_redirect_uri": self.post_logout_redirect_uri,
        }
        if id_token:
            query = {"id_token_hint": id_token} | query
        return _with_query(endpoint, query)

    def form_targets(self) -> tuple[str, ...]:
        endpoint = self.verifier.metadata.end_session_endpoint
        if endpoint is None:
            return ()
        parts = urlsplit(endpoint)
        return (f"{parts.scheme}://{parts.netloc}",)

    async def _id_claims(self, id_token: str) -> dict[str, Any]:
        try:
            return await self.verifier.claims(id_token, audience=self.client_id)
        except AuthenticationError as exc:
            raise SignInRefused(f"ID token refused: {exc}") from None

    async def _signed_in(
        self, answer: dict[str, Any], id_token: str | None, name: str, *, refresh_token: str | None
    ) -> SignedInUser:
        access = answer.get("access_token")
        if not isinstance(access, str):
            raise SignInRefused("the token endpoint sent no access token")
        try:
            claims = await self.verifier.claims(access)
        except AuthenticationError as exc:
            raise SignInRefused(f"access token refused: {exc}") from None
        try:
            principal = self.verifier.principal(claims)
        except PermissionDenied as exc:
            raise RoleMissing(str(exc), display_name=name, id_token=id_token or "") from None
        if len(principal.sub) > _ID_LIMIT:
            raise SignInRefused(f"the Lotse id is longer than {_ID_LIMIT} characters")
        renewed = answer.get("refresh_token")
        return SignedInUser(
            id=principal.sub,
            role=principal.role,
            display_name=name[:_NAME_LIMIT],
            organisation=principal.org[:_NAME_LIMIT] if principal.org else None,
            api_token=access,
            tokens=IssuerTokens(
                expires_at=_expiry(claims, answer),
                refresh_token=renewed if isinstance(renewed, str) else refresh_token,
                id_token=id_token,
            ),
        )

    async def _token(self, form: dict[str, str]) -> dict[str, Any]:
        """The token endpoint's answer to one grant.

        The client authenticates with ``client_secret_post``: every issuer in use
        (Keycloak, Entra ID, ADFS) takes it, and a form body has one unambiguous
        encoding where Basic credentials differ between servers.
        """
        endpoint = self.verifier.metadata.token_endpoint
        sent = form | {"client_id": self.client_id}
        if self.client_secret is not None:
            sent["client_secret"] = self.client_secret
        try:
            response = await self.http.post(
                endpoint, data=sent, headers={"Accept": "application/json"}
            )
        except httpx.TransportError as exc:
            raise IssuerUnreachable(f"{endpoint}: {type(exc).__name__}") from None
        if response.status_code >= 500:
            raise IssuerUnreachable(f"{endpoint} answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict):
            error = body.get("error") if isinstance(body, dict) else None
            raise SignInRefused(
                f"{endpoint} answered {response.status_code}" + (f" {error}" if error else "")
            )
        return body


def _expiry(claims: dict[str, Any], answer: dict[str, Any]) -> datetime:
    """When the access token expires: its own ``exp``, else what the token endpoint said."""
    exp = claims.get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        return datetime.fromtimestamp(exp, UTC)
    seconds = answer.get("expires_in")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool):
        return datetime.now(UTC) + timedelta(seconds=seconds)
    return datetime.now(UTC) + REFRESH_BEFORE  # unknown: refresh on the next page

"""An OpenID Connect issuer in the test's own process, strict where a real one is strict.

It serves discovery, a JWKS (an RSA key made here) and a token endpoint that checks
the client's secret, the grant type, the redirect URI and the PKCE code verifier
against the challenge; codes and refresh tokens are good once. Its "login page" is
:meth:`FakeIssuer.approve`: the person signs in, and the browser is sent back with
a code. Tokens look like Keycloak's: ``realm_access.roles``, ``lotse_id``, ``lotse_org``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from jwt.algorithms import RSAAlgorithm

from lotse_shared.identity import Principal, Role

ISSUER = "http://issuer.test/realms/lotse"
CLIENT_ID = "lotse-web"
CLIENT_SECRET = "lotse-web-test-secret"
OIDC = f"{ISSUER}/protocol/openid-connect"
ROLES = {"lotse-admin": Role.ADMIN, "lotse-provider": Role.PROVIDER, "lotse-advisor": Role.ADVISOR}


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    roles: tuple[str, ...]
    lotse_id: str | None = None
    org: str | None = None


PEOPLE = {
    p.username: p
    for p in (
        Person("adv-1", "Aylin Demir", ("lotse-advisor",), "adv-1", "KI Kreis Unna"),
        Person("vhs-schwerte", "VHS Schwerte", ("lotse-provider",), "vhs-schwerte", "VHS"),
        Person("ki-admin", "KI Koordination", ("lotse-admin",), "ki-admin", "KI"),
        Person("no-role-user", "Nora Ohnerolle", ()),
    )
}


@dataclass
class Grant:
    person: Person
    nonce: str
    challenge: str
    method: str
    redirect_uri: str


@functools.cache
def signing_key() -> rsa.RSAPrivateKey:
    """The realm's key, made once: a 2048-bit RSA key takes a good part of a test to make."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeIssuer:
    access_ttl: int = 300
    refuse_refresh: bool = False  # the issuer's session ended: every refresh is invalid_grant
    wrong_nonce: bool = False  # an ID token that was made for another sign-in
    down: bool = False  # the token endpoint answers 503
    key: rsa.RSAPrivateKey = field(default_factory=signing_key)
    codes: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, Person] = field(default_factory=dict)
    grants: list[dict[str, str]] = field(default_factory=list)  # every token request's form
    issued: list[dict[str, Any]] = field(default_factory=list)  # every token answer

    # -- the browser's side: the login page -------------------------------------------

    def approve(self, authorization_url: str, username: str) -> str:
        """``username`` signs in on the issuer's page; the URL the browser is sent back to."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorization_url).query).items()}
        assert authorization_url.startswith(f"{OIDC}/auth?")
        assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
        code = secrets.token_urlsafe(16)
        self.codes[code] = Grant(
            PEOPLE[username], query["nonce"], query["code_challenge"],
            query["code_challenge_method"], query["redirect_uri"],
        )  # fmt: skip
        back = {"code": code, "state": query["state"], "session_state": "kc-session"}
        return f"{query['redirect_uri']}?{urlencode(back)}"

    # -- the APIs' side: what they make of an access token ------------------------------

    def principal_of(self, token: str) -> Principal:
        claims = jwt.decode(token, self.key.public_key(), algorithms=["RS256"], audience="lotse")
        role = next(ROLES[r] for r in claims["realm_access"]["roles"] if r in ROLES)
        return Principal(claims["lotse_id"], role, claims.get("lotse_org"))

    # -- the issuer itself ----------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [public | {"kid": "test-key", "use": "sig", "alg": "RS256"}]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "test-key"})

    def tokens_for(self, person: Person, nonce: str | None) -> dict[str, Any]:
        now = int(time.time())
        access = {
            "iss": ISSUER, "aud": "lotse", "azp": CLIENT_ID, "sub": f"kc-{person.username}",
            "iat": now, "exp": now + self.access_ttl, "jti": secrets.token_hex(8),
            "preferred_username": person.username,
            "realm_access": {"roles": [*person.roles, "offline_access"]},
        }  # fmt: skip
        if person.lotse_id:
            access |= {"lotse_id": person.lotse_id, "lotse_org": person.org}
        identity = {
            "iss": ISSUER, "aud": CLIENT_ID, "azp": CLIENT_ID, "sub": f"kc-{person.username}",
            "iat": now, "exp": now + 300, "name": person.name,
            "preferred_username": person.username,
        }  # fmt: skip
        if nonce is not None:
            identity["nonce"] = "another-sign-in" if self.wrong_nonce else nonce
        refresh = secrets.token_urlsafe(24)
        self.refresh_tokens[refresh] = person
        answer = {
            "access_token": self.sign(access), "expires_in": self.access_ttl,
            "refresh_token": refresh, "refresh_expires_in": 1800, "token_type": "Bearer",
            "id_token": self.sign(identity), "scope": "openid profile",
        }  # fmt: skip
        self.issued.append(answer)
        return answer

    def app(self) -> FastAPI:
        app = FastAPI()

        def refused(error: str, status: int = 400) -> JSONResponse:
            return JSONResponse({"error": error}, status_code=status)

        @app.get("/realms/lotse/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {
                "issuer": ISSUER,
                "authorization_endpoint": f"{OIDC}/auth",
                "token_endpoint": f"{OIDC}/token",
                "jwks_uri": f"{OIDC}/certs",
                "end_session_endpoint": f"{OIDC}/logout",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }

        @app.get("/realms/lotse/protocol/openid-connect/certs")
        async def certs() -> dict[str, Any]:
            return self.jwks()

        @app.post("/realms/lotse/protocol/openid-connect/token")
        async def token(request: Request) -> JSONResponse:
            form = {k: str(v) for k, v in (await request.form()).items()}
            self.grants.append(form)
            if self.down:
                return refused("temporarily_unavailable", 503)
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                return refused("invalid_client", 401)
            if form.get("grant_type") == "authorization_code":
                grant = self.codes.pop(form.get("code", ""), None)  # good once
                if grant is None or form.get("redirect_uri") != grant.redirect_uri:
                    return refused("invalid_grant")
                verifier = form.get("code_verifier", "").encode()
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
                if grant.method != "S256" or challenge.rstrip(b"=").decode() != grant.challenge:
                    return refused("invalid_grant")  # PKCE verification failed
                return JSONResponse(self.tokens_for(grant.person, grant.nonce))
            if form.get("grant_type") == "refresh_token":
                person = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
                if person is None or self.refuse_refresh:
                    return refused("invalid_grant")
                return JSONResponse(self.tokens_for(person, None))
            return refused("unsupported_grant_type")

        return app

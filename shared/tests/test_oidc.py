"""The OpenID Connect verifier against an issuer this test serves itself: keys, JWKS, discovery."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI

from lotse_shared.auth import (
    AuthenticationError,
    CurrentPrincipal,
    JwtCodec,
    LocalKeyVerifier,
    PermissionDenied,
)
from lotse_shared.identity import Principal, Role
from lotse_shared.issuer import IssuerUnavailable
from lotse_shared.oidc import (
    AmbiguousTrust,
    EitherVerifier,
    OidcConfig,
    OidcVerifier,
    verifier_from,
)
from lotse_shared.settings import CommonSettings

ISSUER = "https://id.example.test/realms/lotse"
SECRET = "a-test-signing-key-long-enough-for-hs256-0123456789"


@dataclass
class Key:
    kid: str
    private: Any
    algorithm: str

    def jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        if self.algorithm == "RS256":
            entry = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
        else:
            entry = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(public))
        return entry | {"kid": self.kid, "use": "sig", "alg": self.algorithm}

    def public_pem(self) -> bytes:
        return bytes(
            self.private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )


# Making a 2048-bit RSA key takes a good part of a test: the tests take turns with eight made
# once. Each test uses fewer than eight, so the keys within one test (the issuer's, a forger's,
# a rotated one) still all differ.
_RSA_KEYS: list[rsa.RSAPrivateKey] = []
_RSA_TURNS = itertools.count()


def rsa_key(kid: str) -> Key:
    turn = next(_RSA_TURNS) % 8
    if turn == len(_RSA_KEYS):
        _RSA_KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return Key(kid, _RSA_KEYS[turn], "RS256")


def ec_key(kid: str) -> Key:
    return Key(kid, ec.generate_private_key(ec.SECP256R1()), "ES256")


@dataclass
class Issuer:
    """Discovery and JWKS of a fake issuer; ``keys`` can change, as a realm's do."""

    keys: list[Key]
    name: str = ISSUER
    up: bool = True
    jwks_requests: int = 0
    extra_jwks: list[dict[str, Any]] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(
                200,
                json={
                    "issuer": self.name,
                    "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
                    "token_endpoint": f"{ISSUER}/protocol/openid-connect/token",
                    "jwks_uri": f"{ISSUER}/protocol/openid-connect/certs",
                    "end_session_endpoint": f"{ISSUER}/protocol/openid-connect/logout",
                },
            )
        if request.url.path.endswith("/certs"):
            self.jwks_requests += 1
            return httpx.Response(
                200, json={"keys": [*self.extra_jwks, *(k.jwk() for k in self.keys)]}
            )
        return httpx.Response(404)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def at(seconds: int) -> int:
    """A moment this many seconds from now, as a token's times are written."""
    return int(time.time()) + seconds


def claims(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": ["lotse", "account"],
        "sub": "6f1c0a52-0000-4000-8000-000000000001",
        "iat": at(0),
        "exp": at(300),
        "preferred_username": "vhs-schwerte",
        "realm_access": {"roles": ["offline_access", "lotse-provider"]},
        "lotse_id": "vhs-schwerte",
        "lotse_org": "VHS Schwerte",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(key: Key, payload: dict[str, Any], **header: Any) -> str:
    headers = {"kid": key.kid} | header
    return jwt.encode(payload, key.private, algorithm=key.algorithm, headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict[str, Any], payload: dict[str, Any], secret: bytes | None) -> str:
    """A token PyJWT would refuse to make: alg none, or HS256 keyed with a public key."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = (
        b"" if secret is None else hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    )
    return f"{signing_input}.{b64(signature)}"


@pytest.fixture
def rsa_signer() -> Key:
    return rsa_key("rsa-1")


@pytest.fixture
def issuer(rsa_signer: Key) -> Issuer:
    return Issuer([rsa_signer])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def verifier(issuer: Issuer, clock: Clock) -> AsyncIterator[OidcVerifier]:
    config = OidcConfig(issuer=ISSUER, min_refetch_seconds=30)
    verifier = OidcVerifier(config, transport=issuer.transport(), clock=clock)
    await verifier.start()
    yield verifier
    await verifier.close()


# Starting


async def test_start_reads_the_discovery_document_and_the_keys(
    verifier: OidcVerifier, issuer: Issuer
) -> None:
    assert verifier.metadata.token_endpoint == f"{ISSUER}/protocol/openid-connect/token"
    assert verifier.metadata.end_session_endpoint == f"{ISSUER}/protocol/openid-connect/logout"
    assert issuer.jwks_requests == 1


async def test_an_issuer_that_does_not_answer_stops_the_start_with_one_line() -> None:
    down = Issuer([rsa_key("k")], up=False)
    verifier = OidcVerifier(OidcConfig(issuer=ISSUER), transport=down.transport())
    with pytest.raises(IssuerUnavailable) as refused:
        await verifier.start()
    message = str(refused.value)
    assert "\n" not in message
    assert f"{ISSUER}/.well-known/openid-configuration" in message
    assert "did not answer" in message


async def test_a_discovery_document_of_another_issuer_is_refused() -> None:
    impostor = Issuer([rsa_key("k")], name="https://evil.example/realms/lotse")
    verifier = OidcVerifier(OidcConfig(issuer=ISSUER), transport=impostor.transport())
    with pytest.raises(IssuerUnavailable, match=r"names the issuer 'https://evil\.example"):
        await verifier.start()


# Good tokens


async def test_a_providers_token_names_the_provider_by_its_lotse_id(
    verifier: OidcVerifier, rsa_signer: Key
) -> None:
    principal = await verifier.verify(sign(rsa_signer, claims()))
    assert principal == Principal(sub="vhs-schwerte", role=Role.PROVIDER, org="VHS Schwerte")


async def test_an_es256_token_verifies(issuer: Issuer, clock: Clock) -> None:
    signer = ec_key("ec-1")
    issuer.keys.append(signer)
    verifier = OidcVerifier(OidcConfig(issuer=ISSUER), transport=issuer.transport(), clock=clock)
    await verifier.start()
    principal = await verifier.verify(sign(signer, claims()))
    assert principal.role is Role.PROVIDER
    await verifier.close()


async def test_a_token_expired_within_the_leeway_is_accepted(
    verifier: OidcVerifier, rsa_signer: Key
) -> None:
    token = sign(rsa_signer, claims(exp=at(-20)))
    assert (await verifier.verify(token)).sub == "vhs-schwerte"


async def test_an_admin_without_lotse_id_is_named_by_username(
    verifier: OidcVerifier, rsa_signer: Key
) -> None:
    admin = claims(
        realm_access={"roles": ["lotse-admin"]},
        lotse_id=None,
        lotse_org=None,
        preferred_username="ki-admin",
    )
    assert await verifier.verify(sign(rsa_signer, admin)) == Principal("ki-admin", Role.ADMIN)


async def test_an_audience_given_as_one_string_is_accepted(
    verifier: OidcVerifier, rsa_signer: Key
) -> None:
    assert (await verifier.verify(sign(rsa_signer, claims(aud="lotse")))).role is Role.PROVIDER


async def test_a_token_without_kid_uses_the_one_key_there_is(
    verifier: OidcVerifier, rsa_signer: Key
) -> None:
    token = jwt.encode(claims(), rsa_signer.private, algorithm="RS256")
    assert (await verifier.verify(token)).sub == "vhs-schwerte"


async def test_the_claims_of_an_id_token_check_against_another_audience(
    verifier: OidcVerifier, rsa_signer: Key
) -> None:
    token = sign(rsa_signer, claims(aud="lotse-web", nonce="n-1"))
    assert (await verifier.claims(token, audience="lotse-web"))["nonce"] == "n-1"
    with pytest.raises(AuthenticationError, match="wrong audience"):
        await verifier.claims(token)


# The attacks of the issue, and their neighbours: each is a 401


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        (lambda: {"iss": "https://other.example/realms/lotse"}, "wrong issuer"),
        (lambda: {"aud": "another-client"}, "wrong audience"),
        (lambda: {"aud": None}, "missing claim aud"),
        (lambda: {"exp": at(-31)}, "token expired"),
        (lambda: {"nbf": at(60)}, "token not yet valid"),
        (lambda: {"iat": None}, "missing claim iat"),
        (lambda: {"exp": None}, "missing claim exp"),
    ],
)
async def test_a_token_whose_claims_do_not_check_out_is_refused(
    verifier: OidcVerifier,
    rsa_signer: Key,
    overrides: Callable[[], dict[str, Any]],
    reason: str,
) -> None:
    with pytest.raises(AuthenticationError, match=reason):
        await verifier.verify(sign(rsa_signer, claims(**overrides())))


async def test_a_token_signed_by_another_key_under_a_known_kid_is_refused(
    verifier: OidcVerifier,
) -> None:
    forger = rsa_key("rsa-1")  # the issuer's kid, someone else's key
    with pytest.raises(AuthenticationError, match="bad signature"):
        await verifier.verify(sign(forger, claims()))


async def test_an_unsigned_alg_none_token_is_refused(verifier: OidcVerifier) -> None:
    token = hand_made({"alg": "none", "typ": "JWT", "kid": "rsa-1"}, claims(), None)
    with pytest.raises(AuthenticationError, match="algorithm 'none' not allowed"):
        await verifier.verify(token)


async def test_hs256_keyed_with_the_issuers_public_key_is_refused(
    verifier: OidcVerifier, rsa_signer: Key
) -> None:
    token = hand_made(
        {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, claims(), rsa_signer.public_pem()
    )
    with pytest.raises(AuthenticationError, match="algorithm 'HS256' not allowed"):
        await verifier.verify(token)


async def test_an_rsa_key_named_in_an_es256_token_is_refused(
    verifier: OidcVerifier, rsa_signer: Key
) -> None:
    forged = sign(ec_key("rsa-1"), claims())  # ES256 header naming the RSA key's kid
    with pytest.raises(AuthenticationError, match="not an ES256 key"):
        await verifier.verify(forged)


async def test_a_malformed_token_is_refused(verifier: OidcVerifier) -> None:
    with pytest.raises(AuthenticationError, match="malformed token"):
        await verifier.verify("not-a-jwt")


async def test_an_unknown_kid_is_refused_after_one_refetch(
    verifier: OidcVerifier, issuer: Issuer, clock: Clock
) -> None:
    clock.now += 31
    with pytest.raises(AuthenticationError, match="unknown signing key 'stranger'"):
        await verifier.verify(sign(rsa_key("stranger"), claims()))
    assert issuer.jwks_requests == 2  # the start's fetch, and one more


async def test_a_flood_of_unknown_kids_makes_one_refetch(
    verifier: OidcVerifier, issuer: Issuer, clock: Clock
) -> None:
    clock.now += 31
    forged = [sign(rsa_key(f"stranger-{n}"), claims()) for n in range(3)] * 20
    results = await asyncio.gather(*(verifier.verify(t) for t in forged), return_exceptions=True)
    assert all(isinstance(r, AuthenticationError) for r in results)
    assert issuer.jwks_requests == 2


async def test_a_rotated_key_is_fetched_when_its_first_token_arrives(
    verifier: OidcVerifier, issuer: Issuer, clock: Clock, rsa_signer: Key
) -> None:
    rotated = rsa_key("rsa-2")
    issuer.keys = [rotated, rsa_signer]
    clock.now += 31
    assert (await verifier.verify(sign(rotated, claims()))).sub == "vhs-schwerte"
    assert (await verifier.verify(sign(rsa_signer, claims()))).sub == "vhs-schwerte"
    assert issuer.jwks_requests == 2


async def test_a_rotated_key_waits_for_the_refetch_interval(
    verifier: OidcVerifier, issuer: Issuer, clock: Clock
) -> None:
    with pytest.raises(AuthenticationError):
        await verifier.verify(sign(rsa_key("stranger"), claims()))
    rotated = rsa_key("rsa-2")
    issuer.keys.append(rotated)
    clock.now += 5
    with pytest.raises(AuthenticationError, match="unknown signing key 'rsa-2'"):
        await verifier.verify(sign(rotated, claims()))
    clock.now += 30
    assert (await verifier.verify(sign(rotated, claims()))).role is Role.PROVIDER


async def test_an_issuer_down_at_refetch_keeps_the_cached_keys(
    verifier: OidcVerifier, issuer: Issuer, clock: Clock, rsa_signer: Key
) -> None:
    issuer.up = False
    clock.now += 31
    with pytest.raises(AuthenticationError, match="unknown signing key"):
        await verifier.verify(sign(rsa_key("stranger"), claims()))
    assert (await verifier.verify(sign(rsa_signer, claims()))).sub == "vhs-schwerte"


async def test_keys_for_encryption_or_other_algorithms_are_not_used(
    issuer: Issuer, clock: Clock
) -> None:
    encryption = rsa_key("enc-1")
    issuer.extra_jwks = [
        encryption.jwk() | {"use": "enc", "alg": "RSA-OAEP"},
        {"kty": "oct", "kid": "hmac-1", "k": b64(b"0" * 32), "alg": "HS256"},
    ]
    verifier = OidcVerifier(OidcConfig(issuer=ISSUER), transport=issuer.transport(), clock=clock)
    await verifier.start()
    with pytest.raises(AuthenticationError, match="unknown signing key 'enc-1'"):
        await verifier.verify(sign(encryption, claims()))
    await verifier.close()


# Trusted tokens that name no one in Lotse: each is a 403 naming what is missing


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"realm_access": {"roles": ["offline_access"]}}, "none of the roles lotse-admin"),
        ({"realm_access": None}, "none of the roles"),
        ({"lotse_id": None}, "lotse-provider but no lotse_id claim"),
        ({"lotse_id": "  "}, "no lotse_id claim"),
        (
            {"realm_access": {"roles": ["lotse-provider", "lotse-advisor"]}},
            "carries lotse-provider and lotse-advisor",
        ),
    ],
)
async def test_a_token_without_a_usable_lotse_identity_is_denied(
    verifier: OidcVerifier, rsa_signer: Key, overrides: dict[str, Any], reason: str
) -> None:
    with pytest.raises(PermissionDenied, match=reason):
        await verifier.verify(sign(rsa_signer, claims(**overrides)))


def test_role_and_id_claims_follow_the_configured_paths() -> None:
    config = OidcConfig(
        issuer=ISSUER,
        role_claim="resource_access.lotse.roles",
        id_claim="attributes.lotse",
        roles={Role.ADMIN: "KI", Role.PROVIDER: "Träger", Role.ADVISOR: "Beratung"},
    )
    verifier = OidcVerifier(config)
    found = verifier.principal(
        {"resource_access": {"lotse": {"roles": ["Beratung"]}}, "attributes": {"lotse": ["adv-1"]}}
    )
    assert found == Principal("adv-1", Role.ADVISOR)


# Whom a service trusts


def settings(**values: str) -> CommonSettings:
    return CommonSettings.model_validate(values)


def test_without_an_issuer_the_local_key_is_trusted() -> None:
    verifier = verifier_from(settings(LOTSE_ENV="test", LOTSE_JWT_SECRET=SECRET))
    assert isinstance(verifier, LocalKeyVerifier)


def test_with_an_issuer_only_the_issuer_is_trusted() -> None:
    verifier = verifier_from(settings(LOTSE_ENV="production", LOTSE_OIDC_ISSUER=ISSUER))
    assert isinstance(verifier, OidcVerifier)
    assert verifier.config.issuer == ISSUER


def test_an_issuer_and_a_local_key_outside_development_are_refused_in_one_line() -> None:
    with pytest.raises(AmbiguousTrust) as refused:
        verifier_from(
            settings(LOTSE_ENV="production", LOTSE_OIDC_ISSUER=ISSUER, LOTSE_JWT_SECRET=SECRET)
        )
    assert "\n" not in str(refused.value)
    assert "unset LOTSE_JWT_SECRET" in str(refused.value)


def test_the_claim_settings_reach_the_verifier() -> None:
    verifier = verifier_from(
        settings(
            LOTSE_OIDC_ISSUER=ISSUER,
            LOTSE_OIDC_AUDIENCE="lotse-api",
            LOTSE_OIDC_ROLE_CLAIM="groups",
            LOTSE_OIDC_ROLE_ADVISOR="Beratung",
            LOTSE_OIDC_JWKS_MIN_REFETCH_SECONDS="2",
        )
    )
    assert isinstance(verifier, OidcVerifier)
    assert verifier.config.audience == "lotse-api"
    assert verifier.config.role_claim == "groups"
    assert verifier.config.role_names[Role.ADVISOR] == "Beratung"
    assert verifier.config.min_refetch_seconds == 2


async def test_in_development_both_are_trusted_each_for_its_own_tokens(
    issuer: Issuer, rsa_signer: Key
) -> None:
    verifier = verifier_from(
        settings(LOTSE_ENV="development", LOTSE_OIDC_ISSUER=ISSUER, LOTSE_JWT_SECRET=SECRET),
        transport=issuer.transport(),
    )
    assert isinstance(verifier, EitherVerifier)
    await verifier.start()
    local = JwtCodec(SECRET).issue("ki-admin", Role.ADMIN)
    assert (await verifier.verify(local)).sub == "ki-admin"
    assert (await verifier.verify(sign(rsa_signer, claims()))).sub == "vhs-schwerte"
    keyed_with_public = hand_made({"alg": "HS256", "typ": "JWT"}, claims(), rsa_signer.public_pem())
    with pytest.raises(AuthenticationError, match="bad signature"):
        await verifier.verify(keyed_with_public)
    await verifier.close()


# Through a route: 401 for an untrusted token, 403 naming what is missing


@pytest.fixture
async def api(verifier: OidcVerifier) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.state.verifier = verifier

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, str | None]:
        return {"sub": principal.sub, "role": principal.role.value}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


async def test_a_route_answers_403_naming_the_missing_role(
    api: httpx.AsyncClient, rsa_signer: Key
) -> None:
    token = sign(rsa_signer, claims(realm_access={"roles": []}))
    response = await api.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert (
        "none of the roles lotse-admin, lotse-provider, lotse-advisor" in response.json()["detail"]
    )


async def test_a_route_answers_401_for_a_token_of_another_issuer(
    api: httpx.AsyncClient, rsa_signer: Key
) -> None:
    token = sign(rsa_signer, claims(iss="https://other.example"))
    response = await api.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["detail"] == "wrong issuer"
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


async def test_a_route_reaches_the_provider_with_a_good_token(
    api: httpx.AsyncClient, rsa_signer: Key
) -> None:
    response = await api.get(
        "/me", headers={"Authorization": f"Bearer {sign(rsa_signer, claims())}"}
    )
    assert response.json() == {"sub": "vhs-schwerte", "role": "provider"}

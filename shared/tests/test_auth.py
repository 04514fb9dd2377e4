"""Bearer tokens: only our own, current, well-formed tokens let a caller in."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI

from lotse_shared.auth import (
    AuthenticationError,
    CurrentPrincipal,
    InsecureSecret,
    JwtCodec,
    LocalKeyVerifier,
    Principal,
    Role,
    require_role,
    resolve_secret,
)

SECRET = "a-test-signing-key-long-enough-for-hs256-0123456789"
OTHER_SECRET = "another-signing-key-long-enough-for-hs256-9876543210"


@pytest.fixture
def codec() -> JwtCodec:
    return JwtCodec(SECRET)


def claims(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    base: dict[str, Any] = {
        "iss": "lotse",
        "aud": "lotse",
        "sub": "vhs-schwerte",
        "role": "provider",
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def signed(payload: dict[str, Any]) -> str:
    return jwt.encode(payload, SECRET, algorithm="HS256")


# JwtCodec


def test_an_issued_token_verifies_to_the_same_principal(codec: JwtCodec) -> None:
    token = codec.issue("vhs-schwerte", Role.PROVIDER, "VHS Schwerte")

    assert codec.verify(token) == Principal("vhs-schwerte", Role.PROVIDER, "VHS Schwerte")


def test_a_token_without_organisation_verifies_with_none(codec: JwtCodec) -> None:
    principal = codec.verify(codec.issue("ki-admin", Role.ADMIN))

    assert principal == Principal("ki-admin", Role.ADMIN, None)


def test_an_issued_token_carries_the_agreed_claims(codec: JwtCodec) -> None:
    now = datetime(2030, 1, 1, 12, tzinfo=UTC)
    token = codec.issue(
        "advisor-7", Role.ADVISOR, "Jobcenter Unna", ttl=timedelta(minutes=30), now=now
    )

    header = jwt.get_unverified_header(token)
    payload = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "HS256"
    assert payload == {
        "iss": "lotse",
        "aud": "lotse",
        "sub": "advisor-7",
        "role": "advisor",
        "org": "Jobcenter Unna",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=30)).timestamp()),
    }


def test_an_expired_token_is_rejected_as_expired(codec: JwtCodec) -> None:
    token = codec.issue("vhs-schwerte", Role.PROVIDER, now=datetime.now(UTC) - timedelta(hours=9))

    with pytest.raises(AuthenticationError, match="expired"):
        codec.verify(token)


def test_a_token_expired_within_the_leeway_is_still_accepted(codec: JwtCodec) -> None:
    issued = datetime.now(UTC) - timedelta(minutes=10, seconds=3)
    token = codec.issue("vhs-schwerte", Role.PROVIDER, ttl=timedelta(minutes=10), now=issued)

    assert codec.verify(token).sub == "vhs-schwerte"


def test_a_token_issued_in_the_future_is_rejected(codec: JwtCodec) -> None:
    token = codec.issue("vhs-schwerte", Role.PROVIDER, now=datetime.now(UTC) + timedelta(hours=1))

    with pytest.raises(AuthenticationError, match="not yet valid"):
        codec.verify(token)


def test_a_token_signed_with_another_key_is_rejected(codec: JwtCodec) -> None:
    token = JwtCodec(OTHER_SECRET).issue("ki-admin", Role.ADMIN)

    with pytest.raises(AuthenticationError, match="bad signature"):
        codec.verify(token)


def test_a_token_for_another_audience_is_rejected(codec: JwtCodec) -> None:
    token = JwtCodec(SECRET, audience="someone-else").issue("ki-admin", Role.ADMIN)

    with pytest.raises(AuthenticationError, match="audience"):
        codec.verify(token)


def test_a_token_from_another_issuer_is_rejected(codec: JwtCodec) -> None:
    token = JwtCodec(SECRET, issuer="someone-else").issue("ki-admin", Role.ADMIN)

    with pytest.raises(AuthenticationError, match="issuer"):
        codec.verify(token)


def test_a_role_outside_the_enum_is_rejected(codec: JwtCodec) -> None:
    with pytest.raises(AuthenticationError, match="unknown role 'superuser'"):
        codec.verify(signed(claims(role="superuser")))


def test_a_role_that_is_not_a_string_is_rejected(codec: JwtCodec) -> None:
    with pytest.raises(AuthenticationError, match="unknown role"):
        codec.verify(signed(claims(role=["admin"])))


@pytest.mark.parametrize("claim", ["sub", "role", "exp", "iat", "iss", "aud"])
def test_a_token_missing_a_required_claim_is_rejected(codec: JwtCodec, claim: str) -> None:
    with pytest.raises(AuthenticationError, match=f"missing claim {claim}"):
        codec.verify(signed(claims(**{claim: None})))


def test_an_empty_subject_is_rejected(codec: JwtCodec) -> None:
    with pytest.raises(AuthenticationError, match="missing claim sub"):
        codec.verify(signed(claims(sub="")))


def test_an_organisation_that_is_not_a_string_is_rejected(codec: JwtCodec) -> None:
    with pytest.raises(AuthenticationError, match="org"):
        codec.verify(signed(claims(org={"name": "VHS"})))


def test_an_unsigned_alg_none_token_is_rejected(codec: JwtCodec) -> None:
    token = jwt.encode(claims(role="admin"), None, algorithm="none")

    with pytest.raises(AuthenticationError, match="algorithm not allowed"):
        codec.verify(token)


def test_a_token_signed_with_another_hmac_algorithm_is_rejected(codec: JwtCodec) -> None:
    token = jwt.encode(claims(), SECRET + SECRET, algorithm="HS512")

    with pytest.raises(AuthenticationError, match="algorithm not allowed"):
        codec.verify(token)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "a.b"])
def test_a_malformed_token_is_rejected(codec: JwtCodec, token: str) -> None:
    with pytest.raises(AuthenticationError):
        codec.verify(token)


def test_issuing_needs_a_timezone_aware_now(codec: JwtCodec) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        codec.issue("ki-admin", Role.ADMIN, now=datetime(2030, 1, 1))


def test_a_codec_refuses_an_empty_key() -> None:
    with pytest.raises(InsecureSecret):
        JwtCodec("")


# resolve_secret

STRONG = "k" * 32


@pytest.mark.parametrize("environment", ["production", "test"])
def test_a_strong_key_is_used_as_given(environment: str) -> None:
    assert resolve_secret(STRONG, environment) == STRONG


@pytest.mark.parametrize("environment", ["production", "test", "staging"])
@pytest.mark.parametrize("secret", [None, "", "   "])
def test_a_missing_key_is_refused_outside_development(environment: str, secret: str | None) -> None:
    with pytest.raises(InsecureSecret, match="LOTSE_JWT_SECRET") as refused:
        resolve_secret(secret, environment)

    assert "secrets.token_urlsafe(48)" in str(refused.value)


@pytest.mark.parametrize("environment", ["production", "test"])
def test_a_short_key_is_refused_outside_development(environment: str) -> None:
    with pytest.raises(InsecureSecret, match="31 characters") as refused:
        resolve_secret("k" * 31, environment)

    assert "LOTSE_JWT_SECRET" in str(refused.value)


@pytest.mark.parametrize("environment", ["production", "test", "development"])
@pytest.mark.parametrize(
    "secret",
    [
        "change-me",
        "CHANGEME",
        "Secret",
        "placeholder",
        "your-secret",
        "please-change-me-before-going-live-0123456789",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxChangeMe",
        "changethis",
    ],
)
def test_a_placeholder_key_is_refused_everywhere(environment: str, secret: str) -> None:
    with pytest.raises(InsecureSecret, match="placeholder") as refused:
        resolve_secret(secret, environment)

    assert "LOTSE_JWT_SECRET" in str(refused.value)


def test_development_without_a_key_signs_with_a_fresh_random_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="lotse_shared.auth"):
        first = resolve_secret(None, "development")
        second = resolve_secret(None, "development")

    assert first != second
    assert len(first) >= 64
    assert "will not survive a restart" in caplog.text


def test_development_accepts_a_short_key_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="lotse_shared.auth"):
        assert resolve_secret("dev-key", "development") == "dev-key"

    assert "shorter than 32" in caplog.text


# FastAPI dependencies


@pytest.fixture
async def client(codec: JwtCodec) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    app.state.verifier = LocalKeyVerifier(codec)

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, str | None]:
        return {"sub": principal.sub, "role": principal.role, "org": principal.org}

    @app.get("/directory")
    async def directory(
        principal: Annotated[Principal, Depends(require_role(Role.ADMIN))],
    ) -> dict[str, str]:
        return {"sub": principal.sub}

    @app.get("/offers")
    async def offers(
        principal: Annotated[Principal, Depends(require_role(Role.ADMIN, Role.PROVIDER))],
    ) -> dict[str, str]:
        return {"sub": principal.sub}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://lotse") as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_request_without_a_token_gets_401_with_a_bearer_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/me")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"] == "missing bearer token"


async def test_a_request_with_another_scheme_gets_401_with_a_bearer_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/me", headers={"Authorization": "Basic dXNlcjpwdw=="})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_a_request_with_a_bad_token_gets_401_saying_why(client: httpx.AsyncClient) -> None:
    token = JwtCodec(OTHER_SECRET).issue("ki-admin", Role.ADMIN)

    response = await client.get("/me", headers=bearer(token))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["detail"] == "bad signature"


async def test_a_request_with_an_expired_token_gets_401_token_expired(
    client: httpx.AsyncClient, codec: JwtCodec
) -> None:
    token = codec.issue("ki-admin", Role.ADMIN, now=datetime.now(UTC) - timedelta(days=1))

    response = await client.get("/me", headers=bearer(token))

    assert response.status_code == 401
    assert response.json()["detail"] == "token expired"


async def test_a_request_with_a_good_token_reaches_the_route_as_its_principal(
    client: httpx.AsyncClient, codec: JwtCodec
) -> None:
    token = codec.issue("vhs-schwerte", Role.PROVIDER, "VHS Schwerte")

    response = await client.get("/me", headers={"Authorization": f"bearer {token}"})

    assert response.status_code == 200
    assert response.json() == {"sub": "vhs-schwerte", "role": "provider", "org": "VHS Schwerte"}


async def test_a_role_that_is_not_allowed_gets_403(
    client: httpx.AsyncClient, codec: JwtCodec
) -> None:
    response = await client.get("/directory", headers=bearer(codec.issue("vhs", Role.PROVIDER)))

    assert response.status_code == 403
    assert response.json()["detail"] == "requires role admin"


async def test_any_of_several_allowed_roles_passes(
    client: httpx.AsyncClient, codec: JwtCodec
) -> None:
    provider = await client.get("/offers", headers=bearer(codec.issue("vhs", Role.PROVIDER)))
    advisor = await client.get("/offers", headers=bearer(codec.issue("jc-7", Role.ADVISOR)))

    assert provider.status_code == 200
    assert provider.json() == {"sub": "vhs"}
    assert advisor.status_code == 403
    assert advisor.json()["detail"] == "requires role admin or provider"


async def test_a_required_role_still_needs_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/directory")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_require_role_needs_at_least_one_role() -> None:
    with pytest.raises(ValueError, match="at least one role"):
        require_role()

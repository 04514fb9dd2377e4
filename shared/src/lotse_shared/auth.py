"""Bearer tokens: issuing and checking them, and the FastAPI dependencies that use them.

LotseError
├── AuthenticationError  — no token, or one we cannot trust: HTTP 401
├── PermissionDenied     — a trusted caller asking for something their role forbids: HTTP 403
└── InsecureSecret       — a signing key no one should run with: refuse to start

A service builds one ``TokenVerifier`` with ``lotse_shared.oidc.verifier_from(settings)``
— the local key's ``LocalKeyVerifier`` or an OpenID Connect issuer's ``OidcVerifier`` — and
stores it in ``app.state.verifier``; routes then ask for ``CurrentPrincipal`` or
``require_role(...)``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Protocol, runtime_checkable

import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param

from lotse_shared.errors import LotseError
from lotse_shared.identity import Principal, Role

__all__ = [
    "BEARER",
    "AuthenticationError",
    "CurrentPrincipal",
    "InsecureSecret",
    "JwtCodec",
    "LocalKeyVerifier",
    "PermissionDenied",
    "Principal",
    "Role",
    "TokenVerifier",
    "authenticate",
    "decode_checked",
    "require_role",
    "resolve_secret",
]

log = logging.getLogger(__name__)

_ALGORITHM = "HS256"
_ROLES = frozenset(role.value for role in Role)
_MIN_SECRET_LENGTH = 32
_PLACEHOLDERS = frozenset({"change-me", "changeme", "secret", "placeholder", "your-secret"})
# Matched anywhere in the key, so "please-change-me-42" is refused too; "changethis" is
# the placeholder of the FastAPI template these settings follow.
_PLACEHOLDER_PARTS = ("change-me", "changeme", "changethis")
_GENERATE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


class AuthenticationError(LotseError):
    """The caller could not be identified; ``str(exc)`` says why, e.g. "token expired"."""


class PermissionDenied(LotseError):
    """The caller is known but their role or organisation does not allow this."""


class InsecureSecret(LotseError):
    """The signing key is missing, too short or a placeholder where that is not allowed."""


class JwtCodec:
    """HS256 tokens with iss="lotse", aud="lotse", claims sub, role, org, iat, exp.

    ``verify`` accepts only tokens this codec's key signed with HS256 for the configured
    issuer and audience, not expired (``leeway`` seconds of clock skew allowed), carrying
    a non-empty ``sub`` and a known ``role``; anything else raises ``AuthenticationError``.
    """

    def __init__(
        self, secret: str, *, issuer: str = "lotse", audience: str = "lotse", leeway: float = 10.0
    ) -> None:
        if not secret:
            raise InsecureSecret("the signing key must not be empty")
        self._key = secret
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway

    @classmethod
    def from_secret(cls, secret: str | None, environment: str) -> JwtCodec:
        """The codec for LOTSE_JWT_SECRET as ``environment`` allows it (see ``resolve_secret``)."""
        return cls(resolve_secret(secret, environment))

    def issue(
        self,
        sub: str,
        role: Role,
        org: str | None = None,
        *,
        ttl: timedelta = timedelta(hours=8),
        now: datetime | None = None,
    ) -> str:
        if not sub:
            raise ValueError("sub must not be empty")
        issued_at = now if now is not None else datetime.now(UTC)
        if issued_at.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": sub,
            "role": Role(role).value,
            "iat": issued_at,
            "exp": issued_at + ttl,
        }
        if org is not None:
            claims["org"] = org
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM)

    def verify(self, token: str) -> Principal:
        claims = decode_checked(
            token,
            self._key,
            # A fixed list: the token's own header must never pick the algorithm ("none").
            algorithms=[_ALGORITHM],
            audience=self.audience,
            issuer=self.issuer,
            leeway=self.leeway,
            require=["iss", "aud", "sub", "role", "iat", "exp"],
        )
        return _principal(claims)


def decode_checked(
    token: str,
    key: Any,
    *,
    algorithms: list[str],
    audience: str,
    issuer: str,
    leeway: float,
    require: list[str],
) -> dict[str, Any]:
    """The token's claims, or ``AuthenticationError`` saying in a few words what is wrong."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=audience,
            issuer=issuer,
            leeway=leeway,
            options={"require": require},
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationError("token expired") from None
    except jwt.InvalidSignatureError:
        raise AuthenticationError("bad signature") from None
    except jwt.InvalidAlgorithmError:
        raise AuthenticationError(f"algorithm not allowed (only {', '.join(algorithms)})") from None
    except jwt.InvalidAudienceError:
        raise AuthenticationError("wrong audience") from None
    except jwt.InvalidIssuerError:
        raise AuthenticationError("wrong issuer") from None
    except jwt.MissingRequiredClaimError as exc:
        raise AuthenticationError(f"missing claim {exc.claim}") from None
    except jwt.ImmatureSignatureError:
        raise AuthenticationError("token not yet valid") from None
    except jwt.DecodeError:
        raise AuthenticationError("malformed token") from None
    except jwt.InvalidTokenError as exc:
        raise AuthenticationError(f"invalid token: {exc}") from None
    return claims


@runtime_checkable
class TokenVerifier(Protocol):
    """Turns a bearer token into the caller it vouches for, or refuses it.

    ``verify`` raises ``AuthenticationError`` for a token it cannot trust (401) and
    ``PermissionDenied`` for a trusted one that names no one in Lotse (403).
    """

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def verify(self, token: str) -> Principal: ...


class LocalKeyVerifier:
    """Tokens signed with ``LOTSE_JWT_SECRET`` (``lotse token issue``, development, tests)."""

    def __init__(self, codec: JwtCodec) -> None:
        self.codec = codec

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def verify(self, token: str) -> Principal:
        return self.codec.verify(token)


def _principal(claims: dict[str, Any]) -> Principal:
    sub, role, org = claims["sub"], claims["role"], claims.get("org")
    if not isinstance(sub, str) or not sub:
        raise AuthenticationError("missing claim sub")
    if org is not None and not isinstance(org, str):
        raise AuthenticationError("invalid claim org")
    if not isinstance(role, str) or role not in _ROLES:
        raise AuthenticationError(f"unknown role {role!r}")
    return Principal(sub=sub, role=Role(role), org=org)


def resolve_secret(secret: str | None, environment: str) -> str:
    """The signing key to use, or ``InsecureSecret`` when it must not be used.

    Only ``environment == "development"`` is lenient: there a missing key becomes a fresh
    random one (tokens then die with the process) and a short key is only warned about.
    Every other environment ("test", "production", or a typo) needs a key of at least 32
    characters. A placeholder such as "change-me" is refused everywhere.
    """
    lenient = environment == "development"
    if secret is None or not secret.strip():
        if not lenient:
            raise InsecureSecret(f"LOTSE_JWT_SECRET is not set; {_how_to_generate()}")
        log.warning(
            "LOTSE_JWT_SECRET is not set: signing tokens with a random key; "
            "tokens will not survive a restart"
        )
        return secrets.token_urlsafe(48)
    if _is_placeholder(secret):
        raise InsecureSecret(f"LOTSE_JWT_SECRET is a placeholder; {_how_to_generate()}")
    if len(secret) < _MIN_SECRET_LENGTH:
        if not lenient:
            raise InsecureSecret(
                f"LOTSE_JWT_SECRET has {len(secret)} characters, at least "
                f"{_MIN_SECRET_LENGTH} are needed; {_how_to_generate()}"
            )
        log.warning("LOTSE_JWT_SECRET is shorter than %d characters", _MIN_SECRET_LENGTH)
    return secret


def _is_placeholder(secret: str) -> bool:
    folded = secret.strip().casefold()
    return folded in _PLACEHOLDERS or any(part in folded for part in _PLACEHOLDER_PARTS)


def _how_to_generate() -> str:
    return f"generate one with: {_GENERATE}"


async def authenticate(request: Request) -> Principal:
    """The caller behind ``Authorization: Bearer <token>``; 401 when there is none or it fails."""
    verifier = getattr(request.app.state, "verifier", None)
    if not isinstance(verifier, TokenVerifier):
        # A wiring mistake, not the caller's: let it surface as a 500.
        raise RuntimeError("app.state.verifier must hold the TokenVerifier of bearer tokens")
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    if scheme.casefold() != "bearer" or not token:
        # RFC 6750 §3.1: no error code when the request carried no bearer credentials at all.
        raise HTTPException(
            401, detail="missing bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
    try:
        return await verifier.verify(token)
    except AuthenticationError as exc:
        raise HTTPException(
            401, detail=str(exc), headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
        ) from None
    except PermissionDenied as exc:
        raise HTTPException(
            403,
            detail=str(exc),
            headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
        ) from None


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require_role(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the authenticated caller, or 403 unless their role is one of ``roles``."""
    if not roles:
        raise ValueError("require_role needs at least one role")
    allowed = frozenset(roles)
    needed = " or ".join(role.value for role in roles)

    async def principal_with_role(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(403, detail=f"requires role {needed}")
        return principal

    return principal_with_role


# Declares the bearer scheme in OpenAPI (the docs' "Authorize" button); checking
# the token stays with authenticate(), so auto_error is off.
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="JWT",
    description=(
        "An access token of the configured OpenID Connect issuer (LOTSE_OIDC_ISSUER), or "
        "without one a token from `lotse token issue` (HS256, claims sub, role, org)."
    ),
)

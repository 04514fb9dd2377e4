"""Sessions, CSRF and security headers: what every request passes through.

The middleware finds the request's session (the cookie is only a random id),
renews its tokens at the issuer shortly before they expire (a refused renewal
ends the session), sets the page language, and puts security headers on every
answer. Routes that change something depend on :func:`csrf_protected`; routes
for one desk on :func:`signed_in_as`.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lotse_shared.identity import Role
from lotse_web import i18n
from lotse_web.adapters.session_store import Session
from lotse_web.bootstrap import Web
from lotse_web.login import IssuerUnreachable, LoginFailed, LoginProvider

__all__ = [
    "SESSION_COOKIE",
    "SIGN_IN_COOKIE",
    "CsrfRejected",
    "RoleRefused",
    "SecuredPages",
    "SignInRequired",
    "csrf_protected",
    "signed_in_as",
]

SESSION_COOKIE = "lotse_session"
CSRF_COOKIE = "lotse_csrf"  # only before sign-in: a double-submit token for the sign-in form
LANGUAGE_COOKIE = "lotse_lang"  # only before sign-in; afterwards the user's preference
# Only while signing in at the issuer: binds the sign-in to the browser that started it.
SIGN_IN_COOKIE = "lotse_sign_in"
PUBLIC_PREFIXES = ("/angebote", "/static")  # the public finder, and files any page loads
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

log = logging.getLogger(__name__)


def csp(form_targets: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy; ``form_targets``: where a form's answer may redirect.

    Browsers hold a form's redirect to ``form-action`` too, so the sign-out form, whose
    answer sends the browser on to the issuer, needs the issuer's origin there.
    """
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            " ".join(("form-action 'self'", *form_targets)),
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        )
    )


HEADERS = {
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SignInRequired(Exception):
    """No live session: sign in (again)."""

    def __init__(self, expired: bool) -> None:
        self.expired = expired


class RoleRefused(Exception):
    """Signed in, but this desk is for another role."""


class CsrfRejected(Exception):
    """A change without this session's CSRF token: refused, nothing changed."""


class SecuredPages:
    """ASGI middleware: session, language and CSRF token in ``scope["state"]``; security headers."""

    def __init__(self, app: ASGIApp, web: Web) -> None:
        self.app = app
        self.web = web

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        connection = HTTPConnection(scope)
        cookies = connection.cookies
        secure = self.web.settings.secure_cookies
        state = scope.setdefault("state", {})
        session: Session | None = None
        if _public(scope["path"]):
            # The public finder knows no one and sets no cookie (its pages name their
            # language), nor do the files its pages load.
            state.update(session=None, expired=False, csrf="", flash=[])
            await self.app(scope, receive, _secured(scope, send, csp(), started))
            return
        if session_id := cookies.get(SESSION_COOKIE):
            session = await self.web.sessions.find(session_id)
            login = self.web.login
            if session is not None and login is not None:
                session = await _with_fresh_tokens(self.web, login, session, session_id)
        state["session"] = session
        state["expired"] = bool(session_id) and session is None
        new_csrf: str | None = None
        if session is not None:
            state["csrf"] = session.csrf_token
            i18n.use(session.language)
            wants_page = scope["method"] == "GET" and "hx-request" not in connection.headers
            state["flash"] = await self.web.sessions.take_flash(session) if wants_page else []
        else:
            state["csrf"] = cookies.get(CSRF_COOKIE) or (new_csrf := secrets.token_urlsafe(32))
            i18n.use(cookies.get(LANGUAGE_COOKIE, i18n.DEFAULT))
            state["flash"] = []

        policy = csp(self.web.login.form_targets() if self.web.login else ())

        set_cookie = cookie(CSRF_COOKIE, new_csrf, secure=secure) if new_csrf else None
        await self.app(scope, receive, _secured(scope, send, policy, started, set_cookie))


def _public(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PUBLIC_PREFIXES)


def _secured(
    scope: Scope, send: Send, policy: str, started: float, set_cookie: str | None = None
) -> Send:
    """``send``, with the security headers (and ``set_cookie``) on the answer's start."""

    async def send_secured(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers.setdefault("Content-Security-Policy", policy)
            for name, value in HEADERS.items():
                headers.setdefault(name, value)
            headers.setdefault("Cache-Control", "no-store")
            # The page's time in this process, APIs included: what make bench-web reports.
            headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
            if set_cookie is not None:
                headers.append("Set-Cookie", set_cookie)
        await send(message)

    return send_secured


async def _with_fresh_tokens(
    web: Web, login: LoginProvider, session: Session, session_id: str
) -> Session | None:
    """The session, with tokens renewed if they expire within a minute; None if it ended."""
    now = datetime.now(UTC)
    if not login.needs_refresh(session.user, now):
        return session
    try:
        user = await login.refresh(session.user)
    except IssuerUnreachable as exc:  # the tokens may still do; the next page tries again
        log.warning("could not renew a session's tokens, trying again later: %s", exc)
        return session
    except LoginFailed as exc:
        # Another request of this session may have renewed them a moment ago, where the
        # issuer takes each refresh token only once.
        again = await web.sessions.find(session_id)
        if again is not None and not login.needs_refresh(again.user, now):
            return again
        log.info("the issuer refused to renew a session's tokens, the session ends: %s", exc)
        await web.sessions.end(session)
        return None
    await web.sessions.renew(session, user)
    return session


def cookie(name: str, value: str, *, secure: bool, max_age: int | None = None) -> str:
    """A Set-Cookie value: HttpOnly, SameSite=Lax, Secure outside development."""
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


async def csrf_protected(request: Request) -> None:
    """A dependency: a state-changing request must carry the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get("X-CSRF-Token")
    if not sent:
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    expected: str = request.state.csrf
    if not sent or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRejected


def signed_in_as(*roles: Role) -> Callable[[Request], Awaitable[Session]]:
    """A dependency: the live session of someone with one of ``roles``."""

    async def session_of(request: Request) -> Session:
        session: Session | None = request.state.session
        if session is None:
            raise SignInRequired(expired=request.state.expired)
        if roles and session.user.role not in roles:
            raise RoleRefused
        return session

    return session_of


AdvisorSession = Annotated[Session, Depends(signed_in_as(Role.ADVISOR))]
AnySession = Annotated[Session, Depends(signed_in_as())]
AdminSession = Annotated[Session, Depends(signed_in_as(Role.ADMIN))]
ProviderSession = Annotated[Session, Depends(signed_in_as(Role.PROVIDER))]


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


WebDep = Annotated[Web, Depends(web_of)]

"""Signing in and out: the development list, or the issuer's Authorization Code flow.

With an issuer the sign-in page offers one button. ``/sign-in/start`` keeps a
pending sign-in on the server, binds it to this browser with a short-lived cookie
and sends the browser to the issuer; ``/sign-in/callback`` takes that sign-in back
(once, for this browser only) and opens a session. Signing out ends every session
of the user here and then the issuer's session too.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from lotse_shared.identity import Role
from lotse_web import i18n
from lotse_web.adapters.sign_in_flows import SIGN_IN_LIFETIME
from lotse_web.entrypoints.pages import render
from lotse_web.entrypoints.security import (
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    WebDep,
    cookie,
    csrf_protected,
)
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_
from lotse_web.login import IssuerUnreachable, LoginFailed, RoleMissing, SignedInUser

__all__ = ["local_path", "router", "see_other"]

router = APIRouter(dependencies=[Depends(csrf_protected)])
log = logging.getLogger(__name__)

ACCOUNT_GROUPS = (
    (Role.ADVISOR, N_("Advisors")),
    (Role.PROVIDER, N_("Providers")),
    (Role.ADMIN, N_("KI coordinators")),
)
_BROWSER_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")  # what secrets.token_urlsafe(32) gives
_NEXT_LIMIT = 2000


def local_path(target: str | None, default: str = "/") -> str:
    """Only paths of this site: an open redirect would help phishing."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and len(target) <= _NEXT_LIMIT
    ):
        return target
    return default


def see_other(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


async def _sign_in_page(
    request: Request, web: WebDep, next: str, *, problem: str | None = None, status: int = 200
) -> Response:
    """The issuer's button, or in development the list of whom to sign in as."""
    groups = []
    if web.login is not None and web.login.kind == "development":
        accounts = await web.login.accounts()
        groups = [
            (label, [a for a in accounts if a.role is role])
            for role, label in ACCOUNT_GROUPS
            if any(a.role is role for a in accounts)
        ]
    return render(
        request,
        "account/sign_in.html",
        {
            "provider_kind": web.login.kind if web.login else None,
            "issuer": web.login.name if web.login else "",
            "start": "/sign-in/start?next=" + quote(next, safe="/"),
            "groups": groups,
            "next": next,
            "expired": request.query_params.get("expired") == "true" or request.state.expired,
            "problem": problem,
        },
        status=status,
    )


@router.get("/sign-in", summary="Sign in.")
async def sign_in_page(request: Request, web: WebDep, next: str = "/") -> Response:
    return await _sign_in_page(request, web, local_path(next))


@router.post("/sign-in", summary="Sign in as the chosen account (development only).")
async def sign_in(request: Request, web: WebDep) -> Response:
    form = await request.form()
    if web.login is None or web.login.kind != "development":
        return see_other("/sign-in")
    next = local_path(str(form.get("next", "/")))
    try:
        user = await web.login.sign_in_as(str(form.get("account", "")))
    except LoginFailed as exc:
        return await _sign_in_page(request, web, next, problem=str(exc), status=400)
    return await _open_session(request, web, user, next)


@router.get("/sign-in/start", summary="Go to the issuer to sign in.")
async def start_sign_in(request: Request, web: WebDep, next: str = "/") -> Response:
    if web.login is None or web.login.kind != "oidc":
        return see_other("/sign-in")
    redirect = await web.login.begin(local_path(next))
    browser = request.cookies.get(SIGN_IN_COOKIE, "")
    if not _BROWSER_ID.match(browser):
        browser = secrets.token_urlsafe(32)
    await web.sign_ins.keep(redirect.pending, browser)
    response = see_other(redirect.url)
    response.headers.append(
        "Set-Cookie",
        cookie(
            SIGN_IN_COOKIE, browser, secure=web.settings.secure_cookies,
            max_age=int(SIGN_IN_LIFETIME.total_seconds()),
        ),
    )  # fmt: skip
    return response


@router.get("/sign-in/callback", summary="The issuer sends the browser back here.")
async def finish_sign_in(request: Request, web: WebDep) -> Response:
    if web.login is None or web.login.kind != "oidc":
        return see_other("/sign-in")
    query = request.query_params
    browser = request.cookies.get(SIGN_IN_COOKIE)
    state = query.get("state")
    pending = await web.sign_ins.take(state, browser) if state else None
    if pending is None:
        log.warning("sign-in refused: its state is unknown, used, too old or another browser's")
        return await _sign_in_page(request, web, "/", status=400, problem=_(
            "This sign-in cannot be completed: it was started in another browser or window, "
            "it was used already, or it is older than ten minutes. You are not signed in. "
            "Please start again."))  # fmt: skip
    if query.get("error") or not query.get("code"):
        log.info("the issuer did not sign anyone in: %s", query.get("error", "no code"))
        return await _sign_in_page(request, web, pending.next, status=400, problem=_(
            "The sign-in at %(issuer)s was not completed, so you are not signed in. "
            "You can start again.", issuer=web.login.name))  # fmt: skip
    try:
        user = await web.login.complete(pending, query["code"])
    except RoleMissing as exc:
        if browser is not None and exc.id_token:
            await web.sign_ins.keep_refused(browser, exc.id_token)
        log.info("signed in at the issuer, but without a Lotse role: %s", exc.missing)
        context = {"name": exc.display_name, "missing": exc.missing, "issuer": web.login.name}
        return render(request, "account/no_role.html", context, status=403)
    except IssuerUnreachable as exc:
        log.warning("sign-in failed, the issuer did not answer: %s", exc)
        return await _sign_in_page(request, web, pending.next, status=503, problem=_(
            "%(issuer)s did not answer. You are not signed in. Please try again in a "
            "moment.", issuer=web.login.name))  # fmt: skip
    except LoginFailed as exc:
        log.warning("sign-in refused: %s", exc)
        return await _sign_in_page(request, web, pending.next, status=400, problem=_(
            "The answer from %(issuer)s could not be verified, so you are not signed in. "
            "Please start again. If this keeps happening, please tell the KI's "
            "coordinators.", issuer=web.login.name))  # fmt: skip
    return await _open_session(request, web, user, pending.next)


async def _open_session(request: Request, web: WebDep, user: SignedInUser, next: str) -> Response:
    if (chosen := request.cookies.get(LANGUAGE_COOKIE)) in i18n.LANGUAGES:
        await web.preferences.set_language(user.id, chosen)  # what they chose before signing in
    known = await web.preferences.signed_in(user.id, datetime.now(UTC))
    session_id, _session = await web.sessions.create(
        user, language=known.language, previous_visit_at=known.previous_visit_at
    )
    response = see_other(local_path(next))
    response.headers.append(
        "Set-Cookie", cookie(SESSION_COOKIE, session_id, secure=web.settings.secure_cookies)
    )
    return response


@router.post("/sign-out", summary="Sign out, on every device, and at the issuer.")
async def sign_out(request: Request, web: WebDep) -> Response:
    session = request.state.session
    target = "/sign-in"
    id_token = None
    if session is not None:
        await web.sessions.end_all_of(session.user.id)
        id_token = session.user.tokens.id_token if session.user.tokens else None
    else:  # signed in at the issuer without a Lotse role: end that session all the same
        id_token = await web.sign_ins.take_refused(request.cookies.get(SIGN_IN_COOKIE))
    if web.login is not None and (session is not None or id_token is not None):
        target = web.login.end_session_url(id_token) or target
    response = see_other(target)
    response.headers.append(
        "Set-Cookie", cookie(SESSION_COOKIE, "", secure=web.settings.secure_cookies, max_age=0)
    )
    return response

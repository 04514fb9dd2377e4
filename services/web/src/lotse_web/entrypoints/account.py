"""The start page, the interface language, the accessibility statement and feedback."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from lotse_shared.identity import Role
from lotse_web import i18n
from lotse_web.entrypoints.forms import FormState
from lotse_web.entrypoints.pages import nav_for, render
from lotse_web.entrypoints.security import (
    LANGUAGE_COOKIE,
    AdminSession,
    AnySession,
    WebDep,
    cookie,
    csrf_protected,
)
from lotse_web.entrypoints.sign_in import local_path, see_other
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(csrf_protected)])

FEEDBACK_LIMIT = 2000
FEEDBACK_LABELS = {"message": N_("Your message"), "reply_to": N_("Email address")}


@router.get("/", summary="The start page of the signed-in user's desk.")
async def home(request: Request, session: AnySession) -> Response:
    if session.user.role is Role.ADVISOR:
        return see_other("/needs")
    return render(request, "account/home.html", {"nav": nav_for(session, "/")})


@router.post("/language", summary="Switch the interface language.")
async def switch_language(request: Request, web: WebDep) -> Response:
    form = await request.form()
    language = str(form.get("language", ""))
    target = local_path(str(form.get("next", "/")))
    if language not in i18n.LANGUAGES:
        return see_other(target)
    response = see_other(target)
    session = request.state.session
    if session is not None:
        await web.preferences.set_language(session.user.id, language)
        await web.sessions.set_language(session.user.id, language)
    else:
        response.headers.append(
            "Set-Cookie",
            cookie(LANGUAGE_COOKIE, language, secure=web.settings.secure_cookies, max_age=31536000),
        )
    return response


@router.get("/accessibility", summary="Erklärung zur Barrierefreiheit.")
async def accessibility(request: Request) -> Response:
    return render(request, "account/accessibility.html")


@router.get("/feedback", summary="The feedback form on barriers.")
async def feedback_form(
    request: Request, page: Annotated[str | None, Query(max_length=300)] = None
) -> Response:
    return render(request, "account/feedback.html", {"state": FormState({"page": page or ""})})


@router.post("/feedback", summary="Send feedback on a barrier.")
async def send_feedback(request: Request, web: WebDep) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in ("message", "reply_to", "page")}
    errors: dict[str, list[str]] = {}
    if not values["message"]:
        errors["message"] = [_("Please describe what did not work.")]
    elif len(values["message"]) > FEEDBACK_LIMIT:
        errors["message"] = [_("At most 2,000 characters, please.")]
    if values["reply_to"] and ("@" not in values["reply_to"] or len(values["reply_to"]) > 254):
        errors["reply_to"] = [_("Please enter an email address, or leave the field empty.")]
    if errors:
        state = FormState(values, errors, labels=FEEDBACK_LABELS)
        return render(request, "account/feedback.html", {"state": state}, status=422)
    await web.feedback.receive(
        values["message"], values["page"][:300] or None, values["reply_to"] or None
    )
    session = request.state.session
    if session is not None:
        await web.sessions.flash(session, "success", _("Thank you. Your message was sent."))
        return see_other(local_path(values["page"]))
    return render(
        request,
        "errors/error.html",
        {"title": _("Thank you"), "message": _("Your message was sent."), "back": "/"},
    )


@router.get("/admin/feedback", summary="The feedback form's messages.")
async def feedback_messages(request: Request, _session: AdminSession, web: WebDep) -> Response:
    return render(request, "account/feedback_list.html", {"messages": await web.feedback.newest()})

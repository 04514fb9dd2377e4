"""The advisor's own things: how they are notified, and the emails Lotse sent them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from lotse_web.adapters.api import Conflict, Invalid, ServiceUnavailable
from lotse_web.entrypoints.forms import FormState, reason_in_words
from lotse_web.entrypoints.pages import render
from lotse_web.entrypoints.security import AdvisorSession, WebDep, csrf_protected
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import DELIVERY_STATUSES, N_

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(csrf_protected)])

SETTINGS_LABELS = {
    "mode": N_("Notification"),
    "digest_hour": N_("Hour of the daily email"),
    "min_score": N_("Minimum fit"),
    "language": N_("Language of your emails"),
}
KINDS = {"match_found": N_("new offer"), "match_invalidated": N_("offer no longer fits")}
EMAIL_LANGUAGES = (("de", "Deutsch"), ("en", "English"))


@router.get("/emails", summary="My emails: the delivery log.")
async def emails(request: Request, session: AdvisorSession, web: WebDep) -> Response:
    log = await web.notifications.delivery_log(session.user.api_token)
    rows = [
        row
        | {
            "kind": _(KINDS.get(row["kind"], row["kind"])),
            "status": _(DELIVERY_STATUSES.get(row["status"], row["status"])),
        }
        for row in log
    ]
    return render(request, "advisor/emails.html", {"rows": rows})


def _settings_page(request: Request, state: FormState, version: int, status: int = 200) -> Response:
    hours = [(str(h), f"{h:02d}:00") for h in range(24)]
    context = {
        "state": state,
        "version": version,
        "hours": hours,
        "email_languages": EMAIL_LANGUAGES,
    }
    return render(request, "account/settings.html", context, status=status)


def _percent(fraction: Any) -> str:
    return str(round(float(fraction) * 100))


@router.get("/settings", summary="My settings.")
async def settings(request: Request, session: AdvisorSession, web: WebDep) -> Response:
    advisor, version = await web.catalog.advisor(session.user.api_token, session.user.id)
    preference = advisor.get("notifications") or {}
    values = {
        "mode": preference.get("mode", "immediate"),
        "digest_hour": str(preference.get("digest_hour", 8)),
        "min_score": _percent(preference.get("min_score", 0)),
        "language": advisor.get("language", "de"),
    }
    return _settings_page(request, FormState(values, labels=SETTINGS_LABELS), version)


def _fraction(percent: str) -> Any:
    try:
        return round(float(percent.replace(",", ".")) / 100, 4)
    except ValueError:
        return percent  # the catalog names what is wrong with it


@router.post("/settings", summary="Save my settings.")
async def save_settings(request: Request, session: AdvisorSession, web: WebDep) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in
              ("mode", "digest_hour", "min_score", "language")}  # fmt: skip
    version = int(str(form.get("version", "0")) or 0)
    # A merge patch: a field left empty is not sent (null would remove it).
    notifications = {
        "mode": values["mode"],
        "digest_hour": values["digest_hour"],
        "min_score": _fraction(values["min_score"]) if values["min_score"] else "",
    }
    body: dict[str, Any] = {"notifications": {k: v for k, v in notifications.items() if v != ""}}
    if values["language"]:
        body["language"] = values["language"]
    try:
        await web.catalog.change_preferences(session.user.api_token, session.user.id, body, version)
    except Invalid as exc:
        errors: dict[str, list[str]] = {}
        for error in exc.field_errors:
            name = error.field.rsplit(".", 1)[-1]
            errors.setdefault(name if name in values else "mode", []).append(
                reason_in_words(error.reason)
            )
        return _settings_page(
            request, FormState(values, errors, labels=SETTINGS_LABELS), version, status=422
        )
    except Conflict:
        _advisor, current = await web.catalog.advisor(session.user.api_token, session.user.id)
        message = _("Your settings were changed elsewhere. Check them and save again.")
        return _settings_page(
            request, FormState(values, {"mode": [message]}, labels=SETTINGS_LABELS), current, 409
        )
    except ServiceUnavailable:
        message = _("Lotse cannot save right now. Nothing was saved; please try again shortly.")
        return _settings_page(
            request, FormState(values, {"mode": [message]}, labels=SETTINGS_LABELS), version, 503
        )
    await web.sessions.flash(session, "success", _("Your settings were saved."))
    return RedirectResponse("/settings", status_code=303)

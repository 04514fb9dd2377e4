"""The offer form: create, change, duplicate, and preview an offer before saving it.

Included by :mod:`provider`, whose router checks every POST's CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lotse_shared.region import Region
from lotse_web import i18n, labels
from lotse_web.adapters.api import (
    ApiError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServiceUnavailable,
)
from lotse_web.adapters.session_store import Session
from lotse_web.bootstrap import Web
from lotse_web.entrypoints.choices import form_choices, spoken_languages
from lotse_web.entrypoints.forms import FormState
from lotse_web.entrypoints.offer_form import (
    DATES,
    LABELS,
    RIGHT_TO_LEFT,
    TEXT_LANGUAGES,
    form_errors,
    from_offer,
    offer_body,
    offer_values,
)
from lotse_web.entrypoints.pages import render
from lotse_web.entrypoints.provider_access import (
    not_yours,
    own_offer,
    unavailable_message,
    version_of,
)
from lotse_web.entrypoints.provider_review import after_saving, own_review
from lotse_web.entrypoints.security import ProviderSession, WebDep
from lotse_web.i18n import gettext_ as _
from lotse_web.views import OfferView, offer_view, text_in

__all__ = ["router"]

router = APIRouter()

NEW_OFFER = {"delivery_mode": "in_person", "german_level_min": "A0", "german_level_max": "C2",
             "free_of_charge": "yes", "languages_of_instruction": ["de"]}  # fmt: skip


@dataclass(frozen=True)
class FormTarget:
    """Where the form goes: a new offer, or a change of offer ``offer_id`` at ``version``."""

    offer_id: str | None = None
    version: int | None = None
    title: str = ""  # the stored German title of the offer being changed
    copied_from: str | None = None  # the title of the offer this new one is a copy of
    reviewed: bool = False  # the KI reviews the provider's offers before advisors see them

    @property
    def action(self) -> str:
        return f"/provider/offers/{self.offer_id}/edit" if self.offer_id else "/provider/offers/new"

    @property
    def preview(self) -> str:
        return (
            f"/provider/offers/{self.offer_id}/preview"
            if self.offer_id
            else "/provider/offers/new/preview"
        )


def _translated(table: dict[str, str], chosen: Any = ()) -> list[tuple[str, str]]:
    """The options, and any code the offer has that the list does not know, as it is."""
    codes = [chosen] if isinstance(chosen, str) else list(chosen or [])
    unknown = [(c, c) for c in codes if c and c not in table]
    return [(code, _(words)) for code, words in table.items()] + unknown


def _choices(region: Region, state: FormState) -> dict[str, Any]:
    names = i18n.locale().languages
    return form_choices(region) | {
        "course_types": _translated(labels.INTEGRATION_COURSE_TYPES, state.value("subcategory")),
        "target_groups": _translated(labels.TARGET_GROUPS, state.value("target_groups")),
        "entitlements": _translated(labels.ENTITLEMENTS, state.value("entitlement_required")),
        "delivery_modes": _translated(labels.DELIVERY_MODES),
        "instruction_languages": [("de", str(names.get("de", "de"))), *spoken_languages()],
        "text_languages": [
            (code, str(names.get(code, code)), "rtl" if code in RIGHT_TO_LEFT else "ltr")
            for code in TEXT_LANGUAGES
        ],
        "costs": [("yes", _("Free of charge")), ("no", _("Costs a fee"))],
    }


def offer_form(
    request: Request,
    web: Web,
    state: FormState,
    target: FormTarget,
    *,
    status: int = 200,
    current: OfferView | None = None,
) -> Response:
    others = [f"{f}_{c}" for f in ("title", "description") for c in TEXT_LANGUAGES if c != "de"]
    context = _choices(web.region, state) | {
        "state": state,
        "target": target,
        "current": current,
        "other_languages_open": any(state.value(n) or state.errors.get(n) for n in others),
    }
    return render(request, "provider/offer_form.html", context, status=status)


async def _contact_of(web: Web, session: Session) -> str:
    """The provider's own mailbox from the directory, as a start for a new offer's contact."""
    providers = await web.catalog.providers(session.user.api_token)
    mine = next((p for p in providers if p["id"] == session.user.id), {})
    return str(mine.get("contact_email") or "")


@router.get("/provider/offers/new", summary="The form for a new offer.")
async def new_offer(request: Request, session: ProviderSession, web: WebDep) -> Response:
    values = NEW_OFFER | {"contact_email": await _contact_of(web, session)}
    target = FormTarget(reviewed=await _reviewed(web, session))
    return offer_form(request, web, FormState(values, labels=LABELS), target)


def _refused_form(
    request: Request, web: Web, values: dict[str, Any], target: FormTarget, exc: Exception
) -> Response:
    """The form again, everything typed kept, with the reason at each field."""
    if isinstance(exc, Invalid):
        state = FormState(values, form_errors(exc.field_errors) or
                          {"body": [exc.detail or exc.title]}, labels=LABELS)  # fmt: skip
        return offer_form(request, web, state, target, status=422)
    state = FormState(values, {"body": [unavailable_message()]}, labels=LABELS)
    return offer_form(request, web, state, target, status=503)


@router.post("/provider/offers/new", summary="Publish a new offer.")
async def publish(request: Request, session: ProviderSession, web: WebDep) -> Response:
    form = await request.form()
    values = offer_values(form)
    target = FormTarget(copied_from=str(form.get("copied_from") or "") or None,
                        reviewed=form.get("reviewed") == "1")  # fmt: skip
    if form.get("change"):  # back from the preview, to change something
        return offer_form(request, web, FormState(values, labels=LABELS), target)
    try:
        saved = await web.reviews.save_new(session.user.api_token, offer_body(values))
    except (Invalid, ServiceUnavailable) as exc:
        return _refused_form(request, web, values, target, exc)
    return await after_saving(web, session, saved, new=True)


async def _preview(
    request: Request, web: Web, session: Session, values: dict[str, Any], target: FormTarget
) -> Response:
    try:
        checked = await web.catalog.validate_offer(session.user.api_token, offer_body(values))
    except (Invalid, ServiceUnavailable) as exc:
        return _refused_form(request, web, values, target, exc)
    shown = checked["details"] | {
        "id": target.offer_id or "",
        "provider_id": checked.get("provider_id", session.user.id),
        "status": "published",
    }
    providers = {session.user.id: session.user.organisation or session.user.display_name}
    names = i18n.locale().languages
    translations = [  # advisors read German or English; newcomers may read these
        (code, str(names.get(code, code)), "rtl" if code in RIGHT_TO_LEFT else "ltr",
         values[f"title_{code}"])
        for code in TEXT_LANGUAGES
        if code not in ("de", i18n.current().code) and values.get(f"title_{code}")
    ]  # fmt: skip
    return render(request, "provider/preview.html", {
        "offer": offer_view(shown, providers, web.region),
        "translations": translations,
        "state": FormState(values, labels=LABELS),
        "target": target,
    })  # fmt: skip


@router.post("/provider/offers/new/preview", summary="A new offer as advisors will see it.")
async def preview_new(request: Request, session: ProviderSession, web: WebDep) -> Response:
    form = await request.form()
    target = FormTarget(copied_from=str(form.get("copied_from") or "") or None,
                        reviewed=form.get("reviewed") == "1")  # fmt: skip
    return await _preview(request, web, session, offer_values(form), target)


def _target_of(
    offer: dict[str, Any], version: int | None = None, *, reviewed: bool = False
) -> FormTarget:
    title = text_in(offer["title"], "de")[0]
    version = offer["version"] if version is None else version
    return FormTarget(offer["id"], version, title, reviewed=reviewed)


async def _reviewed(web: Web, session: Session) -> bool:
    """Whether the provider's offers wait for review now: what the form's button says."""
    try:
        page = await web.reviews.reviews(session.user.api_token, limit=1)
    except ServiceUnavailable:
        return False
    return bool(page.offers_reviewed)


_STILL_WORKED_ON = ("draft", "submitted", "changes_requested")


async def _editable(web: Web, session: Session, offer_id: str) -> dict[str, Any]:
    """The offer as the form starts from: what the provider last wrote while it is under
    review, else the published offer; with the ``version`` saving it is checked against."""
    review = await own_review(web, session, offer_id)
    try:
        offer: dict[str, Any] | None = await own_offer(web, session, offer_id)
    except NotFound:
        offer = None
    if review and review["state"] in _STILL_WORKED_ON and review.get("working_copy"):
        published = offer if offer and offer["status"] == "published" else None
        version = published["version"] if published else review["version"]
        return dict(review["working_copy"]) | {"id": offer_id, "version": version,
                                               "provider_id": session.user.id, "status": "draft"}  # fmt: skip
    if offer is None:
        raise not_yours()
    return offer


@router.get("/provider/offers/{offer_id}/edit", summary="The form to change an offer.")
async def edit_offer(
    request: Request, offer_id: str, session: ProviderSession, web: WebDep
) -> Response:
    offer = await _editable(web, session, offer_id)
    state = FormState(from_offer(offer), labels=LABELS)
    target = _target_of(offer, reviewed=await _reviewed(web, session))
    return offer_form(request, web, state, target)


@router.post("/provider/offers/{offer_id}/preview", summary="The changed offer, before saving.")
async def preview_change(
    request: Request, offer_id: str, session: ProviderSession, web: WebDep
) -> Response:
    offer = await _editable(web, session, offer_id)
    form = await request.form()
    target = _target_of(
        offer, version_of(form.get("version")), reviewed=form.get("reviewed") == "1"
    )
    return await _preview(request, web, session, offer_values(form), target)


@router.post("/provider/offers/{offer_id}/edit", summary="Save the changes of an offer.")
async def change_offer(
    request: Request, offer_id: str, session: ProviderSession, web: WebDep
) -> Response:
    stored = await _editable(web, session, offer_id)
    form = await request.form()
    values = offer_values(form)
    target = _target_of(
        stored, version_of(form.get("version")), reviewed=form.get("reviewed") == "1"
    )
    if form.get("change"):
        return offer_form(request, web, FormState(values, labels=LABELS), target)
    token = session.user.api_token
    try:
        saved = await web.reviews.save_change(
            token, offer_id, offer_body(values), target.version or 0
        )
    except (Forbidden, NotFound):
        raise not_yours() from None
    except Conflict:
        current = await _editable(web, session, offer_id)
        providers = {session.user.id: session.user.organisation or session.user.display_name}
        return offer_form(request, web, FormState(values, labels=LABELS), _target_of(current, reviewed=target.reviewed),
                          status=409, current=offer_view(current, providers, web.region))  # fmt: skip
    except (Invalid, ServiceUnavailable) as exc:
        return _refused_form(request, web, values, target, exc)
    except ApiError as exc:
        if exc.status != 409:
            raise
        state = FormState(values, {"body": [_("This offer is withdrawn or was rejected and "
                                             "cannot change any more. Duplicate it to offer it "
                                             "again.")]}, labels=LABELS)  # fmt: skip
        return offer_form(request, web, state, target, status=409)
    return await after_saving(web, session, saved, new=False)


@router.get("/provider/offers/{offer_id}/duplicate", summary="A new offer like this one.")
async def duplicate_offer(
    request: Request, offer_id: str, session: ProviderSession, web: WebDep
) -> Response:
    offer = await _editable(web, session, offer_id)
    values = from_offer(offer) | dict.fromkeys(DATES, "")  # the next run has its own dates
    target = FormTarget(copied_from=text_in(offer["title"], "de")[0],
                        reviewed=await _reviewed(web, session))  # fmt: skip
    return offer_form(request, web, FormState(values, labels=LABELS), target)

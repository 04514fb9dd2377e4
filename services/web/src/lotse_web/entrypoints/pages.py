"""Rendering: one Jinja environment with the gettext catalogs, filters and the page frame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from babel import Locale
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.templating import Jinja2Templates

from lotse_shared.identity import Role
from lotse_web import i18n, labels
from lotse_web.adapters.session_store import Session
from lotse_web.labels import N_
from lotse_web.provider_views import offer_row_words

__all__ = ["NavItem", "render", "retry_later", "template_environment", "templates"]


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    current: bool = False


NAV: dict[Role, tuple[tuple[str, str], ...]] = {
    Role.ADVISOR: (
        ("/needs", N_("My needs")),
        ("/needs/new", N_("Register a need")),
        ("/offers", N_("Offers")),
        ("/reports", N_("My reports")),
        ("/emails", N_("My emails")),
        ("/settings", N_("My settings")),
    ),
    Role.PROVIDER: (
        ("/provider/offers", N_("My offers")),
        ("/provider/offers/new", N_("New offer")),
        ("/provider/import", N_("Import offers")),
        ("/offers", N_("All offers")),
    ),
    Role.ADMIN: (
        ("/coordinator/reviews", N_("Review queue")),
        ("/coordinator/reports", N_("Problem reports")),
        ("/coordinator/coverage", N_("Coverage")),
        ("/coordinator/trend", N_("Trend")),
        ("/coordinator/providers", N_("Providers")),
        ("/coordinator/advisors", N_("Advisors")),
        ("/coordinator/delivery-problems", N_("Delivery problems")),
        ("/admin/feedback", N_("Accessibility feedback")),
        ("/offers", N_("All offers")),
    ),
}
ROLE_NAMES = {"advisor": N_("advisor"), "provider": N_("provider"), "admin": N_("coordinator")}


def _category(code: str) -> str:
    return i18n.gettext_(labels.CATEGORIES.get(code, code))


def _language_name(code: str) -> str:
    name = Locale.parse(i18n.current().code).languages.get(code)
    return str(name) if name else code


def template_environment(gettext: Callable[..., str], ngettext: Callable[..., str]) -> Environment:
    """The web app's templates, speaking the catalogs behind ``gettext`` and ``ngettext``."""
    env = Environment(
        loader=FileSystemLoader(str(resources.files("lotse_web") / "templates")),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def _environment() -> Environment:
    env = template_environment(i18n.gettext_, i18n.ngettext_)
    env.filters.update(
        day=i18n.day,
        moment=i18n.moment,
        number=i18n.number,
        percent=i18n.percent,
        category=_category,
        language_name=_language_name,
    )
    env.globals.update(
        languages=i18n.LANGUAGES,
        role_names=ROLE_NAMES,
        need_statuses=labels.NEED_STATUSES,
        levels=labels.LEVELS,
        eligibility=labels.ELIGIBILITY,
        eligibility_explained=labels.ELIGIBILITY_EXPLAINED,
        decline_reasons=labels.DECLINE_REASONS,
        offer_statuses=labels.OFFER_STATUSES,
        row_words=offer_row_words,
    )
    return env


templates = Jinja2Templates(env=_environment())


def nav_for(session: Session | None, path: str) -> list[NavItem]:
    if session is None:
        return []
    items = NAV[session.user.role]
    best = max((href for href, _ in items if path == href or path.startswith(href + "/")),
               key=len, default=None)  # fmt: skip
    return [NavItem(href, label, href == best) for href, label in items]


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """A page in the request's language, with the frame every page has."""
    session: Session | None = request.state.session
    path = request.url.path
    here = path + (f"?{request.url.query}" if request.url.query else "")
    frame = {
        "lang": i18n.current(),
        "user": session.user if session else None,
        "csrf": request.state.csrf,
        "nav": nav_for(session, path),
        "here": here,
        "flash": request.state.flash,
    }
    return templates.TemplateResponse(request, name, frame | (context or {}), status_code=status)


def retry_later(
    request: Request,
    action: str,
    values: dict[str, str],
    shown: list[tuple[str, str]],
    back: str | None = None,
) -> HTMLResponse:
    """A 503 that keeps what was typed: the entries shown, and one button to send them again."""
    return render(request, "errors/retry.html",
                  {"action": action, "values": values, "shown": shown, "back": back},
                  status=503)  # fmt: skip

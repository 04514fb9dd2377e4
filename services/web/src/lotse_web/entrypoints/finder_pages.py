"""Rendering the finder: its own Jinja environment, speaking the ``finder`` catalogs.

The desks' environment speaks ``messages``; keeping the two apart lets the
finder have eight variants while the desks have two.
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from starlette.templating import Jinja2Templates

from lotse_web.entrypoints.pages import template_environment
from lotse_web.finder import languages, words

__all__ = ["finder_render"]


def _language_pair(code: str) -> tuple[str, str]:
    """A language code and its name in the visitor's language."""
    name = Locale.parse(languages.current().locale).languages.get(code)
    return code, str(name) if name else code


def _environment() -> Environment:
    env = template_environment(languages.gettext_, languages.ngettext_)
    env.filters.update(
        day=languages.day, number=languages.number, bdi=languages.bdi, language_pair=_language_pair
    )
    env.globals.update(variants=languages.VARIANTS, kinds=words.KINDS, levels=words.LEVELS,
                       times=words.TIMES)  # fmt: skip
    return env


_templates = Jinja2Templates(env=_environment())


def finder_render(
    request: Request, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """A finder page in the request's variant, with links to the same page in every other."""
    variant = languages.current()
    rest = request.url.path.removeprefix(f"/angebote/{variant.code}")
    query = f"?{request.url.query}" if request.url.query else ""
    switch = [(v, f"/angebote/{v.code}{rest}{query}") for v in languages.VARIANTS.values()]
    frame = {"lang": variant, "switch": switch, "base": f"/angebote/{variant.code}"}
    return _templates.TemplateResponse(request, name, frame | context, status_code=status)

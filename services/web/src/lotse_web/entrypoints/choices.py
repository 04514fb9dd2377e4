"""The options of the forms' lists, in the page's language."""

from __future__ import annotations

from typing import Any

from lotse_shared.region import Region
from lotse_web import i18n, labels
from lotse_web.i18n import gettext_ as _

__all__ = ["form_choices", "municipalities", "spoken_languages"]


def _translated(table: dict[str, str]) -> list[tuple[str, str]]:
    return [(code, _(words)) for code, words in table.items()]


def municipalities(region: Region) -> list[tuple[str, str]]:
    return sorted(((m.ags, m.name) for m in region.municipalities.values()), key=lambda m: m[1])


def spoken_languages() -> list[tuple[str, str]]:
    names = i18n.locale().languages
    found = [(code, str(names.get(code, code))) for code in labels.SPOKEN_LANGUAGES]
    return sorted(found, key=lambda pair: pair[1])


def form_choices(region: Region) -> dict[str, Any]:
    return {
        "municipalities": municipalities(region),
        "spoken_languages": spoken_languages(),
        "levels": _translated(labels.LEVELS),
        "literacy": _translated(labels.LITERACY),
        "residence_statuses": _translated(labels.RESIDENCE_STATUSES),
        "categories": _translated(labels.CATEGORIES),
        "times_of_day": _translated(labels.TIMES_OF_DAY),
    }

"""Interface languages: gettext catalogs (Babel) per language, chosen per request.

The catalogs are the ``.po`` files under ``locales/``; they are compiled in memory
at start, so nothing generated is kept in the repository. Message ids are English.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

__all__ = ["LANGUAGES", "Language", "catalogs", "current", "gettext_", "ngettext_", "use"]


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself
    direction: str = "ltr"


LANGUAGES: dict[str, Language] = {
    "de": Language("de", "Deutsch"),
    "en": Language("en", "English"),
}
DEFAULT = "de"
_ZONE = ZoneInfo("Europe/Berlin")


def _load(code: str) -> gettext.NullTranslations:
    source = resources.files("lotse_web") / "locales" / code / "LC_MESSAGES" / "messages.po"
    with source.open("rb") as po:
        catalog = read_po(po, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


_CATALOGS: dict[str, gettext.NullTranslations] = {}


def catalogs() -> dict[str, gettext.NullTranslations]:
    if not _CATALOGS:
        _CATALOGS.update({code: _load(code) for code in LANGUAGES})
    return _CATALOGS


_current: ContextVar[str] = ContextVar("language", default=DEFAULT)


def use(code: str) -> None:
    """Render what follows in this request in ``code``."""
    _current.set(code if code in LANGUAGES else DEFAULT)


def current() -> Language:
    return LANGUAGES[_current.get()]


def gettext_(message: str, **values: object) -> str:
    """``message`` in the request's language, with ``%(name)s`` filled from ``values``."""
    translated = catalogs()[_current.get()].gettext(message)
    return translated % values if values else translated


def ngettext_(singular: str, plural: str, n: int) -> str:
    return catalogs()[_current.get()].ngettext(singular, plural, n)


def locale() -> Locale:
    return Locale.parse(_current.get())


def day(value: date | str | None) -> str:
    """A day as people write it here; API answers come as ISO strings."""
    if not value:
        return ""
    return _day(value if isinstance(value, str) else value.isoformat(), _current.get())


@lru_cache(maxsize=4096)
def _day(iso: str, code: str) -> str:
    # A list of fifty offers formats a hundred days; Babel takes longer for each than the
    # rest of its row, and a day's words never change.
    return format_date(date.fromisoformat(iso[:10]), format="medium", locale=Locale.parse(code))


def moment(value: datetime | str | None) -> str:
    """A moment in the district's time zone."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_datetime(value, format="short", tzinfo=_ZONE, locale=locale())


def number(value: float | int | Decimal | None) -> str:
    return format_decimal(value, locale=locale()) if value is not None else ""


def percent(value: float | None) -> str:
    return format_percent(value, locale=locale()) if value is not None else ""

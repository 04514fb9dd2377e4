"""The finder's eight language variants and their gettext catalogs (domain ``finder``).

The desks speak German and English from ``messages.po``; the public finder has
a catalog of its own per variant, ``locales/<code>/LC_MESSAGES/finder.po``, and
Leichte Sprache is German's ``finder_ls.po``. Message ids are English.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations
from markupsafe import Markup, escape

__all__ = [
    "DEFAULT",
    "VARIANTS",
    "Variant",
    "bdi",
    "catalog_path",
    "current",
    "day",
    "euros",
    "gettext_",
    "ngettext_",
    "number",
    "use",
]


@dataclass(frozen=True)
class Variant:
    code: str  # in the finder's addresses: /angebote/<code>/...
    name: str  # in the variant itself
    lang: str  # the BCP 47 tag pages carry
    locale: str  # Babel's locale for dates and numbers
    catalog: tuple[str, str]  # (locale folder, gettext domain)
    direction: str = "ltr"

    @property
    def text_language(self) -> str:
        """The language of an offer's texts to show: providers write German, not Leichte Sprache."""
        return self.locale


VARIANTS: dict[str, Variant] = {
    v.code: v
    for v in (
        Variant("de", "Deutsch", "de", "de", ("de", "finder")),
        Variant("ls", "Leichte Sprache", "de-x-ls", "de", ("de", "finder_ls")),
        Variant("en", "English", "en", "en", ("en", "finder")),
        Variant("ar", "العربية", "ar", "ar", ("ar", "finder"), "rtl"),
        Variant("uk", "Українська", "uk", "uk", ("uk", "finder")),
        Variant("tr", "Türkçe", "tr", "tr", ("tr", "finder")),
        Variant("fa", "فارسی", "fa", "fa", ("fa", "finder"), "rtl"),
        Variant("ru", "Русский", "ru", "ru", ("ru", "finder")),
    )
}
DEFAULT = "de"


def catalog_path(variant: Variant) -> str:
    folder, domain = variant.catalog
    return f"locales/{folder}/LC_MESSAGES/{domain}.po"


@lru_cache(maxsize=len(VARIANTS))
def _catalog(code: str) -> gettext.NullTranslations:
    variant = VARIANTS[code]
    source = resources.files("lotse_web").joinpath(catalog_path(variant))
    with source.open("rb") as po:
        catalog = read_po(po, locale=variant.locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


_current: ContextVar[str] = ContextVar("finder_language", default=DEFAULT)


def use(code: str) -> Variant:
    """Render what follows in this request in ``code`` (a known variant)."""
    _current.set(code if code in VARIANTS else DEFAULT)
    return current()


def current() -> Variant:
    return VARIANTS[_current.get()]


def gettext_(message: str, **values: object) -> str:
    """``message`` in the request's variant; with ``values``, as HTML with the values escaped
    (a value already marked up, such as :func:`bdi`'s, stays as it is)."""
    translated = _catalog(_current.get()).gettext(message)
    return escape(translated) % values if values else translated


def bdi(value: object) -> Markup:
    """A number or name isolated from the text around it, so it keeps its own direction."""
    return Markup("<bdi>%s</bdi>") % (value,)


def ngettext_(singular: str, plural: str, n: int, **values: object) -> str:
    """Raw for templates (Jinja fills ``%(num)d``); filled when ``values`` are given."""
    translated = _catalog(_current.get()).ngettext(singular, plural, n)
    return translated % ({"num": n} | values) if values else translated


def day(value: date | str | None) -> str:
    if not value:
        return ""
    iso = value if isinstance(value, str) else value.isoformat()
    return _day(iso[:10], current().locale)


@lru_cache(maxsize=8192)
def _day(iso: str, locale: str) -> str:
    return format_date(date.fromisoformat(iso), format="long", locale=Locale.parse(locale))


def number(value: int | float) -> str:
    return format_decimal(value, locale=current().locale)


def euros(value: str | float) -> str:
    return format_currency(float(value), "EUR", locale=current().locale)

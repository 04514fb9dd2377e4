"""The catalog's guard against personal data: in the fields a request names, and in free text.

A need is pseudonymous, so a request naming a personal field is refused
(``PERSONAL_FIELDS``). Where the catalog does take a few words — an
advisor's note on a problem with an offer, a coordinator's comment on a
decision — :func:`personal_data_in` finds an email address, a phone number
or a date of birth in them, so the text can be refused before it is stored,
emailed or published.
"""

from __future__ import annotations

import re
from datetime import date

from lotse_catalog.domain.errors import InvalidField

__all__ = ["PERSONAL_FIELDS", "personal_data_in", "refuse_personal_data"]

# Requests naming any of these are refused: a need is pseudonymous.
PERSONAL_FIELDS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "surname",
        "full_name",
        "birth_date",
        "date_of_birth",
        "birthday",
        "address",
        "street",
        "phone",
        "telephone",
        "mobile",
        "email",
        "nationality",
        "citizenship",
        "passport",
        "passport_number",
        "document_number",
        "id_number",
    }
)

_EMAIL = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_MONTHS = "jan|feb|mär|mar|apr|mai|may|jun|jul|aug|sep|okt|oct|nov|dez|dec"  # German and English
_DATE = re.compile(
    r"(?<!\d)(?:"
    r"(?P<d1>\d{1,2})\s*[./-]\s*(?P<m1>\d{1,2})\s*[./-]\s*(?P<y1>\d{4}|\d{2})"
    r"|(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})"
    rf"|(?P<d3>\d{{1,2}})\.?\s+(?P<m3>(?:{_MONTHS})[a-zä]*)\.?\s+(?P<y3>\d{{4}})"
    r")(?!\d)",
    re.IGNORECASE,
)
# Words that make the date after them a birthday: "geb. 3.4.1990", "born 1990-04-03", "* 3.4.90".
_BIRTH_CUE = re.compile(
    r"(?:geb\.|geboren|geburts\w*|born|birth\w*|d\.?o\.?b\.?|\*)\s*(?:am|on|:)?\s*$",
    re.IGNORECASE,
)
_PHONE_CUE = re.compile(r"(?:tel|telefon|phone|handy|mobil|mobile|fax|whatsapp)\b", re.IGNORECASE)
# Digits in groups, one separator between groups: "0231 123456", "+49 (231) 12-34", "0176/1234567".
_DIGIT_RUN = re.compile(r"\+?\(?\d+(?:(?:[ \t]?[/-][ \t]?|[ \t]|\)[ \t]?|[ \t]?\()\d+)*")
# Dates of offers lie near today; a whole date this many years back is someone's birthday.
_BIRTH_YEARS_BACK = 6


def _date_of_birth(text: str, today: date) -> bool:
    for found in _DATE.finditer(text):
        if _BIRTH_CUE.search(text[max(0, found.start() - 20) : found.start()]):
            return True
        year = int(next(y for y in found.group("y1", "y2", "y3") if y))
        if year < 100:  # a two-digit year on its own names no decade; only a cue says birthday
            continue
        if year <= today.year - _BIRTH_YEARS_BACK:
            return True
    return False


def _phone_number(text: str) -> bool:
    undated = _DATE.sub(" ", text)
    for found in _DIGIT_RUN.finditer(undated):
        run = found.group()
        digits = sum(c.isdigit() for c in run)
        cued = _PHONE_CUE.search(undated[max(0, found.start() - 15) : found.start()])
        dialled = run.lstrip("(").startswith(("+", "0"))
        if digits >= 7 or (digits >= 6 and dialled) or (digits >= 4 and cued):
            return True
    return False


def personal_data_in(text: str, today: date) -> str | None:
    """What personal data ``text`` holds — "an email address", "a phone number",
    "a date of birth" — or None. ``today`` dates the offers' own dates apart from birthdays."""
    if _EMAIL.search(text):
        return "an email address"
    if _date_of_birth(text, today):
        return "a date of birth"
    if _phone_number(text):
        return "a phone number"
    return None


def refuse_personal_data(field: str, text: str | None, today: date) -> None:
    """Raise :class:`InvalidField` naming ``field`` when ``text`` holds personal data."""
    if text and (found := personal_data_in(text, today)):
        raise InvalidField(
            field, f"holds {found}: describe the problem without anyone's personal data"
        )

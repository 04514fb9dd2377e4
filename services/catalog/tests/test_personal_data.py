"""The guard against personal data in free text: what it refuses and what it lets through."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotse_catalog.domain.errors import InvalidField
from lotse_catalog.domain.personal_data import personal_data_in, refuse_personal_data

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Kontakt: a.demir@ki-unna.example", "an email address"),
        ("schreibt an max (at) web.de", "an email address"),
        ("Tel. 0231 123456", "a phone number"),
        ("ruf an: +49 231 1234567", "a phone number"),
        ("(02304) 12345", "a phone number"),
        ("0176-1234567", "a phone number"),
        ("Handy 12345", "a phone number"),
        ("geb. 3.4.1990", "a date of birth"),
        ("born on 1990-04-03", "a date of birth"),
        ("* 03.04.90", "a date of birth"),
        ("Geburtsdatum: 3. April 2019", "a date of birth"),
        ("Frau K., 12.05.1985, sucht einen Platz", "a date of birth"),
    ],
)
def test_personal_data_in_a_note_is_found(text: str, found: str) -> None:
    assert personal_data_in(text, TODAY) == found


@pytest.mark.parametrize(
    "text",
    [
        "Der Kurs beginnt am 11.01.2027, nicht am 18.01.2027.",
        "Laut Flyer 2027-01-11 bis 2027-07-30",
        "16 Plätze, 5 frei, Raum 1.2, 9-12 Uhr",
        "Termine am 11.01. 18.01. 25.01.",
        "Rathausstraße 31, 58239 Schwerte",
        "Niemand geht seit 3 Wochen ans Telefon",
        "Seit dem 01.10.2026 voll",
        "Nur mit BAMF-Zulassung, nicht für Selbstzahler",
    ],
)
def test_what_a_report_needs_to_say_passes(text: str) -> None:
    assert personal_data_in(text, TODAY) is None


@given(
    st.from_regex(r"[a-z][a-z0-9.]{0,10}@[a-z]{2,10}\.(de|com|example)", fullmatch=True),
    st.text(alphabet="abc äöü,.", max_size=30),
)
def test_any_email_address_anywhere_is_refused_naming_the_field(email: str, around: str) -> None:
    with pytest.raises(InvalidField) as refused:
        refuse_personal_data("note", f"{around} {email} {around}", TODAY)
    assert refused.value.field == "note"
    assert "email address" in refused.value.reason

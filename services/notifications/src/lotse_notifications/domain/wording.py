"""The words of an email, in German and English. No I/O.

The templates lay a letter out; every phrase they show comes from here, so
a language is one more entry, not one more template.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

__all__ = ["WORDS", "eligibility", "found_heading", "gone_reason", "start"]

Language = Literal["de", "en"]

WORDS: dict[Language, dict[str, str]] = {
    "de": {
        "greeting": "Guten Tag",
        "intro": "Lotse hat Neuigkeiten zu Ihren Bedarfen.",
        "intro_digest": "hier ist Ihre Tagesübersicht von Lotse.",
        "need": "Bedarf",
        "provider": "Anbieter",
        "kind": "Art",
        "place": "Ort",
        "start": "Beginn",
        "eligibility": "Teilnahme",
        "fit": "Passung",
        "why": "Warum es passt",
        "apply": "Anmeldung",
        "view": "Ansehen und entscheiden",
        "gone_heading": "Nicht mehr verfügbar:",
        "closing": "Lotse schlägt vor, Sie entscheiden.",
        "privacy": "Diese E-Mail enthält keine personenbezogenen Daten; "
        "der Bedarf ist nur über seine Kennung genannt.",
        "unknown_provider": "Anbieter",
    },
    "en": {
        "greeting": "Hello",
        "intro": "Lotse has news about your needs.",
        "intro_digest": "here is your daily summary from Lotse.",
        "need": "Need",
        "provider": "Provider",
        "kind": "Kind",
        "place": "Place",
        "start": "Start",
        "eligibility": "Eligibility",
        "fit": "Fit",
        "why": "Why it fits",
        "apply": "Apply",
        "view": "View and decide",
        "gone_heading": "No longer available:",
        "closing": "Lotse proposes, you decide.",
        "privacy": "This email holds no personal data; the need is named by its reference only.",
        "unknown_provider": "Provider",
    },
}

_ELIGIBILITY: dict[Language, dict[str, str]] = {
    "de": {
        "eligible": "möglich",
        "check_required": "Voraussetzungen bitte prüfen",
        "self_payer_only": "nur als Selbstzahlende",
    },
    "en": {
        "eligible": "eligible",
        "check_required": "please check the requirements",
        "self_payer_only": "as a self-payer only",
    },
}

_GONE: dict[Language, dict[str, str]] = {
    "de": {
        "full": "ausgebucht",
        "withdrawn": "zurückgezogen",
        "changed": "geändert, passt nicht mehr",
    },
    "en": {"full": "fully booked", "withdrawn": "withdrawn", "changed": "changed, no longer fits"},
}


def found_heading(count: int, language: Language) -> str:
    if language == "en":
        return f"{count} new matching {'offer' if count == 1 else 'offers'}, best first:"
    if count == 1:
        return "Ein neues passendes Angebot:"
    return f"{count} neue passende Angebote, das beste zuerst:"


def start(first_day: date | None, rolling: bool, language: Language) -> str:
    if rolling:
        return "join any time" if language == "en" else "laufender Einstieg"
    if first_day is None:
        return "by arrangement" if language == "en" else "nach Absprache"
    return first_day.isoformat() if language == "en" else first_day.strftime("%d.%m.%Y")


def eligibility(hint: str | None, language: Language) -> str:
    return _ELIGIBILITY[language].get(hint or "eligible", hint or "")


def gone_reason(reason: str | None, language: Language) -> str:
    fallback = "no longer fits" if language == "en" else "passt nicht mehr"
    return _GONE[language].get(reason or "", fallback)

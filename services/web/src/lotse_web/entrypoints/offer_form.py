"""The offer form: what it sends to the catalog, and the catalog's answers put back on it.

Nothing here decides what a valid offer is — the catalog does (``POST
/v1/offers/validate`` checks without storing). This turns typed text into the
catalog's ``OfferIn`` body, a stored offer back into form values, and the
catalog's field paths (``title.ar``, ``location.lat``) into the form's fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData

from lotse_web.adapters.api import FieldError
from lotse_web.entrypoints.forms import reason_in_words
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_

__all__ = [
    "DATES",
    "LABELS",
    "RIGHT_TO_LEFT",
    "TEXT_LANGUAGES",
    "form_errors",
    "from_offer",
    "offer_body",
    "offer_values",
]

# German first and required; then the languages most newcomers in the district read.
TEXT_LANGUAGES = ("de", "en", "ar", "uk", "tr", "fa", "ru")
RIGHT_TO_LEFT = frozenset({"ar", "fa"})
TEXTS = ("category", "subcategory", "municipality", "address", "lat", "lon", "delivery_mode",
         "age_min", "age_max", "german_level_min", "german_level_max", "entitlement_required",
         "start_date", "end_date", "application_deadline", "places_total", "places_available",
         "free_of_charge", "fee_eur", "contact_email", "how_to_apply")  # fmt: skip
LISTS = ("service_area", "target_groups", "residence_statuses", "languages_of_instruction",
         "support_languages", "times_of_day")  # fmt: skip
FLAGS = ("requires_latin_literacy", "rolling_start", "waitlist", "childcare", "barrier_free")
DATES = ("start_date", "end_date", "application_deadline")
_LOCATION = ("municipality", "address", "lat", "lon")
_DECIMALS = ("lat", "lon", "fee_eur")  # typed with a German decimal comma, sent with a point
_TRANSLATED = ("title", "description")

# What the error summary calls each field, in the order of the form.
LABELS = {
    "title_de": N_("Title in German"),
    "description_de": N_("Description in German"),
    "title_en": N_("Title in English"),
    "description_en": N_("Description in English"),
    "title_ar": N_("Title in Arabic"),
    "description_ar": N_("Description in Arabic"),
    "title_uk": N_("Title in Ukrainian"),
    "description_uk": N_("Description in Ukrainian"),
    "title_tr": N_("Title in Turkish"),
    "description_tr": N_("Description in Turkish"),
    "title_fa": N_("Title in Persian"),
    "description_fa": N_("Description in Persian"),
    "title_ru": N_("Title in Russian"),
    "description_ru": N_("Description in Russian"),
    "category": N_("Kind of offer"),
    "subcategory": N_("Type of integration course"),
    "age_min": N_("Youngest age"),
    "age_max": N_("Oldest age"),
    "german_level_min": N_("Lowest German level"),
    "german_level_max": N_("Highest German level"),
    "requires_latin_literacy": N_("Reading and writing"),
    "target_groups": N_("Target groups"),
    "residence_statuses": N_("Residence statuses"),
    "entitlement_required": N_("Entitlement"),
    "times_of_day": N_("Times"),
    "start_date": N_("Start"),
    "end_date": N_("End"),
    "rolling_start": N_("Joining any time"),
    "application_deadline": N_("Application deadline"),
    "municipality": N_("Municipality of the venue"),
    "address": N_("Address"),
    "lat": N_("Latitude"),
    "lon": N_("Longitude"),
    "delivery_mode": N_("How it takes place"),
    "service_area": N_("Other municipalities served"),
    "places_total": N_("Places in all"),
    "places_available": N_("Free places"),
    "waitlist": N_("Waiting list"),
    "free_of_charge": N_("Cost"),
    "fee_eur": N_("Fee"),
    "childcare": N_("Childcare"),
    "barrier_free": N_("Barrier-free venue"),
    "contact_email": N_("Contact email"),
    "how_to_apply": N_("How to apply"),
    "languages_of_instruction": N_("Languages of instruction"),
    "support_languages": N_("Languages of support"),
}


def offer_values(form: FormData) -> dict[str, Any]:
    """The form as typed, to show it again exactly so."""
    values: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in TEXTS}
    for field in _TRANSLATED:
        for language in TEXT_LANGUAGES:
            name = f"{field}_{language}"
            values[name] = str(form.get(name, "")).strip()
    values.update({name: [str(v) for v in form.getlist(name)] for name in LISTS})
    values.update({name: form.get(name) == "on" for name in FLAGS})
    return values


def _sent(name: str, value: str) -> str:
    return value.replace(",", ".") if name in _DECIMALS else value


def offer_body(values: Mapping[str, Any]) -> dict[str, Any]:
    """The catalog's ``OfferIn``: empty optional fields left out, numbers sent as typed."""
    given = {name: _sent(name, values[name]) for name in TEXTS if values.get(name)}
    body: dict[str, Any] = {
        field: {
            language: values[f"{field}_{language}"]
            for language in TEXT_LANGUAGES
            if values.get(f"{field}_{language}")
        }
        for field in _TRANSLATED
    }
    body["location"] = {name: given.pop(name) for name in _LOCATION if name in given}
    if "free_of_charge" in given:
        body["free_of_charge"] = given.pop("free_of_charge") == "yes"
    body.update(given)
    body.update({name: list(values.get(name) or []) for name in LISTS})
    if not body["languages_of_instruction"]:
        del body["languages_of_instruction"]  # the catalog's default: German
    body.update({name: bool(values.get(name)) for name in FLAGS})
    return body


def from_offer(offer: Mapping[str, Any]) -> dict[str, Any]:
    """A stored offer (or the details the catalog validated) as form values."""
    location = offer.get("location") or {}
    source = {**offer, **{name: location.get(name) for name in _LOCATION}}
    values: dict[str, Any] = {name: _shown(source.get(name)) for name in TEXTS}
    values["free_of_charge"] = "yes" if offer.get("free_of_charge", True) else "no"
    for field in _TRANSLATED:
        texts = offer.get(field) or {}
        for language in TEXT_LANGUAGES:
            values[f"{field}_{language}"] = str(texts.get(language, ""))
    values.update({name: list(offer.get(name) or []) for name in LISTS})
    values.update({name: bool(offer.get(name)) for name in FLAGS})
    return values


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Rules on several fields come back for the whole body; the rule names the field it is about.
_RULE_FIELDS = (
    ("age_min must not exceed", "age_min"),
    ("german_level_min must not exceed", "german_level_min"),
    ("start_date must not be after", "start_date"),
    ("application_deadline must not be after", "application_deadline"),
    ("places_available must not exceed", "places_available"),
    ("fee_eur", "fee_eur"),
    ("subcategory", "subcategory"),
    ("lat and lon", "lat"),
)
_REASONS = (
    (r"a German text \('de'\) is required", N_("Please enter the German text.")),
    (r"give both lat and lon", N_("Please give both latitude and longitude, or neither.")),
    (r"age_min must not exceed", N_("The youngest age must not be above the oldest age.")),
    (r"german_level_min must not exceed",
     N_("The lowest German level must not be above the highest.")),
    (r"start_date must not be after", N_("The start must not be after the end.")),
    (r"application_deadline must not be after",
     N_("The application deadline must not be after the end.")),
    (r"places_available must not exceed",
     N_("There cannot be more free places than places in all.")),
    (r"fee_eur is required", N_("Please enter the fee, or choose that the offer is free.")),
    (r"offer has no fee_eur", N_("A free offer has no fee: leave the fee empty, or choose "
                                  "that the offer costs a fee.")),
    (r"subcategory of an integration course",
     N_("Please choose one of the types of integration course.")),
    (r"not a valid email address", N_("Please enter an email address, for example "
                                      "kurse@vhs.example.")),
    (r"no more than 2 decimal places", N_("At most two digits after the decimal point.")),
    (r"^String should have at least 1 character", N_("Please fill this in.")),
)  # fmt: skip


def offer_reason(reason: str) -> str:
    """The catalog's reason for an offer's field, in the page's language."""
    for pattern, message in _REASONS:
        if re.search(pattern, reason):
            return _(message)
    return reason_in_words(reason)


def _form_field(error: FieldError) -> str:
    path = error.field
    head, _dot, rest = path.partition(".")
    if head in _TRANSLATED:
        return f"{head}_{rest or 'de'}"
    if head == "location":
        return rest if rest in _LOCATION else "lat"
    if head == "body":
        return next((f for words, f in _RULE_FIELDS if words in error.reason), "body")
    name = re.split(r"[.\[]", path, maxsplit=1)[0]
    return name if name in LABELS else "body"


def form_errors(errors: list[FieldError]) -> dict[str, list[str]]:
    """The catalog's field errors as the form's, each message once per field."""
    found: dict[str, list[str]] = {}
    for error in errors:
        message = offer_reason(error.reason)
        if message not in found.setdefault(_form_field(error), []):
            found[_form_field(error)].append(message)
    return found

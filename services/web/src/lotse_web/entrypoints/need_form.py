"""The need form: what it sends to the catalog, and the catalog's answers put back on it.

Nothing here decides what a valid need is — the catalog does; this only turns
typed text into the API's body and the API's field errors into the form's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData

from lotse_web.adapters.api import FieldError
from lotse_web.entrypoints.forms import reason_in_words
from lotse_web.labels import N_

__all__ = ["LABELS", "form_errors", "from_need", "need_body", "need_values"]

LISTS = ("languages", "categories", "times_of_day")
FLAGS = ("childcare_needed", "barrier_free_needed")
TEXTS = ("municipality", "age", "german_level", "literacy", "residence_status",
         "max_travel_km", "earliest_start", "case_reference")  # fmt: skip
# What the error summary calls each field, in the order of the form.
LABELS = {
    "case_reference": N_("Your case reference"),
    "municipality": N_("Municipality"),
    "age": N_("Age"),
    "languages": N_("Languages"),
    "german_level": N_("German level"),
    "literacy": N_("Reading and writing"),
    "residence_status": N_("Residence status"),
    "categories": N_("Kinds of offer"),
    "times_of_day": N_("Availability"),
    "childcare_needed": N_("Childcare"),
    "barrier_free_needed": N_("Barrier-free venue"),
    "max_travel_km": N_("Travel distance"),
    "earliest_start": N_("Earliest start"),
}


def need_values(form: FormData) -> dict[str, Any]:
    """The form as typed, to show it again exactly so."""
    values: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in TEXTS}
    values.update({name: [str(v) for v in form.getlist(name)] for name in LISTS})
    values.update({name: form.get(name) == "on" for name in FLAGS})
    return values


def need_body(values: Mapping[str, Any]) -> dict[str, Any]:
    """The catalog's request body; empty optional fields are left out, numbers sent as typed."""
    body: dict[str, Any] = {
        name: values[name] for name in TEXTS if values.get(name) not in (None, "")
    }
    for name in LISTS:
        body[name] = list(values.get(name) or [])
    for name in FLAGS:
        body[name] = bool(values.get(name))
    return body


def from_need(need: Mapping[str, Any]) -> dict[str, Any]:
    """A stored need as form values."""
    values: dict[str, Any] = {
        name: "" if need.get(name) is None else str(need[name]) for name in TEXTS
    }
    values["max_travel_km"] = _plain_number(need.get("max_travel_km"))
    values.update({name: list(need.get(name) or []) for name in LISTS})
    values.update({name: bool(need.get(name)) for name in FLAGS})
    return values


def _plain_number(value: Any) -> str:
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def form_errors(errors: list[FieldError]) -> dict[str, list[str]]:
    """The API's field paths (``categories[0]``, ``location.municipality``) as form fields."""
    found: dict[str, list[str]] = {}
    for error in errors:
        name = re.split(r"[.\[]", error.field, maxsplit=1)[0] or "body"
        if name not in LABELS:
            name = "body"
        message = reason_in_words(error.reason)
        if message not in found.setdefault(name, []):
            found[name].append(message)
    return found

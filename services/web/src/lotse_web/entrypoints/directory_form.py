"""The directory's forms: providers and advisors as typed, as sent, and the catalog's answers.

What a valid entry is stays the catalog's business; this turns the form into a
request body (or a merge patch) and the catalog's field errors into the form's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from lotse_web.adapters.api import FieldError
from lotse_web.entrypoints.forms import reason_in_words
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_

__all__ = ["ADVISORS", "PROVIDERS", "Entries", "entry_errors", "matches_search"]


@dataclass(frozen=True)
class Entries:
    """One kind of directory entry: its pages, fields, and the words for it."""

    kind: str  # "providers" or "advisors": the path and the client's name
    labels: Mapping[str, str]  # field -> label, in the order of the form
    required: tuple[str, ...]
    optional: tuple[str, ...]  # empty means "none": sent as null when changed
    email_field: str
    searched: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"/coordinator/{self.kind}"

    def values(self, form: FormData) -> dict[str, str]:
        """The form as typed, to show it again exactly so."""
        return {name: str(form.get(name, "")).strip() for name in self.labels}

    def from_entry(self, entry: Mapping[str, Any]) -> dict[str, str]:
        return {name: "" if entry.get(name) is None else str(entry[name]) for name in self.labels}

    def new_body(self, values: Mapping[str, str]) -> dict[str, Any]:
        """A registration: what was filled in; the catalog generates an id left empty."""
        return {name: values[name] for name in self.labels if values.get(name)}

    def patch(self, values: Mapping[str, str]) -> dict[str, Any]:
        """A merge patch of every field but the id; an emptied optional field is removed."""
        body: dict[str, Any] = {name: values.get(name, "") for name in self.required}
        body |= {name: values.get(name) or None for name in self.optional}
        return body


PROVIDERS = Entries(
    "providers",
    {
        "id": N_("Id"),
        "name": N_("Name"),
        "contact_email": N_("Contact email"),
        "municipality": N_("Seat"),
        "website": N_("Website"),
    },
    required=("name", "contact_email"),
    optional=("municipality", "website"),
    email_field="contact_email",
    searched=("id", "name", "contact_email"),
)
ADVISORS = Entries(
    "advisors",
    {
        "id": N_("Id"),
        "name": N_("Name"),
        "email": N_("Email address"),
        "organisation": N_("Organisation"),
        "municipality": N_("Municipality served"),
        "language": N_("Language of the emails"),
    },
    required=("name", "email", "organisation", "language"),
    optional=("municipality",),
    email_field="email",
    searched=("id", "name", "email", "organisation"),
)


def matches_search(entries: Entries, entry: Mapping[str, Any], query: str) -> bool:
    """Name, id or email contains the query, ignoring case; the lists are small."""
    wanted = query.casefold()
    return any(wanted in str(entry.get(name) or "").casefold() for name in entries.searched)


# The catalog's reasons for the directory's own fields; anything else as the need form says.
_FIELD_REASONS: tuple[tuple[str, str, str], ...] = (
    ("email", r"not a valid email address", N_("Please enter an email address, e.g. name@example.org.")),
    ("contact_email", r"not a valid email address",
     N_("Please enter an email address, e.g. info@example.org.")),
    ("website", r"should match pattern", N_("Please give the whole address, beginning with https://.")),
    ("id", r"should match pattern", N_("Please use only letters, digits and . _ - (at most 64).")),
    ("", r"^String should have at least 1 character", N_("Please fill this in.")),
    ("", r"is not a municipality of", N_("Please choose a municipality of the district.")),
)  # fmt: skip


def _in_words(field: str, reason: str) -> str:
    for name, pattern, message in _FIELD_REASONS:
        if name in ("", field) and re.search(pattern, reason):
            return _(message)
    return reason_in_words(reason)


def entry_errors(entries: Entries, errors: list[FieldError]) -> dict[str, list[str]]:
    """The catalog's field paths as the form's fields; the rest goes to the summary."""
    found: dict[str, list[str]] = {}
    for error in errors:
        name = re.split(r"[.\[]", error.field, maxsplit=1)[0] or "body"
        name = name if name in entries.labels else "body"
        message = _in_words(name, error.reason)
        if message not in found.setdefault(name, []):
            found[name].append(message)
    return found

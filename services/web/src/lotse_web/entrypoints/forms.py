"""Forms: what a user typed, what is wrong with it, and the APIs' reasons in words."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_

__all__ = ["FormState", "reason_in_words"]


class FormState:
    """What the user typed and what is wrong with it, for one render of the form."""

    def __init__(
        self,
        values: Mapping[str, Any],
        errors: Mapping[str, list[str]] | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        self.values = dict(values)
        self.errors = dict(errors or {})
        self.labels = dict(labels or {})

    def value(self, name: str) -> Any:
        return self.values.get(name, "")

    def checked(self, name: str, option: str) -> bool:
        chosen = self.values.get(name)
        return option in chosen if isinstance(chosen, list) else False

    def summary(self) -> list[tuple[str, str]]:
        """(field, "Label: message") pairs, in the order of the form."""
        order = list(self.labels)
        ordered = sorted(self.errors, key=lambda f: order.index(f) if f in order else len(order))
        return [
            (f, f"{_(self.labels[f])}: {m}" if f in self.labels else m)
            for f in ordered
            for m in self.errors[f]
        ]


# Pydantic's reasons, and the catalog's own, in the page's language; anything else as it came.
_REASONS: tuple[tuple[str, str], ...] = (
    (r"^Field required$", N_("Please fill this in.")),
    (r"^Input should be a valid integer", N_("Please enter a whole number.")),
    (r"^Input should be a valid number", N_("Please enter a number.")),
    (r"^Input should be greater than or equal to (?P<n>[\d.]+)$", N_("Must be at least {n}.")),
    (r"^Input should be less than or equal to (?P<n>[\d.]+)$", N_("Must be at most {n}.")),
    (r"^Input should be a valid date", N_("Please enter a date, for example 2027-01-31.")),
    (r"^List should have at least 1 item", N_("Please choose at least one.")),
    (r"^List should have at most (?P<n>\d+) items", N_("Please choose at most {n}.")),
    (r"^String should have at most (?P<n>\d+) characters", N_("At most {n} characters.")),
    (r"^String should match pattern", N_("Please use only letters, digits and . / # : - _")),
    (r"^Input should be ", N_("Please choose one of the options.")),
    (r"is not a municipality of", N_("Please choose a municipality of the district.")),
)


def reason_in_words(reason: str) -> str:
    for pattern, message in _REASONS:
        found = re.search(pattern, reason)
        if found:
            return _(message).format(**found.groupdict())
    return reason

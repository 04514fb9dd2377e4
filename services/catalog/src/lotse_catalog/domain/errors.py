"""What can go wrong in the catalog's use cases; the API maps each to one status.

CatalogError
├── InvalidField      — a value breaks a rule (422, names the field)
├── MalformedHeader   — a header that does not parse (400, names the header)
├── NotFound          — no such entity, or not the caller's (404)
├── Forbidden         — the caller may not do this (403)
├── Conflict          — the entity's state does not allow it (409)
├── StaleVersion      — changed since the caller read it (412)
└── VersionRequired   — a change without If-Match (428)
"""

from __future__ import annotations

__all__ = [
    "CatalogError",
    "Conflict",
    "Forbidden",
    "InvalidField",
    "MalformedHeader",
    "NotFound",
    "StaleVersion",
    "VersionRequired",
]


class CatalogError(Exception):
    """Base of the catalog's domain errors."""


class InvalidField(CatalogError):
    """A field's value is not acceptable; ``field`` names it, ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class MalformedHeader(CatalogError):
    """A request header is not what its grammar allows; ``header`` names it."""

    def __init__(self, header: str, reason: str) -> None:
        super().__init__(f"{header}: {reason}")
        self.header = header
        self.reason = reason


class NotFound(CatalogError):
    """The entity does not exist, or the caller may not know that it does."""


class Forbidden(CatalogError):
    """The caller is known but may not do this."""


class Conflict(CatalogError):
    """The entity exists already, or its state does not allow the change."""


class StaleVersion(CatalogError):
    """The entity changed since the version the caller sent in If-Match."""


class VersionRequired(CatalogError):
    """A change must say which version it was made against (If-Match)."""

"""What can go wrong in the catalog's use cases.

CatalogError
├── InvalidField   — a value breaks a rule (422, names the field)
├── NotFound       — no such entity (404)
└── Conflict       — the entity exists already (409)
"""

from __future__ import annotations

__all__ = ["CatalogError", "Conflict", "InvalidField", "NotFound"]


class CatalogError(Exception):
    """Base of the catalog's domain errors."""


class InvalidField(CatalogError):
    """A field's value is not acceptable; ``field`` names it, ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NotFound(CatalogError):
    """The entity does not exist (or is not visible to the caller)."""


class Conflict(CatalogError):
    """The entity already exists."""

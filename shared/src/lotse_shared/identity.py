"""Who is calling: roles and the authenticated principal. Plain Python, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Principal", "Role"]


class Role(StrEnum):
    ADMIN = "admin"
    PROVIDER = "provider"
    ADVISOR = "advisor"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``sub`` is the provider id for providers, the advisor id for advisors."""

    sub: str
    role: Role
    org: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

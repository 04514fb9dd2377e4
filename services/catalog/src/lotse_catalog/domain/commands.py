"""What callers ask the catalog to do, already parsed."""

from __future__ import annotations

from dataclasses import dataclass

from lotse_shared.contracts import Category

__all__ = ["PublishOffer", "RegisterAdvisor", "RegisterNeed"]


@dataclass(frozen=True)
class RegisterAdvisor:
    name: str
    email: str
    advisor_id: str | None = None


@dataclass(frozen=True)
class PublishOffer:
    title: str
    category: Category
    municipality: str
    provider_id: str | None = None


@dataclass(frozen=True)
class RegisterNeed:
    advisor_id: str
    municipality: str
    categories: tuple[Category, ...]
    case_reference: str | None = None

"""How lists of offers are filtered, ordered and paged: the parts of their queries."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select

from lotse_catalog.adapters import orm
from lotse_catalog.domain.errors import InvalidField
from lotse_catalog.domain.model import Offer
from lotse_shared.contracts import Category, OfferStatus

__all__ = [
    "ORDER",
    "OfferFilter",
    "OfferPage",
    "OfferSort",
    "decode_cursor",
    "encode_cursor",
    "filtered",
]


@dataclass(frozen=True)
class OfferFilter:
    category: Category | None = None
    municipality: str | None = None
    status: OfferStatus | None = None
    provider_id: str | None = None
    text: str | None = None
    updated_since: datetime | None = None
    ids: tuple[str, ...] = ()
    """Only these offers (any of them); empty means no restriction."""
    start_from: date | None = None
    start_until: date | None = None
    """With either bound, only offers with a start date within them (inclusive)."""


class OfferSort(StrEnum):
    """How a list of offers is ordered; ties are broken by id."""

    UPDATED = "updated"
    START_DATE = "start_date"
    START_DATE_DESC = "-start_date"
    TITLE = "title"


@dataclass(frozen=True)
class OfferPage:
    items: Sequence[Offer]
    next_cursor: str | None


def encode_cursor(updated_at: datetime, offer_id: str) -> str:
    raw = json.dumps([updated_at.isoformat(), offer_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        stamp, offer_id = json.loads(raw)
        return datetime.fromisoformat(stamp), str(offer_id)
    except (ValueError, TypeError) as exc:
        raise InvalidField("cursor", "not a cursor this API returned") from exc


_o = orm.offers.c
# Offers without a start date come last both ways: (start_date IS NULL) sorts them there
# on SQLite and PostgreSQL alike, whose own NULL orders differ.
ORDER: dict[OfferSort, tuple[Any, ...]] = {
    OfferSort.UPDATED: (_o.updated_at, _o.id),
    OfferSort.START_DATE: (_o.start_date.is_(None), _o.start_date, _o.id),
    OfferSort.START_DATE_DESC: (_o.start_date.is_(None), _o.start_date.desc(), _o.id),
    OfferSort.TITLE: (_o.title_sort, _o.id),
}


def filtered(query: Select[Any], where: OfferFilter) -> Select[Any]:
    o = orm.offers
    if where.category is not None:
        query = query.where(o.c.category == where.category.value)
    if where.municipality is not None:
        query = query.where(o.c.municipality == where.municipality)
    if where.status is not None:
        query = query.where(o.c.status == where.status.value)
    if where.provider_id is not None:
        query = query.where(o.c.provider_id == where.provider_id)
    if where.text:
        escaped = where.text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(o.c.title_search.like(f"%{escaped}%", escape="\\"))
    if where.updated_since is not None:
        query = query.where(o.c.updated_at >= where.updated_since)
    if where.ids:
        query = query.where(o.c.id.in_(where.ids))
    if where.start_from is not None or where.start_until is not None:
        query = query.where(o.c.start_date.is_not(None))
    if where.start_from is not None:
        query = query.where(o.c.start_date >= where.start_from)
    if where.start_until is not None:
        query = query.where(o.c.start_date <= where.start_until)
    return query

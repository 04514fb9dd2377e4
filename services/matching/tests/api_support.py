"""Events and headers the matching API tests share."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from lotse_matching.bootstrap import Matching
from lotse_matching.entrypoints.subscribers import apply_consumed
from lotse_shared.contracts import NeedRegistered, OfferPublished, OfferWithdrawn
from lotse_shared.envelope import decode, encode

SECRET = "matching-test-signing-key-0123456789-0123456789"
SCHWERTE, WERNE, HOLZWICKEDE = "05978028", "05978040", "05978016"
Headers = dict[str, str]


async def deliver(matching: Matching, event: Any) -> None:
    record = encode(event, source="/lotse/catalog")
    assert record.value is not None
    await apply_consumed(matching, [decode(record.headers, record.value)])


def offer(
    provider_id: str = "vhs",
    municipality: str = SCHWERTE,
    places: int = 4,
    category: str = "integration_course",
) -> OfferPublished:
    return OfferPublished.model_validate(
        {
            "offer_id": str(uuid.uuid4()),
            "provider_id": provider_id,
            "title": {"de": "Integrationskurs"},
            "description": {"de": "-"},
            "category": category,
            "location": {"municipality": municipality},
            "places_total": 20,
            "places_available": places,
            "contact_email": "kurse@vhs.example",
            "status": "published",
            "version": 1,
            "updated_at": datetime.now(UTC),
        }
    )


def withdrawn(published: OfferPublished) -> OfferWithdrawn:
    return OfferWithdrawn.model_validate(
        published.model_dump() | {"status": "withdrawn", "version": published.version + 1}
    )


def need(
    advisor_id: str = "adv-1",
    municipality: str = SCHWERTE,
    status: str | None = None,
    categories: tuple[str, ...] = ("integration_course",),
) -> NeedRegistered:
    return NeedRegistered.model_validate(
        {
            "need_id": str(uuid.uuid4()),
            "reference": "UNN-ABCDEF",
            "advisor_id": advisor_id,
            "municipality": municipality,
            "age": 30,
            "categories": list(categories),
            "residence_status": status,
            "status": "open",
            "expires_on": "2027-06-01",
            "version": 1,
            "updated_at": datetime.now(UTC),
        }
    )

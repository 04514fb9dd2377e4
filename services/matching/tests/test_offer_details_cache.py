"""Parsed offer details are reused for the same (id, version) and only for it."""

from __future__ import annotations

from types import SimpleNamespace

from lotse_matching.adapters.offer_details import OfferDetailsCache
from lotse_shared.contracts.examples import EXAMPLES

DETAILS = EXAMPLES["lotse.offer.published.v1"].model_dump(mode="json")


def row(offer_id: str, version: int, **changes: object) -> SimpleNamespace:
    return SimpleNamespace(id=offer_id, version=version, details=DETAILS | changes)


def test_a_version_is_parsed_once_and_a_new_version_afresh() -> None:
    cache = OfferDetailsCache()
    first = cache.details(row("o-1", 1))
    assert cache.details(row("o-1", 1)) is first
    changed = cache.details(row("o-1", 2, places_available=0))
    assert changed is not first and changed.places_available == 0
    assert cache.details(row("o-2", 1)) is not first


def test_forget_and_the_bound_start_afresh() -> None:
    cache = OfferDetailsCache(limit=2)
    first = cache.details(row("o-1", 1))
    cache.details(row("o-2", 1))
    cache.details(row("o-3", 1))  # over the limit: everything before is dropped
    assert cache.details(row("o-1", 1)) is not first
    kept = cache.details(row("o-3", 1))
    cache.forget()
    assert cache.details(row("o-3", 1)) is not kept

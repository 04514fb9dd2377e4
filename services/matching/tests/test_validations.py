"""What matching validates in full: each consumed event once, where it enters, and nothing more.

A hook counts every run of the validator of an offer's or a need's state
(``OfferDetails``, ``NeedDetails`` and the events built on them), however
pydantic is asked to run it: ``model_validate``, from JSON, or the
constructor. The record is encoded before the count starts; decoding it is
where it enters matching. Before, a need event was validated twice, an
offer event twice, and each stored need it was matched with twice more.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from lotse_matching.bootstrap import Matching, bootstrap
from lotse_matching.config import MatchingSettings
from lotse_matching.entrypoints.subscribers import apply_consumed
from lotse_shared.contracts import (
    NeedClosed,
    NeedDetails,
    NeedEvent,
    NeedRegistered,
    NeedUpdated,
    OfferDetails,
    OfferEvent,
    OfferPublished,
    OfferUpdated,
    OfferWithdrawn,
)
from lotse_shared.envelope import decode, encode
from services.matching.tests.api_support import SECRET, need, offer

_STATES = {
    "offer": (OfferDetails, OfferEvent, OfferPublished, OfferUpdated, OfferWithdrawn),
    "need": (NeedDetails, NeedEvent, NeedRegistered, NeedUpdated, NeedClosed),
}


class _Counting:
    """A model's validator that counts its runs in ``seen[kind]`` and passes them on."""

    def __init__(self, validator: Any, seen: Counter[str], kind: str) -> None:
        self._validator, self._seen, self._kind = validator, seen, kind

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._validator, name)
        if not name.startswith("validate_"):
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._seen[self._kind] += 1
            return found(*args, **kwargs)

        return counted


@contextmanager
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    seen: Counter[str] = Counter()
    with monkeypatch.context() as patch:
        for kind, models in _STATES.items():
            for model in models:
                validator = model.__dict__["__pydantic_validator__"]
                patch.setattr(model, "__pydantic_validator__", _Counting(validator, seen, kind))
        yield seen


def _record(event: Any) -> tuple[Any, bytes]:
    record = encode(event, source="/lotse/catalog")
    assert record.value is not None
    return record.headers, record.value


async def _consume(matching: Matching, seen: Counter[str], event: Any) -> dict[str, int]:
    """The validations consuming ``event`` runs, by kind of state."""
    headers, value = _record(event)
    before = dict(seen)
    await apply_consumed(matching, [decode(headers, value)])
    return {kind: seen[kind] - before.get(kind, 0) for kind in _STATES}


def test_the_hook_counts_a_validation_however_pydantic_runs_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers, value = _record(need())
    published = offer().model_dump()
    with counted(monkeypatch) as seen:
        decode(headers, value)
        NeedDetails.model_validate(
            {"municipality": "05978028", "age": 30, "categories": ["leisure"]}
        )
        NeedDetails(municipality="05978028", age=30, categories=["leisure"])  # type: ignore[list-item]
        OfferPublished.model_validate(published)
    assert seen == {"need": 3, "offer": 1}


async def test_a_consumed_need_event_is_validated_where_it_enters(
    matching: Matching, monkeypatch: pytest.MonkeyPatch
) -> None:
    with counted(monkeypatch) as seen:
        assert await _consume(matching, seen, need()) == {"need": 1, "offer": 0}  # before: 2


async def test_a_consumed_offer_event_is_validated_where_it_enters(
    matching: Matching, monkeypatch: pytest.MonkeyPatch
) -> None:
    with counted(monkeypatch) as seen:
        assert await _consume(matching, seen, offer()) == {"need": 0, "offer": 1}  # before: 2


async def test_stored_needs_an_offer_is_matched_with_are_not_validated_again(
    matching: Matching, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        await apply_consumed(matching, [decode(*_record(need()))])
    with counted(monkeypatch) as seen:
        # before: the event twice, then each need as the index caught up with it and as
        # loaded to be matched, {"need": 6, "offer": 2}
        assert await _consume(matching, seen, offer()) == {"need": 0, "offer": 1}


async def test_stored_offers_a_need_is_ranked_against_are_not_validated_again(
    matching: Matching, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = offer()
    await apply_consumed(matching, [decode(*_record(published))])
    with counted(monkeypatch) as seen:
        # before: the event twice, and the stored offer the first time this process read it,
        # {"need": 2, "offer": 1}, then {"need": 2, "offer": 0}
        assert await _consume(matching, seen, need()) == {"need": 1, "offer": 0}
        assert await _consume(matching, seen, need()) == {"need": 1, "offer": 0}


async def test_a_need_holding_a_changed_offer_is_not_validated_again(
    matching: Matching, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = offer()
    for event in (need(), published):
        await apply_consumed(matching, [decode(*_record(event))])
    changed = OfferUpdated.model_validate(
        published.model_dump() | {"places_available": 2, "version": 2}
    )
    with counted(monkeypatch) as seen:
        # before: the event twice and its new version once more as read back to re-rank the
        # need; the need as loaded to re-rank it and as one the offer fits: need 2, offer 3
        assert await _consume(matching, seen, changed) == {"need": 0, "offer": 1}


async def test_another_instance_parses_a_stored_offer_once_and_builds_stored_needs(
    matching: Matching, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for event in (offer(), need()):
        await apply_consumed(matching, [decode(*_record(event))])
    other = bootstrap(MatchingSettings(MATCHING_DATABASE_URL=database_url, LOTSE_JWT_SECRET=SECRET))
    try:
        with counted(monkeypatch) as seen:
            # the event, and the offer the first instance stored: new to this process
            assert await _consume(other, seen, need()) == {"need": 1, "offer": 1}
            assert await _consume(other, seen, offer()) == {"need": 0, "offer": 1}
    finally:
        await other.runtime.engine.dispose()

"""Use cases of the directory: providers and advisors, managed by KI coordinators.

Both kinds of entry are registered, revised and deactivated alike; a
``_Kind`` names what differs: where they are stored and which events say so.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from lotse_catalog.domain.errors import Conflict, NotFound
from lotse_catalog.domain.model import (
    Advisor,
    DirectoryEntry,
    Expected,
    Offer,
    Provider,
    require_municipality,
)
from lotse_catalog.service_layer.events import advisor_event, offer_event, provider_event
from lotse_catalog.service_layer.reviews import publish_closed
from lotse_catalog.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import (
    AdvisorDetails,
    AdvisorRegistered,
    AdvisorRemoved,
    AdvisorUpdated,
    Event,
    OfferWithdrawn,
    ProviderDetails,
    ProviderRegistered,
    ProviderUpdated,
)
from lotse_shared.region import Region

__all__ = [
    "deactivate_advisor",
    "deactivate_provider",
    "register_advisor",
    "register_provider",
    "revise_advisor",
    "revise_provider",
]

Entry = TypeVar("Entry", bound=DirectoryEntry[Any])


class _Entries(Protocol[Entry]):
    async def get(self, entity_id: str, *, for_update: bool = False) -> Entry | None: ...
    async def add(self, entity: Entry) -> None: ...
    async def save(self, entity: Entry) -> None: ...


@dataclass(frozen=True)
class _Kind(Generic[Entry]):
    noun: str
    entries: Callable[[UnitOfWork], _Entries[Entry]]
    new: Callable[[str, Any], Entry]
    event: Callable[[type[Event], Entry], Event]
    registered: type[Event]
    updated: type[Event]


_PROVIDERS = _Kind[Provider](
    "provider",
    lambda uow: uow.providers,
    lambda entry_id, details: Provider(id=entry_id, details=details),
    provider_event,
    ProviderRegistered,
    ProviderUpdated,
)
_ADVISORS = _Kind[Advisor](
    "advisor",
    lambda uow: uow.advisors,
    lambda entry_id, details: Advisor(id=entry_id, details=details),
    advisor_event,
    AdvisorRegistered,
    AdvisorUpdated,
)


async def _register(
    kind: _Kind[Entry], uow: UnitOfWork, region: Region, details: Any, entry_id: str | None
) -> Entry:
    require_municipality(region, "municipality", details.municipality)
    entry = kind.new(entry_id or str(uuid.uuid4()), details)
    async with uow:
        if await kind.entries(uow).get(entry.id) is not None:
            raise Conflict(f"{kind.noun} {entry.id} exists already")
        await kind.entries(uow).add(entry)
        await uow.publish([kind.event(kind.registered, entry)])
        await uow.commit()
    return entry


async def _locked(kind: _Kind[Entry], uow: UnitOfWork, entry_id: str) -> Entry:
    entry = await kind.entries(uow).get(entry_id, for_update=True)
    if entry is None:
        raise NotFound(f"no {kind.noun} {entry_id}")
    return entry


async def _revise(
    kind: _Kind[Entry],
    uow: UnitOfWork,
    region: Region,
    entry_id: str,
    details: Any,
    expected_version: Expected,
) -> Entry:
    require_municipality(region, "municipality", details.municipality)
    async with uow:
        entry = await _locked(kind, uow, entry_id)
        entry.revise(details, expected_version)
        await kind.entries(uow).save(entry)
        await uow.publish([kind.event(kind.updated, entry)])
        await uow.commit()
    return entry


async def _deactivate(
    kind: _Kind[Entry], uow: UnitOfWork, entry_id: str, event: type[Event]
) -> Entry:
    """Deactivate inside the caller's transaction and say so with ``event``."""
    entry = await _locked(kind, uow, entry_id)
    entry.deactivate()
    await kind.entries(uow).save(entry)
    await uow.publish([kind.event(event, entry)])
    return entry


async def register_provider(
    uow: UnitOfWork, region: Region, details: ProviderDetails, provider_id: str | None = None
) -> Provider:
    return await _register(_PROVIDERS, uow, region, details, provider_id)


async def revise_provider(
    uow: UnitOfWork, region: Region, provider_id: str, details: ProviderDetails
) -> Provider:
    return await _revise(_PROVIDERS, uow, region, provider_id, details, None)


async def deactivate_provider(uow: UnitOfWork, provider_id: str) -> tuple[Provider, list[Offer]]:
    """Deactivate a provider and withdraw its published offers in the same transaction;
    what of its offers waited for review is withdrawn too, so it can never be approved."""
    async with uow:
        provider = await _deactivate(_PROVIDERS, uow, provider_id, ProviderUpdated)
        withdrawn = list(await uow.offers.published_by(provider_id))
        for offer in withdrawn:
            offer.withdraw(expected_version=None)
            await uow.offers.save(offer)
        await uow.publish([offer_event(OfferWithdrawn, offer) for offer in withdrawn])
        for review in await uow.reviews.open_of_provider(provider_id):
            waited = review.pending
            review.withdraw()
            await uow.reviews.save(review)
            await publish_closed(uow, review, waited, None)
        await uow.commit()
    return provider, withdrawn


async def register_advisor(
    uow: UnitOfWork, region: Region, details: AdvisorDetails, advisor_id: str | None = None
) -> Advisor:
    return await _register(_ADVISORS, uow, region, details, advisor_id)


async def revise_advisor(
    uow: UnitOfWork,
    region: Region,
    advisor_id: str,
    details: AdvisorDetails,
    expected_version: Expected = None,
) -> Advisor:
    """Change an advisor's details and publish advisor.updated in the same transaction.

    With ``expected_version`` the change is refused (StaleVersion) unless the
    locked row is still at that version: an advisor's own change sends it, so
    it never overwrites a change they have not seen.
    """
    return await _revise(_ADVISORS, uow, region, advisor_id, details, expected_version)


async def deactivate_advisor(uow: UnitOfWork, advisor_id: str) -> Advisor:
    async with uow:
        advisor = await _deactivate(_ADVISORS, uow, advisor_id, AdvisorRemoved)
        await uow.commit()
    return advisor

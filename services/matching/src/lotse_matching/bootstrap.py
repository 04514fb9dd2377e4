"""The composition root of matching."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from lotse_matching.adapters import orm
from lotse_matching.adapters.repository import OfferDetailsCache
from lotse_matching.config import MatchingSettings
from lotse_matching.domain.eligibility import load_rules
from lotse_matching.domain.need_index import NeedIndex
from lotse_matching.domain.policy import MatchPolicy
from lotse_matching.service_layer import handlers
from lotse_matching.service_layer.unit_of_work import UnitOfWork
from lotse_shared.contracts import NEEDS, NeedEvent, OfferEvent
from lotse_shared.envelope import Envelope, Tombstone
from lotse_shared.errors import InvalidMessage
from lotse_shared.region import load_region
from lotse_shared.runtime import Runtime

__all__ = ["Matching", "bootstrap"]


@dataclass
class Matching:
    settings: MatchingSettings
    runtime: Runtime
    policy: MatchPolicy
    need_index: NeedIndex
    offer_details: OfferDetailsCache = field(default_factory=OfferDetailsCache)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(
            self.runtime.sessions,
            self.runtime.outbox,
            self.need_index,
            on_commit=self.runtime.wake_relay,
            offer_details=self.offer_details,
        )

    async def build_index(self) -> None:
        """Fill the need index from the store before the first offer needs it."""
        async with self.uow() as uow:
            await uow.read_model.catch_up()

    async def handle(self, envelope: Envelope) -> None:
        """Apply one consumed event."""
        await self.handle_batch([envelope])

    async def erase(self, topic: str, key: str) -> None:
        """A tombstone on the needs topic erases the need and its matches."""
        await self.handle_batch([Tombstone(topic, key)])

    async def handle_batch(self, items: Sequence[Envelope | Tombstone]) -> None:
        """Apply consumed events and tombstones in order, in one transaction.

        Raises :class:`InvalidMessage`, having changed nothing, when one of
        them can never be applied.
        """
        changes = [change for item in items if (change := _change(item)) is not None]
        if changes:
            await handlers.apply(changes, self.uow(), self.policy, self.settings.group_id)


def _change(item: Envelope | Tombstone) -> handlers.Change | None:
    """What ``item`` asks of matching; None for tombstones of other topics than needs."""
    if isinstance(item, Tombstone):
        return handlers.NeedErasure(item.key) if item.topic.endswith(NEEDS.name) else None
    event = item.event
    try:
        if isinstance(event, OfferEvent):
            return handlers.OfferChange(handlers.offer_from(event), item.id, item.traceparent)
        if isinstance(event, NeedEvent):
            return handlers.NeedChange(handlers.need_from(event), item.id, item.traceparent)
    except ValidationError as error:
        raise InvalidMessage(f"{item.type} {item.id}: {error.errors()[0]['msg']}") from error
    raise InvalidMessage(f"matching does not consume {item.type}")


def bootstrap(settings: MatchingSettings | None = None) -> Matching:
    settings = settings or MatchingSettings()
    runtime = Runtime.for_service(
        "lotse_matching", settings, database_url=settings.database_url, outbox_table=orm.outbox
    )
    region = load_region(settings.region_file)
    return Matching(
        settings=settings,
        runtime=runtime,
        policy=MatchPolicy(
            region=region,
            rules=load_rules(settings.eligibility_rules_file),
            max_per_need=settings.max_per_need,
        ),
        need_index=NeedIndex(region.municipalities),
    )

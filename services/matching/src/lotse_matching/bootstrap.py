"""The composition root of matching: builds it from its settings; tests pass fakes for its parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lotse_matching.adapters import orm
from lotse_matching.adapters.offer_details import OfferDetailsCache
from lotse_matching.config import MatchingSettings
from lotse_matching.domain.eligibility import load_rules
from lotse_matching.domain.need_index import NeedIndex
from lotse_matching.domain.policy import MatchPolicy
from lotse_matching.service_layer.unit_of_work import UnitOfWork
from lotse_shared.region import load_region
from lotse_shared.runtime import Runtime

__all__ = ["Matching", "bootstrap"]


@dataclass
class Matching:
    """Everything matching runs on, built once per process."""

    settings: MatchingSettings
    runtime: Runtime
    policy: MatchPolicy
    need_index: NeedIndex
    offer_details: OfferDetailsCache
    unit_of_work: Callable[[], UnitOfWork]

    def uow(self) -> UnitOfWork:
        return self.unit_of_work()

    async def build_index(self) -> None:
        """Fill the need index from the store before the first offer needs it."""
        async with self.uow() as uow:
            await uow.read_model.catch_up()


def bootstrap(
    settings: MatchingSettings | None = None,
    *,
    runtime: Runtime | None = None,
    unit_of_work: Callable[[], UnitOfWork] | None = None,
    policy: MatchPolicy | None = None,
) -> Matching:
    """Matching with its real database, outbox and rules, or the ``runtime``, the
    ``unit_of_work`` factory and the ``policy`` passed in."""
    settings = settings or MatchingSettings()
    runtime = runtime or Runtime.for_service(
        "lotse_matching", settings, database_url=settings.database_url, outbox_table=orm.outbox
    )
    if policy is None:
        region = load_region(settings.region_file)
        policy = MatchPolicy(
            region=region,
            rules=load_rules(settings.eligibility_rules_file),
            max_per_need=settings.max_per_need,
        )
    need_index = NeedIndex(policy.region.municipalities)
    offer_details = OfferDetailsCache()
    real = runtime

    def transaction() -> UnitOfWork:
        return UnitOfWork(
            real.sessions,
            real.outbox,
            need_index,
            on_commit=real.wake_relay,
            offer_details=offer_details,
        )

    return Matching(
        settings=settings,
        runtime=runtime,
        policy=policy,
        need_index=need_index,
        offer_details=offer_details,
        unit_of_work=unit_of_work or transaction,
    )

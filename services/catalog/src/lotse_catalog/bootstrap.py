"""The composition root: builds the catalog from its settings; tests pass fakes for its parts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lotse_catalog.adapters import orm
from lotse_catalog.adapters.provider_cache import ActiveProviders
from lotse_catalog.config import CatalogSettings
from lotse_catalog.service_layer.unit_of_work import UnitOfWork
from lotse_shared.region import Region, load_region
from lotse_shared.runtime import Runtime

__all__ = ["Catalog", "bootstrap"]


@dataclass
class Catalog:
    """Everything the catalog runs on, built once per process."""

    settings: CatalogSettings
    runtime: Runtime
    region: Region
    unit_of_work: Callable[[], UnitOfWork]

    def uow(self) -> UnitOfWork:
        return self.unit_of_work()


def bootstrap(
    settings: CatalogSettings | None = None,
    *,
    runtime: Runtime | None = None,
    unit_of_work: Callable[[], UnitOfWork] | None = None,
    region: Region | None = None,
) -> Catalog:
    """The catalog with its real database, outbox and region, or the ``runtime``, the
    ``unit_of_work`` factory and the ``region`` passed in."""
    settings = settings or CatalogSettings()
    runtime = runtime or Runtime.for_service(
        "lotse_catalog", settings, database_url=settings.database_url, outbox_table=orm.outbox
    )
    real = runtime
    providers = ActiveProviders(settings.provider_cache_seconds)

    def transaction() -> UnitOfWork:
        return UnitOfWork(
            real.sessions, real.outbox, on_commit=real.wake_relay, providers=providers
        )

    return Catalog(
        settings=settings,
        runtime=runtime,
        region=region or load_region(settings.region_file),
        unit_of_work=unit_of_work or transaction,
    )

"""The composition root: builds the catalog from its settings; tests swap parts."""

from __future__ import annotations

from dataclasses import dataclass

from lotse_catalog.adapters import orm
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

    def uow(self) -> UnitOfWork:
        return UnitOfWork(
            self.runtime.sessions, self.runtime.outbox, on_commit=self.runtime.wake_relay
        )


def bootstrap(settings: CatalogSettings | None = None) -> Catalog:
    settings = settings or CatalogSettings()
    runtime = Runtime.for_service(
        "lotse_catalog", settings, database_url=settings.database_url, outbox_table=orm.outbox
    )
    return Catalog(settings=settings, runtime=runtime, region=load_region(settings.region_file))

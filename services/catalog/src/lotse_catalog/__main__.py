"""``python -m lotse_catalog``: the catalog service on ``CATALOG_PORT``."""

from lotse_catalog.config import CatalogSettings
from lotse_shared.serving import serve

settings = CatalogSettings()

serve(
    "lotse_catalog.entrypoints.api:create_app",
    name="catalog",
    port=settings.port,
    settings=settings,
)

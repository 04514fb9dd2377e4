"""The catalog app over a real database (SQLite, then PostgreSQL), without Kafka.

The lifespan is not run: these tests read the outbox instead of a broker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from importlib import resources

import httpx
import pytest

from lotse_catalog.bootstrap import Catalog, bootstrap
from lotse_catalog.config import CatalogSettings
from lotse_catalog.entrypoints.api import create_app
from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role
from lotse_shared.migrations import upgrade
from services.catalog.tests.api_support import (
    SECRET,
    Headers,
    register_advisor,
    register_provider,
)


@pytest.fixture
async def catalog(database_url: str) -> AsyncIterator[Catalog]:
    # Offers publish at once here; the review's tests choose their policy (review_support).
    settings = CatalogSettings(
        CATALOG_DATABASE_URL=database_url,
        LOTSE_JWT_SECRET=SECRET,
        LOTSE_ENV="test",
        CATALOG_REVIEW_POLICY="off",
    )
    catalog = bootstrap(settings)
    await upgrade(catalog.runtime.engine, str(resources.files("lotse_catalog") / "migrations"))
    yield catalog
    await catalog.runtime.engine.dispose()


@pytest.fixture
async def api(catalog: Catalog) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(catalog))
    async with httpx.AsyncClient(transport=transport, base_url="http://catalog") as client:
        yield client


@pytest.fixture
def token() -> Callable[..., Headers]:
    codec = JwtCodec(SECRET)

    def headers(role: str, sub: str = "someone", **extra: str) -> Headers:
        return {"Authorization": f"Bearer {codec.issue(sub, Role(role))}", **extra}

    return headers


@pytest.fixture
def admin(token: Callable[..., Headers]) -> Headers:
    return token("admin", "ki-admin")


@pytest.fixture
async def provider(
    api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]
) -> Headers:
    """The provider vhs-schwerte, registered."""
    await register_provider(api, admin, "vhs-schwerte")
    return token("provider", "vhs-schwerte")


@pytest.fixture
async def advisor(api: httpx.AsyncClient, admin: Headers, token: Callable[..., Headers]) -> Headers:
    """The advisor adv-1, registered."""
    await register_advisor(api, admin, "adv-1")
    return token("advisor", "adv-1")

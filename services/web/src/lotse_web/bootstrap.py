"""The web app's composition root: settings in, everything it runs on out."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from lotse_shared.auth import JwtCodec, resolve_secret
from lotse_shared.database import create_engine
from lotse_shared.identity import Role
from lotse_shared.migrations import upgrade
from lotse_shared.region import Region, load_region
from lotse_web.adapters.catalog import CatalogClient
from lotse_web.adapters.development_login import DevelopmentLogin
from lotse_web.adapters.feedback import FeedbackBox
from lotse_web.adapters.matching import MatchingClient
from lotse_web.adapters.notifications import NotificationsClient
from lotse_web.adapters.preferences import UserPreferences
from lotse_web.adapters.session_store import SessionStore
from lotse_web.config import WebSettings
from lotse_web.login import Account, LoginProvider

__all__ = ["Web", "bootstrap"]


@dataclass
class Web:
    settings: WebSettings
    engine: AsyncEngine
    sessions: SessionStore
    preferences: UserPreferences
    feedback: FeedbackBox
    catalog: CatalogClient
    matching: MatchingClient
    notifications: NotificationsClient
    login: LoginProvider | None
    region: Region

    async def start(self) -> None:
        await upgrade(self.engine, str(resources.files("lotse_web") / "migrations"))

    async def stop(self) -> None:
        for client in (self.catalog, self.matching, self.notifications):
            await client.close()
        await self.engine.dispose()


def _admins(spec: str) -> list[Account]:
    found = []
    for pair in filter(None, (p.strip() for p in spec.split(","))):
        admin_id, _, name = pair.partition(":")
        found.append(Account(admin_id.strip(), Role.ADMIN, name.strip() or admin_id, "KI"))
    return found


def bootstrap(
    settings: WebSettings,
    *,
    login: LoginProvider | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Web:
    """Build the web app's parts; the development sign-in only ever in development.

    ``transport`` carries every API call instead of the network: tests pass fakes.
    """
    timeout = settings.api_timeout_seconds
    catalog = CatalogClient(settings.catalog_url, timeout=timeout, transport=transport)
    if login is None and settings.environment == "development":
        secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else None
        login = DevelopmentLogin(
            JwtCodec(resolve_secret(secret, settings.environment)),
            catalog,
            _admins(settings.dev_admins),
            token_ttl=settings.session_absolute,
        )
    engine = create_engine(settings.database_url)
    return Web(
        settings=settings,
        engine=engine,
        sessions=SessionStore(
            engine, idle=settings.session_idle, absolute=settings.session_absolute
        ),
        preferences=UserPreferences(engine),
        feedback=FeedbackBox(engine),
        catalog=catalog,
        matching=MatchingClient(settings.matching_url, timeout=timeout, transport=transport),
        notifications=NotificationsClient(
            settings.notifications_url, timeout=timeout, transport=transport
        ),
        login=login,
        region=load_region(settings.region_file),
    )

"""The web app's composition root: settings in, everything it runs on out."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from lotse_shared.auth import JwtCodec, resolve_secret
from lotse_shared.database import create_engine
from lotse_shared.identity import Role
from lotse_shared.migrations import upgrade
from lotse_shared.oidc import OidcConfig, OidcVerifier
from lotse_shared.region import Region, load_region
from lotse_web.adapters.catalog import CatalogClient
from lotse_web.adapters.development_login import DevelopmentLogin
from lotse_web.adapters.feedback import FeedbackBox
from lotse_web.adapters.matching import MatchingClient
from lotse_web.adapters.notifications import NotificationsClient
from lotse_web.adapters.oidc_login import OidcLogin
from lotse_web.adapters.preferences import UserPreferences
from lotse_web.adapters.public_offers import PublishedOffers
from lotse_web.adapters.reviews import ReviewClient
from lotse_web.adapters.session_store import SessionStore
from lotse_web.adapters.sign_in_flows import SignInFlows
from lotse_web.config import WebSettings
from lotse_web.login import Account, LoginProvider

__all__ = ["Web", "bootstrap"]


@dataclass
class Web:
    settings: WebSettings
    engine: AsyncEngine
    sessions: SessionStore
    sign_ins: SignInFlows
    preferences: UserPreferences
    feedback: FeedbackBox
    catalog: CatalogClient
    reviews: ReviewClient  # the catalog's review of offers and problem reports
    matching: MatchingClient
    notifications: NotificationsClient
    login: LoginProvider | None
    region: Region
    published: PublishedOffers

    async def start(self) -> None:
        """Migrate the database and reach the issuer; ``IssuerUnavailable`` stops the start."""
        await upgrade(self.engine, str(resources.files("lotse_web") / "migrations"))
        if self.login is not None:
            await self.login.start()

    async def stop(self) -> None:
        if self.login is not None:
            await self.login.close()
        for client in (self.catalog, self.matching, self.notifications):
            await client.close()
        await self.engine.dispose()


def _admins(spec: str) -> list[Account]:
    found = []
    for pair in filter(None, (p.strip() for p in spec.split(","))):
        admin_id, _, name = pair.partition(":")
        found.append(Account(admin_id.strip(), Role.ADMIN, name.strip() or admin_id, "KI"))
    return found


def _login(
    settings: WebSettings,
    catalog: CatalogClient,
    issuer_transport: httpx.AsyncBaseTransport | None,
) -> LoginProvider | None:
    """The issuer where one is configured; else the development sign-in, only in development."""
    if settings.oidc_issuer:
        secret = settings.oidc_client_secret
        return OidcLogin(
            OidcVerifier(OidcConfig.from_settings(settings), transport=issuer_transport),
            name=settings.oidc_name or urlsplit(settings.oidc_issuer).hostname or "",
            client_id=settings.oidc_client_id,
            client_secret=secret.get_secret_value() if secret else None,
            redirect_uri=settings.redirect_uri,
            post_logout_redirect_uri=settings.post_logout_redirect_uri,
            timeout=settings.api_timeout_seconds,
            transport=issuer_transport,
        )
    if settings.environment == "development":
        secret = settings.jwt_secret
        return DevelopmentLogin(
            JwtCodec(resolve_secret(secret.get_secret_value() if secret else None, "development")),
            catalog,
            _admins(settings.dev_admins),
            token_ttl=settings.session_absolute,
        )
    return None


def bootstrap(
    settings: WebSettings,
    *,
    login: LoginProvider | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    issuer_transport: httpx.AsyncBaseTransport | None = None,
) -> Web:
    """Build the web app's parts; the development sign-in only in development without an issuer.

    ``transport`` carries every API call instead of the network, ``issuer_transport``
    every call to the OpenID Connect issuer: tests pass fakes.
    """
    timeout = settings.api_timeout_seconds
    catalog = CatalogClient(settings.catalog_url, timeout=timeout, transport=transport)
    if login is None:
        login = _login(settings, catalog, issuer_transport)
    engine = create_engine(settings.database_url)
    matching = MatchingClient(settings.matching_url, timeout=timeout, transport=transport)
    return Web(
        settings=settings,
        engine=engine,
        sessions=SessionStore(
            engine, idle=settings.session_idle, absolute=settings.session_absolute
        ),
        sign_ins=SignInFlows(engine),
        preferences=UserPreferences(engine),
        feedback=FeedbackBox(engine),
        catalog=catalog,
        reviews=ReviewClient(catalog),
        matching=matching,
        notifications=NotificationsClient(
            settings.notifications_url, timeout=timeout, transport=transport
        ),
        login=login,
        region=load_region(settings.region_file),
        published=PublishedOffers(catalog, matching, fresh_for=settings.finder_fresh_seconds),
    )

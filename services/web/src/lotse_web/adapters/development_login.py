"""The development sign-in: anyone in the directory, one click, tokens from the local key.

Only ever built with ``LOTSE_ENV=development``; bootstrap refuses it elsewhere.
"""

from __future__ import annotations

from datetime import timedelta

from lotse_shared.auth import JwtCodec
from lotse_shared.identity import Role
from lotse_web.adapters.catalog import CatalogClient
from lotse_web.login import Account, LoginFailed, LoginProvider, SignedInUser

__all__ = ["DevelopmentLogin"]


class DevelopmentLogin(LoginProvider):
    kind = "development"

    def __init__(
        self,
        codec: JwtCodec,
        catalog: CatalogClient,
        admins: list[Account],
        *,
        token_ttl: timedelta,
    ) -> None:
        self.codec = codec
        self.catalog = catalog
        self.admins = admins
        self.token_ttl = token_ttl

    async def accounts(self) -> list[Account]:
        reader = self.codec.issue("lotse-web", Role.ADMIN, ttl=timedelta(minutes=1))
        providers = await self.catalog.providers(reader)
        advisors = await self.catalog.advisors(reader)
        return [
            *(
                Account(a["id"], Role.ADVISOR, a["name"], a.get("organisation"))
                for a in advisors
                if a.get("active", True)
            ),
            *(
                Account(p["id"], Role.PROVIDER, p["name"], p["name"])
                for p in providers
                if p.get("active", True)
            ),
            *self.admins,
        ]

    async def sign_in_as(self, account_id: str) -> SignedInUser:
        for account in await self.accounts():
            if account.id == account_id:
                token = self.codec.issue(
                    account.id, account.role, account.organisation, ttl=self.token_ttl
                )
                return SignedInUser(
                    account.id, account.role, account.name, account.organisation, token
                )
        raise LoginFailed("This account is not in the directory (or no longer active).")

"""Sign-ins under way at the issuer, kept on the server until the browser comes back.

Each is found by the SHA-256 of its ``state`` and belongs to the browser that
started it (the SHA-256 of a short-lived cookie): a callback with an unknown,
used, expired or another browser's state finds nothing. Each is taken once.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from lotse_web.adapters import orm
from lotse_web.login import PendingSignIn

__all__ = ["SIGN_IN_LIFETIME", "SignInFlows"]

SIGN_IN_LIFETIME = timedelta(minutes=10)  # time enough to type a password, not to forget a tab


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite forgets the zone


class SignInFlows:
    """Pending sign-ins (state, nonce, code verifier, next page) and refused ones' ID tokens."""

    def __init__(self, engine: AsyncEngine, *, lifetime: timedelta = SIGN_IN_LIFETIME) -> None:
        self.engine = engine
        self.lifetime = lifetime

    async def keep(self, pending: PendingSignIn, browser: str, now: datetime | None = None) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(orm.pending_sign_ins).values(
                    state_hash=_hash(pending.state),
                    browser_hash=_hash(browser),
                    nonce=pending.nonce,
                    code_verifier=pending.code_verifier,
                    next=pending.next,
                    created_at=now or datetime.now(UTC),
                )
            )

    async def take(
        self, state: str, browser: str | None, now: datetime | None = None
    ) -> PendingSignIn | None:
        """The sign-in ``state`` belongs to, once, and only for the browser that started it."""
        now = now or datetime.now(UTC)
        table = orm.pending_sign_ins
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(select(table).where(table.c.state_hash == _hash(state)))
            ).one_or_none()
            if row is None:
                return None
            # Deleted whatever follows: a state shown to another browser is spent.
            gone = await conn.execute(delete(table).where(table.c.state_hash == row.state_hash))
        if gone.rowcount != 1:  # another request took it in the meantime
            return None
        if browser is None or _hash(browser) != row.browser_hash:
            return None
        if now - _aware(row.created_at) > self.lifetime:
            return None
        return PendingSignIn(state, row.nonce, row.code_verifier, row.next)

    async def keep_refused(self, browser: str, id_token: str, now: datetime | None = None) -> None:
        """Someone without a Lotse role: keep the ID token their sign-out hands the issuer."""
        table = orm.refused_sign_ins
        async with self.engine.begin() as conn:
            await conn.execute(delete(table).where(table.c.browser_hash == _hash(browser)))
            await conn.execute(
                insert(table).values(
                    browser_hash=_hash(browser), id_token=id_token,
                    created_at=now or datetime.now(UTC),
                )
            )  # fmt: skip

    async def take_refused(self, browser: str | None, now: datetime | None = None) -> str | None:
        if browser is None:
            return None
        now = now or datetime.now(UTC)
        table = orm.refused_sign_ins
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(select(table).where(table.c.browser_hash == _hash(browser)))
            ).one_or_none()
            if row is None:
                return None
            await conn.execute(delete(table).where(table.c.browser_hash == row.browser_hash))
        return row.id_token if now - _aware(row.created_at) <= self.lifetime else None

    async def purge(self, now: datetime | None = None) -> int:
        """Delete sign-ins nobody came back to; returns how many."""
        before = (now or datetime.now(UTC)) - self.lifetime
        async with self.engine.begin() as conn:
            pending = await conn.execute(
                delete(orm.pending_sign_ins).where(orm.pending_sign_ins.c.created_at < before)
            )
            refused = await conn.execute(
                delete(orm.refused_sign_ins).where(orm.refused_sign_ins.c.created_at < before)
            )
        return int(pending.rowcount or 0) + int(refused.rowcount or 0)

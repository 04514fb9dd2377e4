"""What the web app remembers of a user between sessions: interface language and last visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from lotse_shared.database import is_postgres
from lotse_web.adapters import orm

__all__ = ["Preferences", "UserPreferences"]


@dataclass(frozen=True)
class Preferences:
    language: str
    previous_visit_at: datetime | None


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


class UserPreferences:
    def __init__(self, engine: AsyncEngine, default_language: str = "de") -> None:
        self.engine = engine
        self.default_language = default_language

    async def set_language(self, user_id: str, language: str) -> None:
        async with self.engine.begin() as conn:
            await self._ensure(conn, user_id)
            await conn.execute(
                update(orm.users).where(orm.users.c.id == user_id).values(language=language)
            )

    async def signed_in(self, user_id: str, now: datetime) -> Preferences:
        """Record a sign-in; returns the language and when the sign-in before this one was."""
        users = orm.users
        async with self.engine.begin() as conn:
            await self._ensure(conn, user_id)
            row = (await conn.execute(select(users).where(users.c.id == user_id))).one()
            await conn.execute(update(users).where(users.c.id == user_id).values(last_visit_at=now))
        return Preferences(row.language, _aware(row.last_visit_at))

    async def _ensure(self, conn: AsyncConnection, user_id: str) -> None:
        dialect = postgresql if is_postgres(conn) else sqlite
        await conn.execute(
            dialect.insert(orm.users)
            .values(id=user_id, language=self.default_language)
            .on_conflict_do_nothing()
        )

"""What the web app remembers of a user between sessions: interface language and last visit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from lotse_shared.database import is_postgres
from lotse_web.adapters import orm

__all__ = ["Preferences", "UserPreferences"]

# Pages and filters within this time are one visit: "new" keeps counting from the one before.
_ONE_VISIT = timedelta(minutes=30)


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

    async def language_of(self, user_id: str) -> str:
        async with self.engine.connect() as conn:
            language = (
                await conn.execute(select(orm.users.c.language).where(orm.users.c.id == user_id))
            ).scalar_one_or_none()
        return language or self.default_language

    async def set_language(self, user_id: str, language: str) -> None:
        async with self.engine.begin() as conn:
            await self._ensure(conn, user_id)
            await conn.execute(
                update(orm.users).where(orm.users.c.id == user_id).values(language=language)
            )

    async def visited_needs(self, user_id: str, now: datetime) -> datetime | None:
        """Record a look at the needs list; returns when the visit before this one was."""
        users = orm.users
        async with self.engine.begin() as conn:
            await self._ensure(conn, user_id)
            row = (await conn.execute(select(users).where(users.c.id == user_id))).one()
            last, previous = _aware(row.last_visit_at), _aware(row.previous_visit_at)
            if last is None or now - last > _ONE_VISIT:
                previous = last
            await conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(previous_visit_at=previous, last_visit_at=now)
            )
        return previous

    async def _ensure(self, conn: AsyncConnection, user_id: str) -> None:
        dialect = postgresql if is_postgres(conn) else sqlite
        await conn.execute(
            dialect.insert(orm.users)
            .values(id=user_id, language=self.default_language)
            .on_conflict_do_nothing()
        )

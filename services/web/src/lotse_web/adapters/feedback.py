"""The accessibility feedback form's messages, kept for the KI to read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from lotse_web.adapters import orm

__all__ = ["Feedback", "FeedbackBox"]


@dataclass(frozen=True)
class Feedback:
    id: str
    received_at: datetime
    page: str | None
    message: str
    reply_to: str | None


class FeedbackBox:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def receive(self, message: str, page: str | None, reply_to: str | None) -> str:
        feedback_id = str(uuid.uuid4())
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(orm.feedback).values(
                    id=feedback_id,
                    received_at=datetime.now(UTC),
                    page=page,
                    message=message,
                    reply_to=reply_to,
                )
            )
        return feedback_id

    async def newest(self, limit: int = 200) -> list[Feedback]:
        f = orm.feedback
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(f).order_by(f.c.received_at.desc()).limit(limit))
        return [
            Feedback(
                r.id,
                r.received_at if r.received_at.tzinfo else r.received_at.replace(tzinfo=UTC),
                r.page,
                r.message,
                r.reply_to,
            )
            for r in rows
        ]

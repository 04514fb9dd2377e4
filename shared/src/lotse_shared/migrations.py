"""Alembic, run from code: each service keeps one migration history in its package."""

from __future__ import annotations

from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from lotse_shared.database import is_postgres
from lotse_shared.outbox import drop_notify_on_insert, notify_on_insert, outbox_channel

__all__ = ["configure_and_run", "create_outbox_notify", "drop_outbox_notify", "upgrade"]

_MIGRATION_LOCK_KEY = 0x4D494752


async def upgrade(engine: AsyncEngine, script_location: str, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest); safe when instances start together."""
    config = Config()
    config.set_main_option("script_location", script_location)
    async with engine.begin() as conn:
        if is_postgres(conn):
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
        await conn.run_sync(_upgrade, config, revision)


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def configure_and_run(target_metadata: MetaData) -> None:
    """The body of every service's ``env.py``: migrate on the connection handed in."""
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def create_outbox_notify(service: str) -> None:
    """In a migration: on PostgreSQL, the outbox announces each commit with rows itself."""
    if op.get_bind().dialect.name == "postgresql":
        for statement in notify_on_insert("outbox", outbox_channel(service)):
            op.execute(statement)


def drop_outbox_notify(service: str) -> None:
    """In a migration: undo :func:`create_outbox_notify`."""
    if op.get_bind().dialect.name == "postgresql":
        for statement in drop_notify_on_insert("outbox", outbox_channel(service)):
            op.execute(statement)

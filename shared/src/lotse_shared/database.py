"""Database wiring: one async engine per service, SQLite (WAL) or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Table, any_, bindparam, event, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

__all__ = [
    "IN_LIST",
    "among",
    "as_utc",
    "chunks",
    "create_engine",
    "insert_ignoring_duplicates",
    "is_postgres",
    "update_by_id",
]

IN_LIST = 500  # ids per IN (...) list: well inside every driver's parameter limit


T = TypeVar("T")


def as_utc(moment: datetime) -> datetime:
    """A timestamp read back from the database, in UTC: SQLite hands back naive ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def chunks(items: Sequence[T], size: int = IN_LIST) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``, in order: for IN lists and batched work."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def among(
    session: AsyncSession, column: ColumnElement[T], values: Sequence[T]
) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL ``column = ANY(:values)``, one array parameter.

    An IN list is a statement of its own for each length, rendered for every
    execution and prepared again by the server; the array is the same
    statement for any number of values.
    """
    if is_postgres(session):
        values_type = postgresql.ARRAY(column.type)
        return column == any_(bindparam(None, list(values), type_=values_type, unique=True))
    return column.in_(values)


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An engine for ``url``; SQLite files get WAL and immediate write transactions.

    Connections are not pinged before use: that cost three round trips per
    transaction (asyncpg pings with a transaction of its own). A connection
    the server dropped fails its first statement instead; the pool then
    discards it and every older one, the consumers retry, and the catalog
    answers that request with 503 and Retry-After.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30})
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    # SQLite upgrades a reader to a writer mid-transaction and then fails with
    # "database is locked"; taking the write lock at BEGIN makes writers queue instead.
    event.listen(engine.sync_engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def is_postgres(bind: AsyncSession | AsyncConnection | AsyncEngine) -> bool:
    engine = bind.bind if isinstance(bind, AsyncSession) else bind
    return engine is not None and engine.dialect.name == "postgresql"


async def insert_ignoring_duplicates(
    session: AsyncSession, table: Table, values: dict[str, Any]
) -> bool:
    """Insert a row unless its primary key exists; True when the row was new."""
    dialect = postgresql if is_postgres(session) else sqlite
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(getattr(result, "rowcount", 0) == 1)


async def update_by_id(session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Set each row's values on the stored row with its ``id``: one statement, many parameter sets.

    Every row names the same columns.
    """
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({name: bindparam(f"b_{name}", type_=table.c[name].type) for name in columns})
    )
    await session.execute(
        statement, [{f"b_{name}": value for name, value in row.items()} for row in rows]
    )

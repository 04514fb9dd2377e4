"""The catalog's tables. The outbox shares the metadata, so Alembic sees it."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, MetaData, String, Table

from lotse_shared.outbox import outbox_table

__all__ = ["advisors", "metadata", "needs", "offers", "outbox"]

metadata = MetaData()

advisors = Table(
    "advisors",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("email", String(254), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

offers = Table(
    "offers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("provider_id", String(64), nullable=True),
    Column("title", String(200), nullable=False),
    Column("category", String(40), nullable=False),
    Column("municipality", String(8), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

needs = Table(
    "needs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("advisor_id", String(64), nullable=False, index=True),
    Column("municipality", String(8), nullable=False),
    Column("categories", JSON, nullable=False),
    Column("case_reference", String(64), nullable=True),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata)

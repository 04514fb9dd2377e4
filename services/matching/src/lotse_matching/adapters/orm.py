"""Matching's read model of offers and needs, its matches, inbox and outbox."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

from lotse_shared.inbox import inbox_table
from lotse_shared.outbox import outbox_table

__all__ = ["inbox", "matches", "metadata", "needs", "offers", "outbox"]

metadata = MetaData()

offers = Table(
    "offers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("category", String(40), nullable=False),
    Column("municipality", String(8), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
)

needs = Table(
    "needs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("reference", String(20), nullable=False),
    Column("advisor_id", String(64), nullable=False),
    Column("municipality", String(8), nullable=False),
    Column("categories", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
)

matches = Table(
    "matches",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("need_id", String(64), nullable=False, index=True),
    Column("offer_id", String(64), nullable=False, index=True),
    Column("score", Float, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("need_id", "offer_id", name="uq_matches_need_offer"),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)

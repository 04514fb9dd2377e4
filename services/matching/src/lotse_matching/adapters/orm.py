"""Matching's read model of offers and needs, its matches, inbox and outbox.

A need has a small integer ``nid`` for the in-memory index, and ``seq``, the
number of its latest change, by which every instance's index catches up.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

from lotse_shared.inbox import inbox_table
from lotse_shared.outbox import outbox_table

__all__ = ["coverage_days", "inbox", "matches", "metadata", "needs", "offers", "outbox"]

metadata = MetaData()

offers = Table(
    "offers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("provider_id", String(64), nullable=False),
    Column("category", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("details", JSON, nullable=False),
    Index("ix_offers_category_status", "category", "status"),
)

needs = Table(
    "needs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("reference", String(20), nullable=False),
    Column("advisor_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("details", JSON, nullable=False),
    Column("nid", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Index("ux_needs_nid", "nid", unique=True),
    Index("ux_needs_seq", "seq", unique=True),
)

matches = Table(
    "matches",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("need_id", String(64), nullable=False, index=True),
    Column("offer_id", String(64), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("score", Float, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("eligibility", String(20), nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
    Column("invalidated_at", DateTime(timezone=True), nullable=True),
    Column("invalidation_reason", String(20), nullable=True),
    Column("decision", String(20), nullable=True),
    Column("decline_reason", String(40), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
)

# One row per day, municipality and kind of offer: the raw counts, never suppressed here.
coverage_days = Table(
    "coverage_days",
    metadata,
    Column("day", Date, primary_key=True),
    Column("municipality", String(8), primary_key=True),
    Column("category", String(40), primary_key=True),
    Column("open_needs", Integer, nullable=False),
    Column("needs_without_match", Integer, nullable=False),
    Column("published_offers", Integer, nullable=False),
    Column("free_places", Integer, nullable=False),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)

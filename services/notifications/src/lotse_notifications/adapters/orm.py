"""The advisor directory, the delivery log, inbox and outbox."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
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

__all__ = ["advisors", "deliveries", "inbox", "metadata", "outbox"]

metadata = MetaData()

advisors = Table(
    "advisors",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("email", String(254), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("advisor_id", String(64), nullable=False),
    Column("match_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("need_reference", String(20), nullable=False),
    Column("offer_title", String(200), nullable=False),
    Column("offer_category", String(40), nullable=False),
    Column("offer_municipality", String(8), nullable=False),
    Column("score", Float, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("advisor_id", "match_id", "kind", name="uq_deliveries_advisor_match_kind"),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)

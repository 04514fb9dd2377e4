"""The catalog's tables.

Filterable fields are columns with indexes; the full details are one JSON
document validated by the contract model, so adding an optional field needs
no migration. The outbox shares the metadata, so Alembic sees it.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from lotse_shared.outbox import outbox_table

__all__ = [
    "advisors",
    "metadata",
    "needs",
    "offer_decisions",
    "offer_reports",
    "offer_reviews",
    "offer_revisions",
    "offers",
    "outbox",
    "providers",
]

# Who did something, as "role:id"; ids from an issuer's tokens may be long.
_PRINCIPAL = 255

metadata = MetaData()

providers = Table(
    "providers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(160), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("details", JSON, nullable=False),
)

advisors = Table(
    "advisors",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("details", JSON, nullable=False),
)

offers = Table(
    "offers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("provider_id", String(64), nullable=False, index=True),
    Column("category", String(40), nullable=False),
    Column("municipality", String(8), nullable=False),
    Column("status", String(20), nullable=False),
    Column("title_search", Text, nullable=False),
    Column("title_sort", Text, nullable=False),
    Column("start_date", Date, nullable=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("details", JSON, nullable=False),
    Index("ix_offers_updated_at_id", "updated_at", "id"),
    Index("ix_offers_start_date_id", "start_date", "id"),
    Index("ix_offers_title_sort_id", "title_sort", "id"),
    Index("ix_offers_category_municipality", "category", "municipality"),
)

needs = Table(
    "needs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("reference", String(20), nullable=False, unique=True),
    Column("advisor_id", String(64), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("case_reference", String(64), nullable=True),
    Column("expires_on", Date, nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("details", JSON, nullable=False),
)

# An offer's review: its draft and where it stands; an offer published without review has none.
offer_reviews = Table(
    "offer_reviews",
    metadata,
    Column("offer_id", String(64), primary_key=True),
    Column("provider_id", String(64), nullable=False, index=True),
    Column("state", String(20), nullable=False),
    Column("draft", JSON, nullable=True),
    Column("draft_authors", JSON, nullable=False),
    Column("waiting_since", DateTime(timezone=True), nullable=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_offer_reviews_state_waiting_since", "state", "waiting_since"),
)

# Every submitted revision, kept with what it changed of the offer then published.
offer_revisions = Table(
    "offer_revisions",
    metadata,
    Column("offer_id", ForeignKey("offer_reviews.offer_id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("state", String(20), nullable=False),
    Column("details", JSON, nullable=False),
    Column("changes", JSON, nullable=False),
    Column("authors", JSON, nullable=False),
    Column("submitted_by", String(_PRINCIPAL), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("base_version", Integer, nullable=True),
)

offer_decisions = Table(
    "offer_decisions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("offer_id", ForeignKey("offer_reviews.offer_id"), nullable=False, index=True),
    Column("revision", Integer, nullable=True),
    Column("verdict", String(20), nullable=False),
    Column("reviewer", String(_PRINCIPAL), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("comment", Text, nullable=True),
    Column("report_id", String(64), nullable=True),
)

offer_reports = Table(
    "offer_reports",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("offer_id", ForeignKey("offers.id"), nullable=False, index=True),
    Column("advisor_id", String(64), nullable=False, index=True),
    Column("reason", String(40), nullable=False),
    Column("note", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),
    Column("decided_by", String(_PRINCIPAL), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("comment", Text, nullable=True),
    Index("ix_offer_reports_status_created_at", "status", "created_at"),
)

outbox = outbox_table(metadata)

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
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from lotse_shared.outbox import outbox_table

__all__ = ["advisors", "metadata", "needs", "offers", "outbox", "providers"]

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

outbox = outbox_table(metadata)

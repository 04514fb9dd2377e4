"""The web app's own tables: sessions, interface preferences and accessibility feedback.

Nothing of the domain lives here; needs, offers and matches stay in their services.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, MetaData, String, Table, Text

__all__ = ["feedback", "metadata", "sessions", "users"]

metadata = MetaData()

sessions = Table(
    "sessions",
    metadata,
    # The SHA-256 of the cookie's value: a copy of this table opens no session.
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("organisation", String(120), nullable=True),
    Column("display_name", String(120), nullable=False),
    Column("api_token", Text, nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("flash", JSON, nullable=True),
    # Copied from the user's preferences at sign-in, so a page needs no second query.
    Column("language", String(8), nullable=False),
    Column("previous_visit_at", DateTime(timezone=True), nullable=True),
    Index("ix_sessions_user", "user_id"),
)

users = Table(
    "users",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("language", String(8), nullable=False),
    # When the user last signed in: "new since your last visit" counts from there.
    Column("last_visit_at", DateTime(timezone=True), nullable=True),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("page", String(300), nullable=True),
    Column("message", Text, nullable=False),
    Column("reply_to", String(254), nullable=True),
)

"""The web app's own tables: sessions, sign-ins under way, preferences and feedback.

Nothing of the domain lives here; needs, offers and matches stay in their services.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, MetaData, String, Table, Text

__all__ = ["feedback", "metadata", "pending_sign_ins", "refused_sign_ins", "sessions", "users"]

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
    # Only where an issuer signed the user in: what renews api_token and ends its session.
    Column("token_expires_at", DateTime(timezone=True), nullable=True),
    Column("refresh_token", Text, nullable=True),
    Column("id_token", Text, nullable=True),
    Index("ix_sessions_user", "user_id"),
)

pending_sign_ins = Table(
    "pending_sign_ins",
    metadata,
    # SHA-256 of the state sent to the issuer and of the cookie of the browser that
    # started the sign-in: the callback must bring both.
    Column("state_hash", String(64), primary_key=True),
    Column("browser_hash", String(64), nullable=False),
    Column("nonce", String(128), nullable=False),
    Column("code_verifier", String(128), nullable=False),
    Column("next", String(2000), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_pending_sign_ins_created", "created_at"),
)

refused_sign_ins = Table(
    "refused_sign_ins",
    metadata,
    # Someone the issuer signed in who has no Lotse role: the ID token lets their
    # sign-out end the issuer's session too.
    Column("browser_hash", String(64), primary_key=True),
    Column("id_token", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
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

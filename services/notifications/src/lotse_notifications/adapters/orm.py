"""The advisor directory, the delivery log, the offers waiting for review and their emails, inbox and outbox."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from lotse_shared.inbox import inbox_table
from lotse_shared.outbox import outbox_table

__all__ = [
    "advisors",
    "deliveries",
    "erased_needs",
    "inbox",
    "metadata",
    "offer_reviews",
    "open_reports",
    "outbox",
    "providers",
    "review_emails",
]

metadata = MetaData()

advisors = Table(
    "advisors",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("email", String(254), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("language", String(2), nullable=False, server_default="de"),
    Column("mode", String(20), nullable=False, server_default="immediate"),
    Column("digest_hour", Integer, nullable=False, server_default="8"),
    Column("min_score", Float, nullable=False, server_default="0"),
)

providers = Table(
    "providers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(160), nullable=False),
    Column("version", Integer, nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("advisor_id", String(64), nullable=False),
    Column("match_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    # Both are null once the need was erased: the log then says an email went out, not about what.
    # Null rather than a marker, so nothing downstream can take a marker for a reference.
    Column("need_id", String(64), nullable=True, index=True),
    Column("need_reference", String(20), nullable=True),
    Column("offer_title", String(200), nullable=False),
    Column("offer_category", String(40), nullable=False),
    Column("offer_municipality", String(8), nullable=False),
    Column("score", Float, nullable=False),
    Column("reasons", JSON, nullable=False),  # [{"de": ..., "en": ...}]
    Column("offer_facts", JSON, nullable=False),  # offer id, provider, start, contact
    Column("eligibility", String(20), nullable=True),
    Column("invalidation_reason", String(20), nullable=True),
    # pending → sent | failed; cancelled (no longer news) and suppressed (below min_score) end it
    Column("status", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("group_key", String(64), nullable=False),  # deliveries of one email share it
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("last_failed_at", DateTime(timezone=True), nullable=True),  # the last try that failed
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("advisor_id", "match_id", "kind", name="uq_deliveries_advisor_match_kind"),
    Index("ix_deliveries_advisor_group", "advisor_id", "group_key"),
)

# Needs erased by a tombstone, by id alone: news of them arriving late is not recorded.
erased_needs = Table(
    "erased_needs",
    metadata,
    Column("need_id", String(64), primary_key=True),
    Column("erased_at", DateTime(timezone=True), nullable=False),
)

# What lotse.offer-reviews says of each offer: its last revision submitted, waiting or decided.
offer_reviews = Table(
    "offer_reviews",
    metadata,
    Column("offer_id", String(64), primary_key=True),
    Column("provider_id", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("revision", Integer, nullable=True),
    Column("status", String(20), nullable=False, index=True),  # waiting | decided
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
)

# Advisors' problem reports as lotse.offer-reviews tells them: open until dismissed or turned
# into a change request. Their reason only; the note stays in the catalog.
open_reports = Table(
    "open_reports",
    metadata,
    Column("report_id", String(64), primary_key=True),
    Column("offer_id", String(64), nullable=False),
    Column("provider_id", String(64), nullable=False),
    Column("title", String(200), nullable=False),
    Column("reason", String(30), nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False, index=True),  # open | closed
    Column("closed_at", DateTime(timezone=True), nullable=True),
)

# Emails about the review: one per decision to the provider's role mailbox, one a day to the KI.
# They go out like advisors' deliveries: pending → sent | failed, retried with backoff.
review_emails = Table(
    "review_emails",
    metadata,
    Column("id", String(64), primary_key=True),  # from the decision's id, or from the day
    Column(
        "kind", String(20), nullable=False
    ),  # changes_requested | approved | rejected | review_digest
    Column("recipient", String(254), nullable=False),
    Column("provider_id", String(64), nullable=True, index=True),
    Column("offer_id", String(64), nullable=True),
    Column("title", String(200), nullable=True),
    Column("revision", Integer, nullable=True),
    Column("published_version", Integer, nullable=True),
    Column("comment", Text, nullable=True),
    Column("report_reason", String(30), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("day", Date, nullable=True),  # of the KI's daily email
    Column("status", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("claimed_until", DateTime(timezone=True), nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("last_failed_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
)

inbox = inbox_table(metadata)
outbox = outbox_table(metadata)

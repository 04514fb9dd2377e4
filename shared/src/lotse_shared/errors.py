"""Errors shared by all services, grouped by what a consumer does with them.

    LotseError
    └── InvalidMessage   — can never be processed: dead-letter it, commit, move on

Any other exception while handling a message counts as transient (database
or SMTP away): the consumer retries it with backoff and never skips it.
"""

from __future__ import annotations

__all__ = ["InvalidMessage", "LotseError"]


class LotseError(Exception):
    """Base of every error Lotse raises on purpose."""


class InvalidMessage(LotseError):
    """A Kafka message that no retry will fix: bad JSON, unknown type, invalid data."""

"""Errors shared by all services, grouped by what a consumer does with them.

LotseError
├── InvalidMessage   — can never be processed: dead-letter it, commit, move on
└── TransientError   — may succeed later (database or SMTP down): retry, never skip
"""

from __future__ import annotations

__all__ = ["InvalidMessage", "LotseError", "TransientError"]


class LotseError(Exception):
    """Base of every error Lotse raises on purpose."""


class InvalidMessage(LotseError):
    """A Kafka message that no retry will fix: bad JSON, unknown type, invalid data."""


class TransientError(LotseError):
    """A failure of something outside the message that may go away on its own."""

"""What can go wrong in matching's use cases; the API maps each to one status.

MatchingError
├── NotFound        — no such need, offer or match, or not the caller's (404)
│   └── EndedMatch  — the match no longer holds, so there is nothing to decide (404)
└── NotAllowed      — the caller's role may not see or do this (403)
"""

from __future__ import annotations

__all__ = ["EndedMatch", "MatchingError", "NotAllowed", "NotFound"]


class MatchingError(Exception):
    """Base of matching's use-case errors."""


class NotFound(MatchingError):
    """No such need, offer or match, or the caller may not know that it exists."""


class EndedMatch(NotFound):
    """The match was invalidated: the advisor can no longer decide on it."""


class NotAllowed(MatchingError):
    """The caller is known, but their role may not see or do this."""

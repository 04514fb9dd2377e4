"""Every topic and event type Lotse publishes, defined once.

``EVENT_TYPES`` maps a CloudEvents ``type`` to its payload model; consumers use
it to decode, the schema generator and the contract tests walk it.
"""

from __future__ import annotations

from lotse_shared.contracts.base import Event, Payload
from lotse_shared.contracts.directory import (
    AdvisorEvent,
    AdvisorRegistered,
    AdvisorRemoved,
    AdvisorUpdated,
)
from lotse_shared.contracts.domain import AGS, Category, NeedStatus, OfferStatus
from lotse_shared.contracts.matches import MatchFound, OfferSummary, match_id_for
from lotse_shared.contracts.needs import NeedClosed, NeedEvent, NeedRegistered, NeedUpdated
from lotse_shared.contracts.notifications import NotificationSent
from lotse_shared.contracts.offers import OfferEvent, OfferPublished, OfferUpdated, OfferWithdrawn
from lotse_shared.contracts.topics import (
    ALL_TOPICS,
    DIRECTORY,
    MATCHES,
    NEEDS,
    NOTIFICATIONS,
    OFFERS,
    TOPICS,
    Topic,
    dlq,
)

__all__ = [
    "AGS",
    "ALL_TOPICS",
    "DIRECTORY",
    "EVENT_TYPES",
    "MATCHES",
    "NEEDS",
    "NOTIFICATIONS",
    "OFFERS",
    "TOPICS",
    "AdvisorEvent",
    "AdvisorRegistered",
    "AdvisorRemoved",
    "AdvisorUpdated",
    "Category",
    "Event",
    "MatchFound",
    "NeedClosed",
    "NeedEvent",
    "NeedRegistered",
    "NeedStatus",
    "NeedUpdated",
    "NotificationSent",
    "OfferEvent",
    "OfferPublished",
    "OfferStatus",
    "OfferSummary",
    "OfferUpdated",
    "OfferWithdrawn",
    "Payload",
    "Topic",
    "dlq",
    "match_id_for",
]

EVENT_TYPES: dict[str, type[Event]] = {
    cls.event_type: cls
    for cls in (
        OfferPublished,
        OfferUpdated,
        OfferWithdrawn,
        NeedRegistered,
        NeedUpdated,
        NeedClosed,
        AdvisorRegistered,
        AdvisorUpdated,
        AdvisorRemoved,
        MatchFound,
        NotificationSent,
    )
}

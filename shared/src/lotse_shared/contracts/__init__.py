"""Every topic and event type Lotse publishes, defined once.

``EVENT_TYPES`` maps a CloudEvents ``type`` to its payload model; consumers use
it to decode, the schema generator and the contract tests walk it.
"""

from __future__ import annotations

from lotse_shared.contracts.base import Event, Payload
from lotse_shared.contracts.directory import (
    AdvisorDetails,
    AdvisorEvent,
    AdvisorRegistered,
    AdvisorRemoved,
    AdvisorUpdated,
    NotificationMode,
    NotificationPreference,
    ProviderDetails,
    ProviderEvent,
    ProviderRegistered,
    ProviderUpdated,
)
from lotse_shared.contracts.domain import (
    AGS,
    Category,
    DeliveryMode,
    GermanLevel,
    Language,
    Literacy,
    NeedStatus,
    OfferStatus,
    ResidenceStatus,
    TimeOfDay,
)
from lotse_shared.contracts.matches import (
    DeclineReason,
    MatchDecided,
    MatchFound,
    MatchInvalidated,
    MatchReason,
    OfferSummary,
    match_id_for,
)
from lotse_shared.contracts.needs import (
    NeedClosed,
    NeedDetails,
    NeedEvent,
    NeedRegistered,
    NeedUpdated,
)
from lotse_shared.contracts.notifications import (
    NotificationFailed,
    NotificationKind,
    NotificationSent,
)
from lotse_shared.contracts.offers import (
    Location,
    OfferDetails,
    OfferEvent,
    OfferPublished,
    OfferUpdated,
    OfferWithdrawn,
)
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
    "AdvisorDetails",
    "AdvisorEvent",
    "AdvisorRegistered",
    "AdvisorRemoved",
    "AdvisorUpdated",
    "Category",
    "DeclineReason",
    "DeliveryMode",
    "Event",
    "GermanLevel",
    "Language",
    "Literacy",
    "Location",
    "MatchDecided",
    "MatchFound",
    "MatchInvalidated",
    "MatchReason",
    "NeedClosed",
    "NeedDetails",
    "NeedEvent",
    "NeedRegistered",
    "NeedStatus",
    "NeedUpdated",
    "NotificationFailed",
    "NotificationKind",
    "NotificationMode",
    "NotificationPreference",
    "NotificationSent",
    "OfferDetails",
    "OfferEvent",
    "OfferPublished",
    "OfferStatus",
    "OfferSummary",
    "OfferUpdated",
    "OfferWithdrawn",
    "Payload",
    "ProviderDetails",
    "ProviderEvent",
    "ProviderRegistered",
    "ProviderUpdated",
    "ResidenceStatus",
    "TimeOfDay",
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
        ProviderRegistered,
        ProviderUpdated,
        MatchFound,
        MatchInvalidated,
        MatchDecided,
        NotificationSent,
        NotificationFailed,
    )
}

"""One example of every event type, as a subscriber would receive it.

They are built from the models, so they are valid by construction; the
event documents in ``docs/events/`` show them, and the tests check them
against the published JSON Schemas.
"""

from __future__ import annotations

from typing import Any

from lotse_shared.contracts.base import Event
from lotse_shared.contracts.directory import (
    AdvisorRegistered,
    AdvisorRemoved,
    AdvisorUpdated,
    ProviderRegistered,
    ProviderUpdated,
)
from lotse_shared.contracts.matches import MatchDecided, MatchFound, MatchInvalidated, match_id_for
from lotse_shared.contracts.needs import NeedClosed, NeedRegistered, NeedUpdated
from lotse_shared.contracts.notifications import NotificationFailed, NotificationSent
from lotse_shared.contracts.offers import OfferPublished, OfferUpdated, OfferWithdrawn
from lotse_shared.contracts.reviews import (
    OfferReportDismissed,
    OfferReportFiled,
    OfferReviewApproved,
    OfferReviewChangesRequested,
    OfferReviewClosed,
    OfferReviewRejected,
    OfferReviewSubmitted,
)

__all__ = ["EXAMPLES"]

_OFFER_ID = "9d1c7e3a-4b2f-4c8e-a5d6-7f0e1b2c3d4e"
_NEED_ID = "2b7e8c1d-6f3a-4e2b-9c1d-8a7f6e5d4c3b"
_MATCH_ID = match_id_for(_NEED_ID, _OFFER_ID)
_SCHWERTE = "05978028"

_OFFER: dict[str, Any] = {
    "offer_id": _OFFER_ID,
    "provider_id": "vhs-schwerte",
    "title": {"de": "Integrationskurs allgemein", "en": "General integration course"},
    "description": {
        "de": "700 Unterrichtseinheiten Deutsch bis B1 und ein Orientierungskurs.",
        "en": "700 lessons of German up to B1 and an orientation course.",
    },
    "category": "integration_course",
    "subcategory": "general",
    "location": {
        "municipality": _SCHWERTE,
        "address": "Am Markt 1, 58239 Schwerte",
        "lat": 51.4447,
        "lon": 7.5656,
    },
    "delivery_mode": "in_person",
    "service_area": ["05978028", "05978036"],
    "age_min": 16,
    "age_max": 99,
    "german_level_min": "A0",
    "german_level_max": "A2",
    "languages_of_instruction": ["de"],
    "support_languages": ["ar", "uk"],
    "times_of_day": ["morning"],
    "start_date": "2027-01-11",
    "end_date": "2027-07-30",
    "application_deadline": "2027-01-04",
    "places_total": 20,
    "places_available": 6,
    "waitlist": True,
    "free_of_charge": True,
    "childcare": True,
    "barrier_free": True,
    "contact_email": "kurse@vhs-schwerte.example",
    "status": "published",
    "version": 1,
    "updated_at": "2026-11-28T09:00:00Z",
}
_NEED: dict[str, Any] = {
    "need_id": _NEED_ID,
    "reference": "UNN-7K3Q9X",
    "advisor_id": "adv-schwerte-1",
    "municipality": _SCHWERTE,
    "age": 34,
    "languages": ["ar"],
    "german_level": "A1",
    "literacy": "latin",
    "residence_status": "recognised_protection",
    "categories": ["integration_course", "counselling"],
    "times_of_day": ["morning"],
    "childcare_needed": True,
    "max_travel_km": 15,
    "earliest_start": "2027-01-01",
    "status": "open",
    "expires_on": "2027-05-27",
    "version": 1,
    "updated_at": "2026-11-28T09:30:00Z",
}
_ADVISOR: dict[str, Any] = {
    "advisor_id": "adv-schwerte-1",
    "name": "Aylin Demir",
    "email": "a.demir@ki-unna.example",
    "organisation": "KI Kreis Unna",
    "municipality": _SCHWERTE,
    "language": "de",
    "notifications": {"mode": "immediate", "digest_hour": 8, "min_score": 0.5},
    "active": True,
    "version": 1,
    "updated_at": "2026-11-27T08:00:00Z",
}
_PROVIDER: dict[str, Any] = {
    "provider_id": "vhs-schwerte",
    "name": "VHS Schwerte",
    "contact_email": "info@vhs-schwerte.example",
    "municipality": _SCHWERTE,
    "website": "https://vhs-schwerte.example",
    "active": True,
    "version": 1,
    "updated_at": "2026-11-27T08:00:00Z",
}
_PAIR = {"match_id": _MATCH_ID, "need_id": _NEED_ID, "offer_id": _OFFER_ID}
_DELIVERY = {
    "notification_id": "6a2f0c4e-8d1b-4f3a-9e7c-5b6d8a0f1e2c",
    "advisor_id": "adv-schwerte-1",
    "match_id": _MATCH_ID,
    "kind": "match_found",
}
_REVIEW: dict[str, Any] = {
    "offer_id": _OFFER_ID,
    "provider_id": "vhs-schwerte",
    "revision": 2,
    "published_version": 1,
    "title": "Integrationskurs allgemein",
    "contact_email": "info@vhs-schwerte.example",
}
_DECISION = _REVIEW | {"decision_id": "c2f1e0d9-8b7a-4c6d-9e5f-1a2b3c4d5e6f"}
_REPORT = "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8"

_EXAMPLES: list[Event] = [
    OfferPublished.model_validate(_OFFER),
    OfferUpdated.model_validate(
        _OFFER | {"places_available": 0, "version": 2, "updated_at": "2026-12-01T14:05:00Z"}
    ),
    OfferWithdrawn.model_validate(
        _OFFER | {"status": "withdrawn", "version": 3, "updated_at": "2026-12-20T16:00:00Z"}
    ),
    NeedRegistered.model_validate(_NEED),
    NeedUpdated.model_validate(
        _NEED | {"german_level": "A2", "version": 2, "updated_at": "2026-12-10T11:00:00Z"}
    ),
    NeedClosed.model_validate(
        _NEED | {"status": "closed", "version": 3, "updated_at": "2027-01-08T09:00:00Z"}
    ),
    AdvisorRegistered.model_validate(_ADVISOR),
    AdvisorUpdated.model_validate(
        _ADVISOR
        | {
            "notifications": {"mode": "daily_digest", "digest_hour": 7, "min_score": 0.6},
            "version": 2,
            "updated_at": "2026-11-30T08:00:00Z",
        }
    ),
    AdvisorRemoved.model_validate(
        _ADVISOR | {"active": False, "version": 3, "updated_at": "2027-03-01T08:00:00Z"}
    ),
    ProviderRegistered.model_validate(_PROVIDER),
    ProviderUpdated.model_validate(_PROVIDER | {"name": "Volkshochschule Schwerte", "version": 2}),
    MatchFound.model_validate(
        _PAIR
        | {
            "need_reference": "UNN-7K3Q9X",
            "advisor_id": "adv-schwerte-1",
            "offer": {
                "title": "Integrationskurs allgemein",
                "category": "integration_course",
                "municipality": _SCHWERTE,
                "provider_id": "vhs-schwerte",
                "start_date": "2027-01-11",
                "contact_email": "kurse@vhs-schwerte.example",
            },
            "score": 0.82,
            "reasons": [
                {
                    "code": "same_municipality",
                    "de": "Im Wohnort Schwerte",
                    "en": "In the home town Schwerte",
                },
                {
                    "code": "support_language",
                    "de": "Unterstützung auf Arabisch",
                    "en": "Support in Arabic",
                },
                {"code": "free_of_charge", "de": "Kostenfrei", "en": "Free of charge"},
            ],
            "eligibility": "eligible",
            "found_at": "2026-11-28T09:30:02Z",
        }
    ),
    MatchInvalidated.model_validate(
        _PAIR
        | {
            "need_reference": "UNN-7K3Q9X",
            "advisor_id": "adv-schwerte-1",
            "reason": "full",
            "invalidated_at": "2026-12-01T14:05:01Z",
        }
    ),
    MatchDecided.model_validate(
        _PAIR
        | {
            "advisor_id": "adv-schwerte-1",
            "decision": "declined",
            "decline_reason": "schedule",
            "decided_at": "2026-11-30T10:15:00Z",
        }
    ),
    NotificationSent.model_validate(_DELIVERY | {"sent_at": "2026-11-28T09:31:05Z"}),
    NotificationFailed.model_validate(
        _DELIVERY
        | {
            "error": "550 5.1.1 mailbox unavailable",
            "attempts": 1,
            "failed_at": "2026-11-28T09:31:05Z",
        }
    ),
    OfferReviewSubmitted.model_validate(_REVIEW | {"submitted_at": "2026-11-28T09:00:00Z"}),
    OfferReviewChangesRequested.model_validate(
        _DECISION
        | {
            "comment": "Bitte das Enddatum prüfen: laut Flyer endet der Kurs am 30.07.",
            "report_reason": "wrong_dates",
            "decided_at": "2026-11-28T11:00:00Z",
        }
    ),
    OfferReviewApproved.model_validate(
        _DECISION | {"revision": 3, "published_version": 2, "decided_at": "2026-11-29T10:00:00Z"}
    ),
    OfferReviewRejected.model_validate(
        _DECISION
        | {
            "revision": 4,
            "published_version": 2,
            "comment": "Das ist ein anderes Angebot: bitte als neues Angebot anlegen.",
            "decided_at": "2026-12-02T10:00:00Z",
        }
    ),
    OfferReviewClosed.model_validate(
        _REVIEW
        | {
            "revision": 5,
            "published_version": 2,
            "reason": "superseded",
            "closed_at": "2026-12-03T08:00:00Z",
        }
    ),
    OfferReportFiled.model_validate(
        _REVIEW
        | {
            "revision": None,
            "published_version": 2,
            "report_id": _REPORT,
            "reason": "full_but_shown_free",
            "reported_at": "2026-12-03T09:30:00Z",
        }
    ),
    OfferReportDismissed.model_validate(
        _REVIEW
        | {
            "revision": None,
            "published_version": 2,
            "report_id": _REPORT,
            "dismissed_at": "2026-12-04T10:00:00Z",
        }
    ),
]

EXAMPLES: dict[str, Event] = {e.event_type: e for e in _EXAMPLES}

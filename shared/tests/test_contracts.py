"""Every event type has a valid example and survives the CloudEvents envelope."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from lotse_shared.contracts import ALL_TOPICS, EVENT_TYPES, TOPICS, Event
from lotse_shared.envelope import decode, encode
from lotse_shared.errors import InvalidMessage

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)

EXAMPLES: dict[str, dict[str, Any]] = {
    "offer": {
        "offer_id": "7d3c1f7e-0000-4000-8000-000000000001",
        "provider_id": "vhs-schwerte",
        "title": {"de": "Integrationskurs allgemein", "en": "General integration course"},
        "description": {"de": "700 Unterrichtsstunden, Abschluss mit dem DTZ."},
        "category": "integration_course",
        "subcategory": "general",
        "location": {
            "municipality": "05978028",
            "address": "Rathausstraße 31",
            "lat": 51.4446,
            "lon": 7.5653,
        },
        "delivery_mode": "in_person",
        "service_area": ["05978036"],
        "age_min": 16,
        "age_max": 99,
        "german_level_min": "A0",
        "german_level_max": "A2",
        "residence_statuses": ["recognised_protection", "temporary_protection"],
        "support_languages": ["ar", "uk"],
        "times_of_day": ["morning"],
        "start_date": "2027-01-11",
        "end_date": "2027-07-30",
        "application_deadline": "2027-01-04",
        "places_total": 20,
        "places_available": 4,
        "waitlist": True,
        "childcare": True,
        "contact_email": "integrationskurse@vhs-schwerte.example",
        "status": "published",
        "version": 1,
        "updated_at": NOW.isoformat(),
    },
    "need": {
        "need_id": "7d3c1f7e-0000-4000-8000-000000000002",
        "reference": "UNN-7K3Q9X",
        "advisor_id": "adv-schwerte-1",
        "municipality": "05978028",
        "age": 34,
        "languages": ["ar", "en"],
        "german_level": "A1",
        "literacy": "latin",
        "residence_status": "recognised_protection",
        "categories": ["integration_course", "language_course"],
        "times_of_day": ["morning", "afternoon"],
        "childcare_needed": True,
        "max_travel_km": 12.5,
        "earliest_start": "2027-01-01",
        "status": "open",
        "expires_on": "2027-05-27",
        "version": 1,
        "updated_at": NOW.isoformat(),
    },
    "advisor": {
        "advisor_id": "adv-schwerte-1",
        "name": "Aylin Demir",
        "email": "a.demir@ki-unna.example",
        "organisation": "KI Kreis Unna",
        "municipality": "05978028",
        "language": "de",
        "notifications": {"mode": "daily_digest", "digest_hour": 7, "min_score": 0.5},
        "active": True,
        "version": 1,
        "updated_at": NOW.isoformat(),
    },
    "provider": {
        "provider_id": "vhs-schwerte",
        "name": "VHS Schwerte",
        "contact_email": "info@vhs-schwerte.example",
        "municipality": "05978028",
        "website": "https://vhs-schwerte.example",
        "active": True,
        "version": 2,
        "updated_at": NOW.isoformat(),
    },
    "match": {
        "match_id": "m-1",
        "need_id": "n-1",
        "need_reference": "UNN-7K3Q9X",
        "advisor_id": "adv-schwerte-1",
        "offer_id": "o-1",
        "offer": {
            "title": "Deutschkurs B1",
            "category": "language_course",
            "municipality": "05978028",
        },
        "score": 0.8,
        "reasons": [
            {
                "code": "category",
                "de": "Gewünschte Art: Sprachkurs",
                "en": "Wanted kind: language course",
            }
        ],
        "eligibility": "eligible",
        "found_at": NOW.isoformat(),
        "reason": "full",
        "invalidated_at": NOW.isoformat(),
        "decision": "declined",
        "decline_reason": "schedule",
        "decided_at": NOW.isoformat(),
    },
    "offer-review.closed": {
        "offer_id": "7d3c1f7e-0000-4000-8000-000000000001",
        "provider_id": "vhs-schwerte",
        "revision": 2,
        "published_version": None,
        "title": "Integrationskurs allgemein",
        "contact_email": "info@vhs-schwerte.example",
        "reason": "withdrawn",
        "closed_at": NOW.isoformat(),
    },
    "offer-review.report-filed": {
        "offer_id": "7d3c1f7e-0000-4000-8000-000000000001",
        "provider_id": "vhs-schwerte",
        "revision": None,
        "published_version": 1,
        "title": "Integrationskurs allgemein",
        "contact_email": "info@vhs-schwerte.example",
        "report_id": "r-1",
        "reason": "wrong_dates",
        "reported_at": NOW.isoformat(),
        "dismissed_at": NOW.isoformat(),
    },
    "offer-review.report-dismissed": {
        "offer_id": "7d3c1f7e-0000-4000-8000-000000000001",
        "provider_id": "vhs-schwerte",
        "revision": None,
        "published_version": 1,
        "title": "Integrationskurs allgemein",
        "contact_email": "info@vhs-schwerte.example",
        "report_id": "r-1",
        "reason": "wrong_dates",
        "reported_at": NOW.isoformat(),
        "dismissed_at": NOW.isoformat(),
    },
    "offer-review": {
        "offer_id": "7d3c1f7e-0000-4000-8000-000000000001",
        "provider_id": "vhs-schwerte",
        "revision": 2,
        "published_version": 1,
        "title": "Integrationskurs allgemein",
        "contact_email": "info@vhs-schwerte.example",
        "submitted_at": NOW.isoformat(),
        "decision_id": "d-1",
        "comment": "Bitte das Enddatum prüfen.",
        "decided_at": NOW.isoformat(),
    },
    "notification.failed": {
        "notification_id": "d-1",
        "advisor_id": "adv-schwerte-1",
        "match_id": "m-1",
        "kind": "match_invalidated",
        "error": "550 5.1.1 mailbox unavailable",
        "attempts": 1,
        "failed_at": NOW.isoformat(),
    },
    "notification": {
        "notification_id": "d-1",
        "advisor_id": "adv-schwerte-1",
        "match_id": "m-1",
        "sent_at": NOW.isoformat(),
    },
}


def example_for(event_type: str) -> dict[str, Any]:
    for prefix, example in EXAMPLES.items():
        if event_type.startswith(f"lotse.{prefix}."):
            return example
    raise AssertionError(f"no example for {event_type}")


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_event_type_has_a_valid_example(event_type: str) -> None:
    model = EVENT_TYPES[event_type]
    event = model.model_validate(example_for(event_type))
    assert event.event_type == event_type
    assert event.topic in TOPICS


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_every_event_survives_the_envelope(event_type: str) -> None:
    event = EVENT_TYPES[event_type].model_validate(example_for(event_type))
    record = encode(event, source="/lotse/test", event_id="e-1", time=NOW)
    headers = dict(record.headers)
    assert record.key == event.key().encode()
    assert record.topic == event.topic.name
    assert headers["ce_type"] == event_type.encode()
    assert headers["ce_specversion"] == b"1.0"
    assert headers["content-type"] == b"application/json"
    assert record.value is not None
    envelope = decode(record.headers, record.value)
    assert envelope.event == event
    assert (envelope.id, envelope.source, envelope.time) == ("e-1", "/lotse/test", NOW)


def test_every_field_is_described_for_subscribers() -> None:
    for model in EVENT_TYPES.values():
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"


def test_consumers_ignore_unknown_fields() -> None:
    data = example_for("lotse.offer.published.v1") | {"added_later": "x"}
    event = EVENT_TYPES["lotse.offer.published.v1"].model_validate(data)
    assert not hasattr(event, "added_later")


def _valid() -> tuple[list[tuple[str, bytes]], bytes]:
    event: Event = EVENT_TYPES["lotse.need.registered.v1"].model_validate(
        example_for("lotse.need.registered.v1")
    )
    record = encode(event, source="/lotse/test")
    assert record.value is not None
    return record.headers, record.value


def test_an_unknown_type_is_an_invalid_message() -> None:
    headers, value = _valid()
    headers = [(k, b"lotse.need.vanished.v9" if k == "ce_type" else v) for k, v in headers]
    with pytest.raises(InvalidMessage, match="unknown event type"):
        decode(headers, value)


def test_bad_json_is_an_invalid_message() -> None:
    headers, _ = _valid()
    with pytest.raises(InvalidMessage, match=r"invalid lotse\.need\.registered\.v1"):
        decode(headers, b"{not json")


def test_missing_attributes_are_an_invalid_message() -> None:
    headers, value = _valid()
    with pytest.raises(InvalidMessage, match="ce_id"):
        decode([(k, v) for k, v in headers if k != "ce_id"], value)


def test_data_failing_validation_names_the_field() -> None:
    headers, value = _valid()
    data = json.loads(value) | {"municipality": "Schwerte"}
    with pytest.raises(InvalidMessage, match="municipality"):
        decode(headers, json.dumps(data).encode())


def test_compacted_topics_are_the_entity_topics() -> None:
    compacted = {t.name for t in ALL_TOPICS if t.compacted}
    assert compacted == {"lotse.offers", "lotse.directory", "lotse.needs"}
    assert all(
        t.config["cleanup.policy"] == "delete" for t in ALL_TOPICS if t.name.endswith(".dlq")
    )


def offer_with(**changes: Any) -> dict[str, Any]:
    return EXAMPLES["offer"] | changes


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"age_min": 30, "age_max": 20}, "age_min must not exceed age_max"),
        ({"german_level_min": "B2", "german_level_max": "A1"}, "german_level_min must not exceed"),
        ({"places_available": 30}, "places_available must not exceed places_total"),
        ({"start_date": "2027-08-01"}, "start_date must not be after end_date"),
        ({"free_of_charge": False}, "fee_eur is required"),
        ({"subcategory": "cooking"}, "subcategory of an integration course"),
        ({"title": {"en": "Course"}}, "German text"),
        ({"location": {"municipality": "05978028", "lat": 51.4}}, "both lat and lon"),
    ],
)
def test_an_inconsistent_offer_is_refused_with_the_reason(
    changes: dict[str, Any], reason: str
) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=reason):
        EVENT_TYPES["lotse.offer.published.v1"].model_validate(offer_with(**changes))


def test_german_levels_are_ordered() -> None:
    from lotse_shared.contracts import GermanLevel

    assert [level.rank for level in GermanLevel] == list(range(7))
    assert GermanLevel.A0.rank < GermanLevel.B1.rank < GermanLevel.C2.rank


def test_every_topic_names_the_one_service_that_publishes_to_it() -> None:
    services = {"catalog", "matching", "notifications"}
    assert {t.name: t.producer for t in TOPICS} == {
        "lotse.offers": "catalog",
        "lotse.directory": "catalog",
        "lotse.needs": "catalog",
        "lotse.matches": "matching",
        "lotse.notifications": "notifications",
        "lotse.offer-reviews": "catalog",
    }
    assert all(t.producer in services and t.producer not in t.consumers for t in TOPICS)
    assert all(t.producer is None for t in ALL_TOPICS if t.name.endswith(".dlq"))

"""What a provider reads about a decision, in German and English, and what the KI reads each day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from lotse_notifications.domain.review import Decided, WaitingReview
from lotse_notifications.domain.review_wording import (
    Part,
    decision_parts,
    decision_subject,
    queue_entries,
    waiting,
)

BERLIN = ZoneInfo("Europe/Berlin")
DECIDED_AT = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # 12:00 in Schwerte


def decision(verdict: str = "changes_requested", **changes: Any) -> Decided:
    values: dict[str, Any] = {
        "id": "d-1",
        "verdict": verdict,
        "offer_id": "offer-1",
        "provider_id": "vhs-schwerte",
        "title": "Integrationskurs allgemein",
        "contact_email": "info@vhs-schwerte.example",
        "revision": 2,
        "published_version": None,
        "decided_at": DECIDED_AT,
        "comment": "Bitte das Enddatum prüfen.",
    }
    return Decided(**(values | changes))


def text(part: Part) -> str:
    return " ".join(
        [part.greeting, *part.lead, part.comment or "", part.next_step]
        + [f"{label}: {value}" for label, value in part.facts]
    )


def test_a_change_request_says_what_to_do_in_german_then_english() -> None:
    d = decision()
    german, english = decision_parts(d, "Kreis Unna", "ki@kreis-unna.example", BERLIN)
    assert decision_subject(d) == (
        "Lotse: Bitte überarbeiten Sie „Integrationskurs allgemein“ / Please revise your offer"
    )
    assert (german.language, english.language) == ("de", "en")
    assert german.note == "English version below." and english.note is None
    assert german.lead == (
        "das Kommunale Integrationszentrum Kreis Unna (KI) hat Ihr Angebot „Integrationskurs "
        "allgemein“ geprüft und bittet Sie um Änderungen, bevor es veröffentlicht wird.",
    )
    assert english.lead[0].startswith("The KI, the integration centre of Kreis Unna, has")
    assert (german.comment_heading, german.comment) == ("Anmerkung des KI:", d.comment)
    assert english.comment == d.comment  # the KI's own words, as written
    assert "„Meine Angebote“" in german.next_step and "“My offers”" in english.next_step
    assert german.facts == (
        ("Angebot", "Integrationskurs allgemein"),
        ("Fassung", "2"),
        ("Entschieden", "01.12.2026, 12:00 Uhr"),
    )
    assert english.facts[-1] == ("Decided", "2026-12-01 12:00")
    assert german.closing.endswith("beantwortet das KI unter ki@kreis-unna.example.")


def test_a_change_to_a_published_offer_says_the_published_version_stays() -> None:
    german, english = decision_parts(decision(published_version=3), "Kreis Unna", None, BERLIN)
    assert (
        "Ihre Änderung am Angebot" in german.lead[0]
        and "bevor sie veröffentlicht" in german.lead[0]
    )
    assert german.lead[1] == "Bis dahin sehen Beratende weiter die bisher veröffentlichte Fassung."
    assert "your change to the offer" in english.lead[0]
    assert german.closing.endswith("beantwortet das KI.")  # no address known, none named


def test_a_change_request_from_an_advisors_report_names_the_problem_not_the_advisor() -> None:
    d = decision(revision=None, published_version=3, report_reason="full_but_shown_free")
    german, english = decision_parts(d, "Kreis Unna", None, BERLIN)
    assert decision_subject(d).startswith("Lotse: Hinweis zu „Integrationskurs allgemein“")
    assert german.lead[0] == (
        "aus der Beratung wurde zu Ihrem Angebot „Integrationskurs allgemein“ ein Problem "
        "gemeldet: ausgebucht, aber mit freien Plätzen angezeigt."
    )
    assert german.lead[-1] == "Bis dahin bleibt das Angebot veröffentlicht, wie es ist."
    assert english.lead[0].startswith("An advisor reported a problem")
    assert "full, but shown with free places" in english.lead[0]
    assert [label for label, _ in german.facts] == ["Angebot", "Entschieden"]  # no revision


def test_an_unknown_report_reason_reads_as_another_problem() -> None:
    german, _ = decision_parts(decision(report_reason="new_reason"), "Kreis Unna", None, BERLIN)
    assert german.lead[0].endswith("ein Problem gemeldet: ein anderes Problem.")


def test_an_approval_without_comment_says_it_is_published() -> None:
    d = decision("approved", comment=None, published_version=4)
    german, english = decision_parts(d, "Kreis Unna", None, BERLIN)
    assert decision_subject(d) == (
        "Lotse: „Integrationskurs allgemein“ ist freigegeben / Your offer is approved"
    )
    assert german.comment is None
    assert "geprüft und freigegeben" in german.lead[0]
    assert german.lead[1].startswith("Es ist jetzt veröffentlicht")
    assert "Freie Plätze" in german.next_step and "free places" in english.next_step


@pytest.mark.parametrize(
    ("published", "german_says", "step"),
    [
        (None, "Das Angebot wird nicht veröffentlicht.", "neues Angebot an"),
        (
            3,
            "Die bisher veröffentlichte Fassung bleibt unverändert sichtbar.",
            "erneut zur Prüfung",
        ),
    ],
)
def test_a_rejection_gives_the_reasons_and_what_stays(
    published: int | None, german_says: str, step: str
) -> None:
    german, english = decision_parts(
        decision("rejected", published_version=published), "Kreis Unna", None, BERLIN
    )
    assert german.lead[-1] == german_says
    assert step in german.next_step
    assert (german.comment_heading, english.comment_heading) == (
        "Begründung des KI:",
        "The KI's reasons:",
    )


def test_the_queue_lists_the_longest_waiting_first_with_the_providers_name() -> None:
    now = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    reviews = [
        WaitingReview("o-2", "awo-unna", "Sprachcafé", 1, now - timedelta(hours=5)),
        WaitingReview("o-1", "vhs-schwerte", "Integrationskurs", 2, now - timedelta(days=3)),
    ]
    first, second = queue_entries(reviews, {"vhs-schwerte": "VHS Schwerte"}, now, BERLIN)
    assert (first.title, first.provider, first.waiting) == (
        "Integrationskurs",
        "VHS Schwerte",
        "wartet seit 3 Tagen",
    )
    assert first.submitted == "Fassung 2, eingereicht am 29.11.2026 um 08:00 Uhr"
    assert (second.provider, second.waiting) == ("awo-unna", "wartet seit 5 Stunden")


@pytest.mark.parametrize(
    ("since", "said"),
    [
        (timedelta(minutes=59), "wartet seit weniger als einer Stunde"),
        (timedelta(hours=1), "wartet seit einer Stunde"),
        (timedelta(hours=23, minutes=59), "wartet seit 23 Stunden"),
        (timedelta(days=1), "wartet seit einem Tag"),
        (timedelta(days=12, hours=20), "wartet seit 12 Tagen"),
    ],
)
def test_how_long_an_offer_has_waited(since: timedelta, said: str) -> None:
    assert waiting(since) == said

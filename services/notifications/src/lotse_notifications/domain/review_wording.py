"""What the review emails say: to a provider in German with English below, to the KI in German.

The directory holds no language for providers, so a provider's email
carries both; the advisors' emails follow each advisor's language. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from lotse_notifications.domain.review import (
    APPROVED,
    REJECTED,
    Decided,
    OpenReport,
    WaitingReview,
)
from lotse_notifications.domain.wording import Language

__all__ = [
    "QUEUE_WORDS",
    "Part",
    "QueueEntry",
    "ReportEntry",
    "decision_parts",
    "decision_subject",
    "queue_entries",
    "queue_intro",
    "queue_subject",
    "report_entries",
    "reports_intro",
    "waiting",
]

_PHRASES: dict[Language, dict[str, str]] = {
    "de": {
        "ki": "das Kommunale Integrationszentrum {region} (KI)",
        "report": "aus der Beratung wurde zu Ihrem Angebot „{title}“ ein Problem gemeldet: "
        "{reason}.\n{Ki} hat die Meldung geprüft und bittet Sie, das Angebot zu überarbeiten.",
        "report_live": "Bis dahin bleibt das Angebot veröffentlicht, wie es ist.",
        "approved": "{ki} hat Ihr Angebot „{title}“ geprüft und freigegeben.\nEs ist jetzt "
        "veröffentlicht: Beratende sehen es, und Lotse schlägt es passenden Bedarfen vor.",
        "rejected_new": "{ki} hat Ihr Angebot „{title}“ geprüft und nicht freigegeben.\n"
        "Das Angebot wird nicht veröffentlicht.",
        "rejected_live": "{ki} hat Ihre Änderung am Angebot „{title}“ geprüft und nicht "
        "freigegeben.\nDie bisher veröffentlichte Fassung bleibt unverändert sichtbar.",
        "changes_new": "{ki} hat Ihr Angebot „{title}“ geprüft und bittet Sie um Änderungen, "
        "bevor es veröffentlicht wird.",
        "changes_live": "{ki} hat Ihre Änderung am Angebot „{title}“ geprüft und bittet Sie um "
        "Änderungen, bevor sie veröffentlicht wird.\nBis dahin sehen Beratende weiter die "
        "bisher veröffentlichte Fassung.",
        "comment": "Anmerkung des KI:",
        "reasons": "Begründung des KI:",
        "step_approved": "Freie Plätze können Sie jederzeit ändern; das wartet nicht auf eine "
        "Prüfung.",
        "step_new_offer": "Möchten Sie es in anderer Form anbieten, legen Sie bitte ein neues "
        "Angebot an.",
        "step_revise": "Bitte überarbeiten Sie das Angebot in Lotse unter „Meine Angebote“ und "
        "reichen Sie es erneut zur Prüfung ein.",
        "note": "English version below.",
        "greeting": "Guten Tag,",
        "offer": "Angebot",
        "version": "Fassung",
        "decided": "Entschieden",
        "when": "{at:%d.%m.%Y}, {at:%H:%M} Uhr",
        "closing": "Diese Nachricht hat Lotse automatisch versandt. Fragen zur Prüfung "
        "beantwortet das KI.",
        "closing_to": "Diese Nachricht hat Lotse automatisch versandt. Fragen zur Prüfung "
        "beantwortet das KI unter {ki_email}.",
        "wrong_dates": "falsche Termine",
        "full_but_shown_free": "ausgebucht, aber mit freien Plätzen angezeigt",
        "contact_not_answering": "der Kontakt antwortet nicht",
        "wrong_eligibility": "falsche Teilnahmevoraussetzungen",
        "other": "ein anderes Problem",
    },
    "en": {
        "ki": "the KI, the integration centre of {region},",
        "report": "An advisor reported a problem with your offer “{title}”: {reason}.\n"
        "{Ki} looked into the report and asks you to revise the offer.",
        "report_live": "Until then the offer stays published as it is.",
        "approved": "{Ki} has reviewed and approved your offer “{title}”.\nIt is published "
        "now: advisors see it, and Lotse proposes it for fitting needs.",
        "rejected_new": "{Ki} has reviewed your offer “{title}” and not approved it.\n"
        "The offer will not be published.",
        "rejected_live": "{Ki} has reviewed your change to the offer “{title}” and not "
        "approved it.\nThe version published before stays as it was.",
        "changes_new": "{Ki} has reviewed your offer “{title}” and asks you for changes before "
        "it is published.",
        "changes_live": "{Ki} has reviewed your change to the offer “{title}” and asks you for "
        "changes before it is published.\nUntil then advisors keep seeing the version "
        "published before.",
        "comment": "The KI's comment:",
        "reasons": "The KI's reasons:",
        "step_approved": "You can change the free places at any time; that never waits for a "
        "review.",
        "step_new_offer": "To offer it in another form, please create a new offer.",
        "step_revise": "Please revise the offer in Lotse under “My offers” and submit it for "
        "review again.",
        "greeting": "Hello,",
        "offer": "Offer",
        "version": "Version",
        "decided": "Decided",
        "when": "{at:%Y-%m-%d %H:%M}",
        "closing": "Lotse sent this message automatically. The KI answers questions about the "
        "review.",
        "closing_to": "Lotse sent this message automatically. The KI answers questions about "
        "the review at {ki_email}.",
        "wrong_dates": "wrong dates",
        "full_but_shown_free": "full, but shown with free places",
        "contact_not_answering": "the contact does not answer",
        "wrong_eligibility": "wrong eligibility",
        "other": "another problem",
    },
}
_REPORT_REASONS = frozenset(
    {"wrong_dates", "full_but_shown_free", "contact_not_answering", "wrong_eligibility", "other"}
)


@dataclass(frozen=True)
class Part:
    """One language's version of a provider's email, paragraph by paragraph."""

    language: Language
    note: str | None  # above the greeting: where the other language is
    greeting: str
    lead: tuple[str, ...]
    comment_heading: str
    comment: str | None
    next_step: str
    facts: tuple[tuple[str, str], ...]
    closing: str


def decision_subject(d: Decided) -> str:
    if d.from_report:
        return f"Lotse: Hinweis zu „{d.title}“, bitte prüfen / Please check your offer"
    if d.verdict == APPROVED:
        return f"Lotse: „{d.title}“ ist freigegeben / Your offer is approved"
    if d.verdict == REJECTED:
        return f"Lotse: „{d.title}“ ist nicht freigegeben / Your offer was not approved"
    return f"Lotse: Bitte überarbeiten Sie „{d.title}“ / Please revise your offer"


def decision_parts(
    d: Decided, region: str, ki_email: str | None, zone: ZoneInfo
) -> tuple[Part, Part]:
    """The German part, then the English one."""
    return _part(d, "de", region, ki_email, zone), _part(d, "en", region, ki_email, zone)


def _part(d: Decided, lang: Language, region: str, ki_email: str | None, zone: ZoneInfo) -> Part:
    words = _PHRASES[lang]
    ki = words["ki"].format(region=region)
    reason = d.report_reason if d.report_reason in _REPORT_REASONS else "other"
    live = "live" if d.stays_live else "new"
    case = (
        "report"
        if d.from_report
        else "approved"
        if d.verdict == APPROVED
        else f"{'rejected' if d.verdict == REJECTED else 'changes'}_{live}"
    )
    lead = [
        paragraph.format(Ki=ki[0].upper() + ki[1:], ki=ki, title=d.title, reason=words[reason])
        for paragraph in words[case].split("\n")
    ]
    if d.from_report and d.published_version is not None:
        lead.append(words["report_live"])
    if d.verdict == APPROVED:
        step = words["step_approved"]
    elif d.verdict == REJECTED and not d.stays_live:
        step = words["step_new_offer"]
    else:
        step = words["step_revise"]
    facts = [(words["offer"], d.title)]
    if d.revision is not None:
        facts.append((words["version"], str(d.revision)))
    facts.append((words["decided"], words["when"].format(at=d.decided_at.astimezone(zone))))
    return Part(
        language=lang,
        note=words.get("note"),
        greeting=words["greeting"],
        lead=tuple(lead),
        comment_heading=words["reasons" if d.verdict == REJECTED else "comment"],
        comment=d.comment,
        next_step=step,
        facts=tuple(facts),
        closing=words["closing_to" if ki_email else "closing"].format(ki_email=ki_email),
    )


QUEUE_WORDS = {
    "greeting": "Guten Tag,",
    "provider": "Anbieter",
    "closing": "Die Prüfliste in Lotse zeigt jede Fassung mit ihren Änderungen, die "
    "Problemmeldungen zeigen jede Meldung mit der Notiz der Beratung.",
}


@dataclass(frozen=True)
class QueueEntry:
    """One offer in the KI's daily email: what, whose, since when, and for how long."""

    title: str
    provider: str
    submitted: str
    waiting: str


def queue_subject(count: int, reports: int = 0) -> str:
    offers = (
        ""
        if count == 0
        else "ein Angebot wartet auf Prüfung"
        if count == 1
        else f"{count} Angebote warten auf Prüfung"
    )
    opened = (
        ""
        if reports == 0
        else "eine Problemmeldung ist offen"
        if reports == 1
        else f"{reports} Problemmeldungen sind offen"
    )
    return "Lotse: " + ", ".join(part for part in (offers, opened) if part)


def queue_intro(count: int) -> str:
    if count == 1:
        return "ein Angebot wartet auf Ihre Prüfung:"
    return f"{count} Angebote warten auf Ihre Prüfung, das am längsten wartende zuerst:"


def reports_intro(count: int) -> str:
    if count == 1:
        return "Aus der Beratung ist eine Problemmeldung offen:"
    return f"Aus der Beratung sind {count} Problemmeldungen offen, die älteste zuerst:"


@dataclass(frozen=True)
class ReportEntry:
    """One open problem report in the KI's daily email: which offer, whose, what, since when."""

    title: str
    provider: str
    reason: str
    reported: str


def report_entries(
    reports: Sequence[OpenReport], providers: Mapping[str, str], zone: ZoneInfo
) -> list[ReportEntry]:
    """The open reports, the oldest first, each with its reason in words."""
    words = _PHRASES["de"]
    entries = []
    for r in sorted(reports, key=lambda r: (r.reported_at, r.report_id)):
        local = r.reported_at.astimezone(zone)
        reason = words[r.reason] if r.reason in _REPORT_REASONS else words["other"]
        entries.append(
            ReportEntry(
                title=r.title,
                provider=providers.get(r.provider_id, r.provider_id),
                reason=reason[0].upper() + reason[1:],
                reported=f"gemeldet am {local:%d.%m.%Y} um {local:%H:%M} Uhr",
            )
        )
    return entries


def queue_entries(
    reviews: Sequence[WaitingReview], providers: Mapping[str, str], now: datetime, zone: ZoneInfo
) -> list[QueueEntry]:
    """The offers waiting, the longest waiting first."""
    entries = []
    for r in sorted(reviews, key=lambda r: (r.submitted_at, r.title, r.offer_id)):
        local = r.submitted_at.astimezone(zone)
        submitted = f"eingereicht am {local:%d.%m.%Y} um {local:%H:%M} Uhr"
        entries.append(
            QueueEntry(
                title=r.title,
                provider=providers.get(r.provider_id, r.provider_id),
                submitted=f"Fassung {r.revision}, {submitted}" if r.revision else submitted,
                waiting=waiting(now - r.submitted_at),
            )
        )
    return entries


def waiting(since: timedelta) -> str:
    """How long an offer has waited, in German: whole days, else whole hours."""
    days, hours = since.days, int(since.total_seconds() // 3600)
    if days >= 1:
        return "wartet seit einem Tag" if days == 1 else f"wartet seit {days} Tagen"
    if hours >= 1:
        return "wartet seit einer Stunde" if hours == 1 else f"wartet seit {hours} Stunden"
    return "wartet seit weniger als einer Stunde"

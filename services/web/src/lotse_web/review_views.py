"""View models of the review: an offer's review state, what a revision changes, a report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lotse_shared.region import Region
from lotse_web import i18n, labels
from lotse_web.entrypoints.offer_form import LABELS, RIGHT_TO_LEFT
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_
from lotse_web.views import text_in

__all__ = [
    "REPORT_REASONS",
    "REPORT_STATUSES",
    "REVIEW_STATES",
    "Change",
    "ReportRow",
    "ReviewRow",
    "RevisionRow",
    "changes_between",
    "changes_of",
    "report_row",
    "review_row",
    "revision_row",
]

Json = dict[str, Any]

REVIEW_STATES = {
    "draft": N_("Draft: not yet sent for review"),
    "submitted": N_("Waiting for the KI's review"),
    "changes_requested": N_("Changes requested"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
    "published": N_("Published"),
}
REPORT_REASONS = {
    "wrong_dates": N_("The dates are wrong"),
    "full_but_shown_free": N_("It is full but shows free places"),
    "contact_not_answering": N_("The contact does not answer"),
    "wrong_eligibility": N_("Who can join is stated wrongly"),
    "other": N_("Something else"),
}
REPORT_STATUSES = {
    "open": N_("Open: the KI has not decided yet"),
    "dismissed": N_("Dismissed by the KI"),
    "changes_requested": N_("The provider was asked to change the offer"),
}
REVISION_STATES = {
    "submitted": N_("waiting for the KI's review"),
    "changes_requested": N_("changes requested"),
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "superseded": N_("replaced by a later change"),
    "withdrawn": N_("withdrawn"),
}
OPEN_STATES = frozenset({"draft", "submitted", "changes_requested", "rejected"})


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class ReviewRow:
    """Where one offer's review stands, as the provider's and the KI's lists show it."""

    offer_id: str
    provider_id: str
    title: str
    state: str
    version: int
    published: bool  # advisors see a version of it meanwhile
    comment: str | None  # the latest decision's words
    decision: str | None  # the latest decision: approved, changes_requested, rejected
    decided_at: datetime | None
    submitted_at: datetime | None  # of the revision waiting, if one waits
    revision: int | None  # the number of the revision waiting
    updated_at: datetime
    has_draft: bool

    @property
    def state_words(self) -> str:
        return _(REVIEW_STATES.get(self.state, self.state))

    @property
    def can_submit(self) -> bool:
        return self.has_draft and self.state == "draft"

    @property
    def waiting(self) -> bool:
        return self.state == "submitted"

    @property
    def open(self) -> bool:
        """Whether the provider still has something to do or wait for."""
        return self.state in OPEN_STATES and not (self.state == "rejected" and self.published)


def review_row(review: Json) -> ReviewRow:
    last = review.get("last_decision") or {}
    pending = review.get("pending") or {}
    return ReviewRow(
        review["offer_id"],
        review["provider_id"],
        review.get("title") or "",
        review["state"],
        int(review["version"]),
        review.get("published_version") is not None,
        last.get("comment"),
        last.get("decision"),
        _when(last.get("decided_at")),
        _when(pending.get("submitted_at")),
        pending.get("number"),
        datetime.fromisoformat(review["updated_at"]),
        review.get("draft") is not None,
    )


@dataclass(frozen=True)
class Change:
    """One field a revision changes: its name, and both values in words."""

    label: str
    before: str
    after: str
    lang: str | None = None  # the language of a translated title or description
    dir: str = "ltr"


def _words(field: str, value: Any, region: Region) -> str:
    if value is None or value == [] or value == "":
        return "–"
    if field == "free_of_charge":
        return _("Free of charge") if value else _("Costs a fee")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    names = i18n.locale().languages
    tables: dict[str, dict[str, str]] = {
        "category": labels.CATEGORIES,
        "delivery_mode": labels.DELIVERY_MODES,
        "subcategory": labels.INTEGRATION_COURSE_TYPES,
        "entitlement_required": labels.ENTITLEMENTS,
    }
    if field in tables:
        return _(tables[field].get(str(value), str(value)))
    if field in ("location.municipality",):
        return region.name_of(str(value))
    if field == "service_area":
        return ", ".join(region.name_of(str(v)) for v in value)
    if field in ("languages_of_instruction", "support_languages"):
        return ", ".join(str(names.get(v, v)) for v in value)
    listed: dict[str, dict[str, str]] = {
        "times_of_day": labels.TIMES_OF_DAY,
        "target_groups": labels.TARGET_GROUPS,
        "residence_statuses": labels.RESIDENCE_STATUSES,
    }
    if field in listed:
        return ", ".join(_(listed[field].get(str(v), str(v))) for v in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return i18n.number(value)
    return str(value)


def _label(field: str) -> str:
    head, _dot, rest = field.partition(".")
    if head in ("title", "description"):
        return _(LABELS.get(f"{head}_{rest}", field))
    return _(LABELS.get(rest if head == "location" else field, field))


def _flat(details: Json | None) -> Json:
    flat: Json = {}
    for name, value in (details or {}).items():
        if isinstance(value, dict):
            flat.update({f"{name}.{key}": inner for key, inner in value.items()})
        else:
            flat[name] = value
    return flat


def changes_between(before: Json, after: Json, region: Region) -> list[Change]:
    """What ``after`` changes of ``before`` (two versions of an offer's details)."""
    old, new = _flat(before), _flat(after)
    fields = [{"field": name, "before": old.get(name), "after": new.get(name)}
              for name in old.keys() | new.keys() if old.get(name) != new.get(name)]  # fmt: skip
    return changes_of({"changes": fields}, region)


def changes_of(revision: Json, region: Region) -> list[Change]:
    """What a revision changes, field by field, in the order of the offer form."""
    order = {name: n for n, name in enumerate(LABELS)}

    def position(change: Json) -> int:
        head, _dot, rest = change["field"].partition(".")
        key = f"{head}_{rest}" if head in ("title", "description") else (rest or head)
        return order.get(key if head != "location" else rest, len(order))

    found = []
    for change in sorted(revision.get("changes") or [], key=position):
        field = change["field"]
        head, _dot, rest = field.partition(".")
        lang = rest if head in ("title", "description") else None
        before = _words(field, change.get("before"), region)
        after = _words(field, change.get("after"), region)
        if before == after:  # e.g. nothing before and an empty list now: no change in words
            continue
        found.append(Change(_label(field), before, after, lang,
                            "rtl" if lang in RIGHT_TO_LEFT else "ltr"))  # fmt: skip
    return found


@dataclass(frozen=True)
class RevisionRow:
    """One version a provider sent for review, what it changed and what the KI said."""

    number: int
    state: str
    submitted_at: datetime
    comment: str | None
    changes: list[Change]
    base_version: int | None  # the published version it changes; None for a new offer

    @property
    def state_words(self) -> str:
        return _(REVISION_STATES.get(self.state, self.state))


def revision_row(revision: Json, region: Region) -> RevisionRow:
    decision = revision.get("decision") or {}
    return RevisionRow(
        int(revision["number"]),
        revision["state"],
        datetime.fromisoformat(revision["submitted_at"]),
        decision.get("comment"),
        changes_of(revision, region),
        revision.get("base_version"),
    )


@dataclass(frozen=True)
class ReportRow:
    """An advisor's problem report and what became of it."""

    id: str
    offer_id: str
    offer_title: str
    title_lang: str
    reason: str
    note: str | None
    status: str
    created_at: datetime
    decided_at: datetime | None
    comment: str | None

    @property
    def reason_words(self) -> str:
        return _(REPORT_REASONS.get(self.reason, self.reason))

    @property
    def status_words(self) -> str:
        return _(REPORT_STATUSES.get(self.status, self.status))


def report_row(report: Json, offers: dict[str, Json]) -> ReportRow:
    offer = offers.get(report["offer_id"])
    language = i18n.current().code
    title, lang = text_in(offer["title"], language) if offer else (_("an offer"), language)
    return ReportRow(
        report["id"],
        report["offer_id"],
        title,
        lang,
        report["reason"],
        report.get("note"),
        report["status"],
        datetime.fromisoformat(report["created_at"]),
        _when(report.get("decided_at")),
        report.get("comment"),
    )

"""View models of the providers' desk: a row of "My offers", an import's report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lotse_web import i18n
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_
from lotse_web.views import text_in

__all__ = [
    "CreatedOffer",
    "ImportOutcome",
    "ImportProblem",
    "OfferRow",
    "import_outcome",
    "offer_row",
    "offer_row_words",
]

Json = dict[str, Any]


@dataclass(frozen=True)
class OfferRow:
    """One offer in the provider's list, with what its places form shows."""

    id: str
    title: str
    title_lang: str
    status: str
    start: date | None
    rolling_start: bool
    places_available: int | None
    places_total: int | None
    waitlist: bool
    proposed_for: int | None  # active matches; None when matching could not be asked
    updated_at: datetime
    version: int
    typed: str  # what the free-places field shows: the stored number, or what was typed
    error: str | None = None  # why the catalog refused the number typed
    changed_elsewhere: bool = False  # someone saved the offer since this row was read
    review_state: str | None = None  # a change of it waiting for or back from review

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def review_tag(self) -> str | None:
        """What the row says of a change to it that is under review."""
        words = _REVIEW_TAGS.get(self.review_state or "")
        return _(words) if words else None


_REVIEW_TAGS = {
    "draft": N_("Change not yet sent for review"),
    "submitted": N_("Change waiting for the KI's review"),
    "changes_requested": N_("The KI asks for changes"),
    "rejected": N_("Change rejected by the KI"),
}


def offer_row_words() -> dict[str, str]:
    """The words every row of "My offers" repeats, translated once per page instead of per row:
    looking them up row by row was most of the time the page took to render."""
    return {
        "offer": _("Offer"), "status": _("Status"), "starts": _("Starts"),
        "places": _("Free places"), "waitlist": _("Waiting list"),
        "proposed": _("Proposed for"), "changed": _("Changed"), "save": _("Save"),
        "full": _("Full"), "error": _("Error:"), "yes": _("yes"), "no": _("no"),
    }  # fmt: skip


def offer_row(
    offer: Json,
    counts: Json | None,
    *,
    typed: str | None = None,
    error: str | None = None,
    changed_elsewhere: bool = False,
    review_state: str | None = None,
) -> OfferRow:
    title, title_lang = text_in(offer["title"], i18n.current().code)
    available = offer.get("places_available")
    return OfferRow(
        offer["id"],
        title,
        title_lang,
        offer["status"],
        date.fromisoformat(offer["start_date"]) if offer.get("start_date") else None,
        bool(offer.get("rolling_start")),
        available,
        offer.get("places_total"),
        bool(offer.get("waitlist")),
        None if counts is None else int(counts.get(offer["id"], {}).get("active", 0)),
        datetime.fromisoformat(offer["updated_at"]),
        int(offer["version"]),
        typed if typed is not None else ("" if available is None else str(available)),
        error,
        changed_elsewhere,
        review_state,
    )


@dataclass(frozen=True)
class ImportProblem:
    row: int
    column: str  # as the provider's file names it, e.g. ``municipality`` or ``title_de``
    reason: str


@dataclass(frozen=True)
class CreatedOffer:
    id: str
    title: str


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did: the offers it created, and every row it could not take."""

    stored: bool
    created: list[CreatedOffer]
    problems: list[ImportProblem]
    rows_failed: int
    spreadsheet: bool  # rows counted as a spreadsheet shows them, the header being row 1


def _column(field: str) -> str:
    """The catalog's field path as the CSV column it came from."""
    head, _dot, rest = field.partition(".")
    if head in ("title", "description"):
        return f"{head}_{rest or 'de'}"
    if head == "location" and rest:
        return rest
    return field


def import_outcome(
    report: Json, titles: dict[str, Json], in_words: Any, *, stored: bool, spreadsheet: bool
) -> ImportOutcome:
    """``in_words`` turns the catalog's reason into the page's language.

    The catalog counts a CSV's rows after the header; a spreadsheet shows the header as
    row 1, so a CSV's rows are shown one higher: the row the provider finds in their file.
    """
    language = i18n.current().code
    created = [
        CreatedOffer(i, text_in(titles[i]["title"], language)[0] if i in titles else i)
        for i in report.get("created") or []
    ]
    failed = report.get("failed") or report.get("rows") or []
    problems = [
        ImportProblem(int(row["row"]) + spreadsheet, _column(str(e.get("field", ""))),
                      in_words(str(e.get("reason", ""))))
        for row in failed
        for e in row.get("errors") or []
    ]  # fmt: skip
    return ImportOutcome(stored, created, problems, len(failed), spreadsheet)

"""Coverage figures as coordinators see them, and the weeks their history is told in.

Counts of people are anonymised: 1 to 4 is shown as "< 5", so no newcomer
can be singled out by a cell of a table, a chart or an export.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

__all__ = [
    "SUPPRESSED",
    "latest_day_of_each_week",
    "suppress_few",
    "suppressed_total",
    "week_starts",
]

SUPPRESSED = "< 5"


def suppress_few(count: int) -> int | str:
    """A count of people as it may be shown: 1 to 4 become "< 5"; 0 and 5 or more stay."""
    return SUPPRESSED if 1 <= count <= 4 else count


def suppressed_total(parts: Iterable[int]) -> int | str:
    """A total of counts of people, told only from what its parts show.

    The parts are shown on their own too (a municipality's kinds, a kind's
    municipalities), so an exact total of 8 next to a part of 6 would give the
    hidden other part away. A total with hidden parts (1 to 4) is therefore
    "≥ N", N being the shown parts plus one for each hidden one — true, and
    known already from the parts; a lone hidden part stays "< 5".
    """
    counts = list(parts)
    hidden = sum(1 for n in counts if 1 <= n <= 4)
    shown = sum(n for n in counts if not 1 <= n <= 4)
    if not hidden:
        return shown
    if hidden == 1 and shown == 0:
        return SUPPRESSED
    return f"≥ {shown + hidden}"


def week_starts(today: date, weeks: int) -> list[date]:
    """The Mondays of the last ``weeks`` ISO weeks, oldest first, this week included."""
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def latest_day_of_each_week(days: Iterable[date], mondays: Iterable[date]) -> dict[date, date]:
    """For each Monday given, the latest of ``days`` in its week; weeks without one are absent."""
    wanted = set(mondays)
    latest: dict[date, date] = {}
    for day in days:
        monday = day - timedelta(days=day.weekday())
        if monday in wanted and day > latest.get(monday, date.min):
            latest[monday] = day
    return latest

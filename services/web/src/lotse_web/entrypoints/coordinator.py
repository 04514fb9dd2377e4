"""KI coordinators' desk: coverage with its trend, and emails that do not arrive.

The directory of providers and advisors is in :mod:`directory`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from lotse_web import i18n, labels
from lotse_web.bootstrap import Web
from lotse_web.coverage import (
    FIGURE_NAMES,
    FIGURES,
    CoverageRow,
    coverage_rows,
    rank,
    suppressed_csv,
    trend_table,
)
from lotse_web.coverage_chart import bar_chart, trend_charts
from lotse_web.coverage_map import map_chart
from lotse_web.entrypoints.choices import municipalities
from lotse_web.entrypoints.pages import render
from lotse_web.entrypoints.security import AdminSession, WebDep, csrf_protected
from lotse_web.i18n import gettext_ as _
from lotse_web.labels import N_

__all__ = ["router"]

router = APIRouter(dependencies=[Depends(csrf_protected)])

PROBLEM_DAYS = (7, 30, 90, 365)
AN_EMAIL = N_("an email")  # a kind of notification this desk does not know yet


def _kinds() -> list[tuple[str, str]]:
    return sorted(((c, _(w)) for c, w in labels.CATEGORIES.items()), key=lambda k: k[1])


def _chosen_kind(value: str) -> str:
    return value if value in labels.CATEGORIES else ""


def _most_wanting(rows: list[CoverageRow]) -> str | None:
    """The kind the chart shows when none is chosen: where the most needs wait unmatched."""
    weights: dict[str, float] = {}
    for row in rows:
        weights[row.category] = weights.get(row.category, 0.0) + rank(row.needs_without_match)
    return max(sorted(weights), key=lambda c: weights[c], default=None)


def _one_kind(rows: list[CoverageRow], kind: str, web: Web) -> list[CoverageRow]:
    """Every municipality for the chart, those without needs or offers of the kind as 0."""
    found = {r.municipality: r for r in rows if r.category == kind}
    return [found.get(ags) or CoverageRow(ags, name, kind, 0, 0, 0, 0)
            for ags, name in municipalities(web.region)]  # fmt: skip


@router.get("/coordinator/coverage", summary="Where offers are missing: the coverage desk.")
async def coverage(
    request: Request, session: AdminSession, web: WebDep, category: str = ""
) -> Response:
    kind = _chosen_kind(category)
    payload = await web.matching.coverage(session.user.api_token, kind or None)
    rows = [r for r in coverage_rows(payload, web.region) if not kind or r.category == kind]
    charted = kind or _most_wanting(rows)
    chart_rows = _one_kind(rows, charted, web) if charted else []
    return render(
        request,
        "coordinator/coverage.html",
        {
            "rows": [r for r in rows if not r.empty],
            "left_out": sum(1 for r in rows if r.empty),
            "kinds": _kinds(),
            "kind": kind,
            "charted": charted,
            "bars": bar_chart(chart_rows) if chart_rows else None,
            "map": map_chart(chart_rows, web.region) if chart_rows else None,
            "chart_rows": chart_rows,
        },
    )


@router.get("/coordinator/coverage.csv", summary="The coverage figures as a CSV file.")
async def coverage_csv(session: AdminSession, web: WebDep, category: str = "") -> Response:
    kind = _chosen_kind(category)
    raw = await web.matching.coverage_csv(session.user.api_token, kind or None)
    day = datetime.now(UTC).date().isoformat()
    name = f"lotse-abdeckung-{kind + '-' if kind else ''}{day}.csv"
    return Response(
        suppressed_csv(raw),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/coordinator/trend", summary="The coverage figures of the last 12 weeks.")
async def trend(
    request: Request,
    session: AdminSession,
    web: WebDep,
    by: str = "municipality",
    category: str = "",
    municipality: str = "",
    figure: str = "needs_without_match",
) -> Response:
    by = by if by in ("municipality", "category") else "municipality"
    kind = _chosen_kind(category)
    town = municipality if municipality in web.region else ""
    figure = figure if figure in FIGURES else "needs_without_match"
    payload = await web.matching.coverage_history(
        session.user.api_token, by=by, category=kind or None, municipality=town or None
    )
    table = trend_table(payload, figure, web.region)
    first = i18n.day(table.weeks[0]) if table.weeks else ""
    last = i18n.day(table.weeks[-1]) if table.weeks else ""
    return render(
        request,
        "coordinator/trend.html",
        {
            "table": table,
            "charts": trend_charts(table, first, last),
            "by": by,
            "kind": kind,
            "town": town,
            "figure": figure,
            "figure_names": FIGURE_NAMES,
            "kinds": _kinds(),
            "towns": municipalities(web.region),
        },
    )


@router.get("/coordinator/delivery-problems", summary="Emails that do not reach advisors.")
async def delivery_problems(
    request: Request, session: AdminSession, web: WebDep, days: int = 30
) -> Response:
    days = days if days in PROBLEM_DAYS else 30
    token = session.user.api_token
    problems, advisors = await asyncio.gather(
        web.notifications.delivery_problems(token, days), web.catalog.advisors(token)
    )
    names = {a["id"]: a["name"] for a in advisors}
    return render(
        request,
        "coordinator/delivery_problems.html",
        {
            "failed": [_failed(n, names) for n in problems.get("failed", [])],
            "advisors": [_struggling(a, names) for a in problems.get("advisors", [])],
            "days": days,
            "day_choices": PROBLEM_DAYS,
        },
    )


@dataclass(frozen=True)
class FailedEmail:
    when: str | None
    advisor_id: str
    advisor: str
    about: str
    offer_title: str
    reason: str


@dataclass(frozen=True)
class StrugglingAdvisor:
    advisor_id: str
    advisor: str
    failed: int
    retrying: int
    last_error: str | None
    last_failed_at: str | None


def _failed(notification: dict[str, Any], names: dict[str, str]) -> FailedEmail:
    advisor_id = notification["advisor_id"]
    return FailedEmail(
        notification.get("created_at"),
        advisor_id,
        names.get(advisor_id, advisor_id),
        _(labels.NOTIFICATION_KINDS.get(notification.get("kind", ""), AN_EMAIL)),
        notification.get("offer_title") or "–",
        notification.get("last_error") or _("no reason given"),
    )


def _struggling(row: dict[str, Any], names: dict[str, str]) -> StrugglingAdvisor:
    advisor_id = row["advisor_id"]
    return StrugglingAdvisor(
        advisor_id,
        names.get(advisor_id, advisor_id),
        int(row.get("failed") or 0),
        int(row.get("retrying") or 0),
        row.get("last_error"),
        row.get("last_failed_at"),
    )

"""Coordinators' coverage figures, now and week by week, as JSON or CSV; 1 to 4 people show as "< 5"."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from lotse_matching.entrypoints.dependencies import Admin, MatchingDep
from lotse_matching.service_layer import coverage as figures
from lotse_shared.contracts import Category
from lotse_shared.problems import PROBLEM_RESPONSES

__all__ = ["router"]

router = APIRouter(tags=["coverage"], responses=PROBLEM_RESPONSES)

Format = Literal["json", "csv"]
KindFilter = Annotated[Category | None, Query(description="Only this kind of offer.")]
_CSV: dict[str, Any] = {"content": {"text/csv": {}}}


def _csv(fieldnames: Sequence[str], rows: Iterable[dict[str, Any]], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return PlainTextResponse(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/v1/stats/coverage",
    summary="Where offers are missing: needs and offers per municipality and kind (JSON or CSV).",
    description=(
        "Every municipality of the region by every kind any need or offer has. "
        "`needs_without_match`: open needs wanting that kind with no active match with an offer "
        'of that kind. Counts of needs from 1 to 4 are given as "< 5".'
    ),
    responses={200: _CSV},
)
async def coverage(
    _: Admin, matching: MatchingDep, format: Format = "json", category: KindFilter = None
) -> Response:
    region = matching.policy.region
    rows = await figures.coverage(
        matching.uow(), region.municipalities, category.value if category else None
    )
    shown = [
        {"municipality": r.municipality, "municipality_name": region.name_of(r.municipality)}
        | figures.shown(asdict(r))
        for r in rows
    ]
    if format == "json":
        return JSONResponse(shown)
    columns = ["municipality", "municipality_name", "category", *figures.FIGURES]
    return _csv(columns, shown, "lotse-abdeckung.csv")


@router.get(
    "/v1/stats/coverage/history",
    summary="The coverage figures week by week, per municipality or per kind (JSON or CSV).",
    description=(
        "For each of the last `weeks` ISO weeks (oldest first, this one included) the latest "
        "daily snapshot in it, summed over the other dimension; null where a week has none. "
        'Counts of needs from 1 to 4 are given as "< 5", after summing.'
    ),
    responses={200: _CSV},
)
async def coverage_history(
    _: Admin,
    matching: MatchingDep,
    weeks: Annotated[int, Query(ge=1, le=52, description="How many weeks back.")] = 12,
    by: Annotated[
        Literal["municipality", "category"], Query(description="One series per ...")
    ] = "municipality",
    category: KindFilter = None,
    municipality: Annotated[
        str | None, Query(pattern=r"^\d{8}$", description="Only this municipality (AGS).")
    ] = None,
    format: Format = "json",
) -> Response:
    history = await figures.coverage_history(
        matching.uow(),
        datetime.now(UTC).date(),
        weeks=weeks,
        by=by,
        name_of=matching.policy.region.name_of,
        category=category.value if category else None,
        municipality=municipality,
    )
    if format == "json":
        return JSONResponse(jsonable_encoder(asdict(history)))
    rows = ({"key": s.key, "name": s.name} | point for s in history.series for point in s.points)
    return _csv(
        ["key", "name", "week", "day", *figures.FIGURES], rows, "lotse-abdeckung-verlauf.csv"
    )

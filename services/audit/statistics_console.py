"""`/console/statistics`: how well the mechanism serves children, without exposing any child.

Tables and server-drawn SVG bars per dimension, every count below 5 suppressed (with
secondary suppression); for one month or all, and for one region or one category or all;
CSV and JSON export of the same suppressed tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.audit.console import HEADERS, Auditor, templates
from services.audit.errors import BadSearch
from services.audit.figures import Table
from services.audit.statistics import (
    Breakdown,
    Figures,
    as_csv,
    as_json,
    bars,
    label,
    tables,
)
from services.audit.statistics_db import (
    breakdowns,
    feedback,
    milestones,
    pattern_alerts,
    periods,
    profiles,
)
from shared.runtime import Runtime

router = APIRouter(prefix="/console", include_in_schema=False)
templates.env.filters["figure_label"] = label
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_HINT = "month: YYYY-MM; choose a region or a category, not both"


@dataclass(frozen=True)
class Scope:
    """Which figures: one month (or all), one region or one category (or all)."""

    period: str | None
    by: Breakdown

    def label(self) -> str:
        """The scope as a reader reads it, and as the exports name it."""
        where = f"{self.by[0]} {self.by[1]}" if self.by else "all regions and categories"
        return f"{self.period or 'all months'}, {where}"

    def query(self) -> str:
        """The scope as the query string of an export link."""
        return urlencode({"period": self.period or "", **dict([self.by] if self.by else [])})


async def scope(
    period: Annotated[str, Query(max_length=7, description="YYYY-MM, blank for all")] = "",
    region: Annotated[str, Query(max_length=100)] = "",
    category: Annotated[str, Query(max_length=64)] = "",
) -> Scope:
    """The scope a request asks for; BadSearch naming the field that is wrong."""
    if period and not _PERIOD.fullmatch(period):
        raise BadSearch("period", _HINT)
    if region and category:
        raise BadSearch("region, category", _HINT)
    by: Breakdown = ("region", region) if region else ("category", category) if category else None
    return Scope(period or None, by)


Scoped = Annotated[Scope, Depends(scope)]


async def _tables(
    request: Request, chosen: Scope
) -> tuple[list[tuple[str, Table]], dict[str, list[str]]]:
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        figures = Figures(  # every month's rows: a month's table is one row of a grid
            await profiles(session, None),
            await feedback(session, None),
            await milestones(session, None),
            await pattern_alerts(session, chosen.period),
        )
        choices = {"period": await periods(session), **await breakdowns(session)}
    return tables(figures, chosen.period, chosen.by), choices


@router.get("/statistics", response_class=HTMLResponse)
async def statistics(request: Request, staff: Auditor, chosen: Scoped) -> HTMLResponse:
    """The statistics page."""
    found, choices = await _tables(request, chosen)
    charts = [(title, table, bars(table)) for title, table in found]
    context = {"staff": staff, "charts": charts, "scope": chosen, "choices": choices, "size": 0}
    return templates.TemplateResponse(request, "statistics.html", context, headers=HEADERS)


@router.get("/statistics.json")
async def statistics_json(request: Request, _staff: Auditor, chosen: Scoped) -> Response:
    """The suppressed tables as JSON."""
    found, _ = await _tables(request, chosen)
    body = as_json(chosen.period, chosen.by, found)
    return Response(body, media_type="application/json", headers=HEADERS)


@router.get("/statistics.csv")
async def statistics_csv(request: Request, _staff: Auditor, chosen: Scoped) -> Response:
    """The suppressed tables as CSV."""
    found, _ = await _tables(request, chosen)
    name = f"heard-statistics-{chosen.period or 'all'}.csv"
    headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    body = as_csv(chosen.period, chosen.by, found)
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)

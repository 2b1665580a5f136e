"""`/console/statistics`: how well the mechanism serves children, without exposing any child.

Tables and server-drawn SVG bars per dimension, every count below 5 suppressed (with
secondary suppression); CSV and JSON export of the same suppressed tables.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from services.audit.console import HEADERS, Auditor, templates
from services.audit.errors import BadSearch
from services.audit.figures import Table
from services.audit.statistics import as_csv, as_json, bars, tables
from services.audit.statistics_db import feedback, periods, profiles
from shared.runtime import Runtime

router = APIRouter(prefix="/console", include_in_schema=False)
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
Period = Annotated[str, Query(max_length=7, description="YYYY-MM, blank for all")]


def _period(value: str) -> str | None:
    if not value:
        return None
    if not _PERIOD.fullmatch(value):
        raise BadSearch("period")
    return value


async def _tables(
    request: Request, period: str | None
) -> tuple[list[tuple[str, Table]], list[str]]:
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        found = tables(await profiles(session, period), await feedback(session, period))
        months = await periods(session)
    return found, months


@router.get("/statistics", response_class=HTMLResponse)
async def statistics(request: Request, staff: Auditor, period: Period = "") -> HTMLResponse:
    """The statistics page."""
    chosen = _period(period)
    found, months = await _tables(request, chosen)
    charts = [(title, table, bars(table)) for title, table in found]
    context = {"staff": staff, "charts": charts, "period": chosen, "periods": months, "size": 0}
    return templates.TemplateResponse(request, "statistics.html", context, headers=HEADERS)


@router.get("/statistics.json")
async def statistics_json(request: Request, _staff: Auditor, period: Period = "") -> Response:
    """The suppressed tables as JSON."""
    chosen = _period(period)
    found, _ = await _tables(request, chosen)
    return Response(as_json(chosen, found), media_type="application/json", headers=HEADERS)


@router.get("/statistics.csv")
async def statistics_csv(request: Request, _staff: Auditor, period: Period = "") -> Response:
    """The suppressed tables as CSV."""
    chosen = _period(period)
    found, _ = await _tables(request, chosen)
    name = f"heard-statistics-{chosen or 'all'}.csv"
    headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
    return Response(as_csv(chosen, found), media_type="text/csv; charset=utf-8", headers=headers)

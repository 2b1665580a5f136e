"""The oversight console at `/console/`: server-rendered, read-only, auditors only.

Search the trail by case id, time, producing service and event type; a case's timeline of
metadata with a link to each entry's inclusion proof. No script, strict CSP; nothing here
is about a child beyond opaque ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.audit.errors import BadSearch
from services.audit.trail import TrailQuery, search, timeline
from services.audit.tree_db import latest_checkpoint
from shared.auth import StaffPrincipal
from shared.events.contracts import ALL_CONTRACTS
from shared.runtime import Runtime
from shared.web.staff import require_roles

router = APIRouter(prefix="/console", include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
Auditor = Annotated[StaffPrincipal, Depends(require_roles("auditor"))]
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
TYPES = sorted(c.type_name for c in ALL_CONTRACTS)
SOURCES = sorted({f"/heard/{c.producer}" for c in ALL_CONTRACTS})
T = TypeVar("T")
CSS = (Path(__file__).parent / "templates" / "console.css").read_text()


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _day(day: date | None, *, after: bool = False) -> datetime | None:
    if day is None:
        return None
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start + timedelta(days=1) if after else start


def _parsed(field: str, value: str, parse: Callable[[str], T]) -> T | None:
    if not value.strip():
        return None
    try:
        return parse(value.strip())
    except ValueError:
        raise BadSearch(field) from None


@router.get("/console.css")
async def stylesheet() -> Response:
    """The console's only stylesheet (served here: no third-party asset)."""
    return Response(CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


@router.get("/", response_class=HTMLResponse)
async def trail(
    request: Request,
    staff: Auditor,
    case: Annotated[str, Query(max_length=64, description="complaint id")] = "",
    type: Annotated[str, Query(max_length=100)] = "",
    source: Annotated[str, Query(max_length=100)] = "",
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> HTMLResponse:
    """The trail, newest first, filtered by the form (blank fields match anything)."""
    query = TrailQuery(
        subject=_parsed("case", case, lambda v: str(uuid.UUID(v))),
        type=type or None,
        source=source or None,
        since=_day(_parsed("since", since, date.fromisoformat)),
        until=_day(_parsed("until", until, date.fromisoformat), after=True),
    )
    async with _runtime(request).sessions() as session:
        entries = await search(session, query)
        latest = await latest_checkpoint(session)
    context = {
        "staff": staff,
        "entries": entries,
        "form": {"case": case, "type": type, "source": source, "since": since, "until": until},
        "types": TYPES,
        "sources": SOURCES,
        "size": latest.size if latest else 0,
    }
    return templates.TemplateResponse(request, "trail.html", context, headers=HEADERS)


@router.get("/cases/{case}", response_class=HTMLResponse)
async def case_timeline(request: Request, staff: Auditor, case: uuid.UUID) -> HTMLResponse:
    """Every logged event about one case, in order, with links to inclusion proofs."""
    async with _runtime(request).sessions() as session:
        entries = await timeline(session, str(case))
        latest = await latest_checkpoint(session)
    context = {
        "staff": staff,
        "case": case,
        "entries": entries,
        "size": latest.size if latest else 0,
    }
    return templates.TemplateResponse(request, "case.html", context, headers=HEADERS)

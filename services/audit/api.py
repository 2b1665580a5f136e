"""Audit's routes: the log's entries, for staff who hold the mechanism to account.

Entries carry hashes and opaque ids only, never anything about a child.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel

from services.audit.db import get_entry, latest_entries, log_size
from services.audit.errors import EntryNotFound
from shared.auth import StaffPrincipal
from shared.runtime import Runtime
from shared.web.staff import require_roles

router = APIRouter(prefix="/api/v1")
Staff = Annotated[StaffPrincipal, Depends(require_roles("auditor", "supervisor", "administrator"))]
MAX_PAGE = 500
MAX_POSITION = (1 << 63) - 1  # positions are BIGINT; larger values would overflow the query


class EntrySummary(BaseModel):
    """A log entry's metadata, as it appears in a page of the log."""

    position: int
    leaf_hash: str
    event_id: str | None
    source: str | None
    type: str | None
    subject: str | None
    topic: str
    appended_at: datetime
    dlq_reason: str | None


class EntryPublic(EntrySummary):
    """One log entry in full: also where it was on the bus and which consumer refused it."""

    partition: int
    offset: int
    dlq_consumer: str | None


class LogPage(BaseModel):
    """The log's size and a page of its entries, newest first."""

    size: int
    entries: list[EntrySummary]


@router.get("/log")
async def log_page(
    request: Request,
    _staff: Staff,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    before: Annotated[
        int | None, Query(ge=0, le=MAX_POSITION, description="only positions below this")
    ] = None,
) -> LogPage:
    """The newest `limit` entries (below position `before`, to page back)."""
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        size = await log_size(session)
        rows = await latest_entries(session, limit=limit, before=before)
    return LogPage(size=size, entries=[EntrySummary.model_validate(r.model_dump()) for r in rows])


@router.get("/log/entries/{position}")
async def log_entry(
    request: Request, _staff: Staff, position: Annotated[int, Path(ge=0, le=MAX_POSITION)]
) -> EntryPublic:
    """The entry at `position`."""
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        row = await get_entry(session, position)
    if row is None:
        raise EntryNotFound(str(position))
    return EntryPublic.model_validate(row.model_dump())

"""Casework's routes: the queues, for case workers and supervisors."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel

from services.casework.queues import (
    QueuePosition,
    Ranked,
    acknowledge,
    open_cases,
    position_of,
    queue_summaries,
    unacknowledged_pages,
)
from shared.auth import StaffPrincipal
from shared.clock import utcnow
from shared.runtime import Runtime
from shared.web.staff import require_roles

router = APIRouter(prefix="/api/v1")
Staff = Annotated[StaffPrincipal, Depends(require_roles("caseworker", "supervisor"))]
QueueName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
MAX_PAGE = 500


class CasePublic(BaseModel):
    """A case as staff see it in a queue or on its own."""

    case_id: uuid.UUID
    complaint_id: uuid.UUID
    queue: str
    status: str
    priority: int
    urgency: str
    category: str
    respond_by: datetime
    opened_at: datetime
    next_due: datetime | None
    overdue: bool

    @classmethod
    def of(cls, row: Ranked) -> CasePublic:
        """A case as ranked in its queue."""
        return cls.model_validate(
            {**row.case.model_dump(), "next_due": row.next_due, "overdue": row.overdue}
        )


class QueuePage(BaseModel):
    """One page of a queue, most pressing first; `next_cursor` is null on the last page."""

    queue: str
    items: list[CasePublic]
    next_cursor: str | None


class QueueOverview(BaseModel):
    """A queue at a glance."""

    queue: str
    open: int
    overdue: int
    next_deadline: datetime | None


class QueueList(BaseModel):
    """Every queue that holds open cases."""

    queues: list[QueueOverview]


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.get("/queues")
async def list_queues(request: Request, _staff: Staff) -> QueueList:
    """Each queue with its open and overdue counts and its next deadline."""
    async with _runtime(request).sessions() as session:
        summaries = await queue_summaries(session, utcnow())
    return QueueList(
        queues=[QueueOverview.model_validate(s, from_attributes=True) for s in summaries]
    )


@router.get("/queues/{queue}")
async def queue_page(
    request: Request,
    queue: QueueName,
    _staff: Staff,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> QueuePage:
    """Open cases of `queue`: overdue first, then by priority, then by the nearest running
    deadline; pass `next_cursor` for more (read as of the first page)."""
    after = QueuePosition.from_cursor(cursor) if cursor else None
    as_of = after.as_of if after is not None else utcnow()
    async with _runtime(request).sessions() as session:
        rows = await open_cases(session, queue, limit=limit + 1, now=as_of, after=after)
    more = len(rows) > limit
    shown = rows[:limit]
    return QueuePage(
        queue=queue,
        items=[CasePublic.of(r) for r in shown],
        next_cursor=position_of(shown[-1], as_of).cursor() if more else None,
    )


class PagePublic(BaseModel):
    """A page to the on-call staff that nobody has acknowledged yet."""

    page_id: uuid.UUID
    case_id: uuid.UUID
    priority: int
    reason: str
    sent_count: int
    created_at: datetime


@router.get("/pages")
async def open_pages(request: Request, _staff: Staff) -> list[PagePublic]:
    """Pages still waiting for someone to take them, most pressing first."""
    async with _runtime(request).sessions() as session:
        rows = await unacknowledged_pages(session)
    return [PagePublic.model_validate(r, from_attributes=True) for r in rows]


@router.post("/pages/{page_id}/acknowledgement", responses={404: {"description": "no such page"}})
async def acknowledge_page(page_id: uuid.UUID, request: Request, staff: Staff) -> PagePublic:
    """Take a page: it is no longer re-sent."""
    async with _runtime(request).sessions() as session:
        page = await acknowledge(session, page_id, staff.subject, utcnow())
        await session.commit()
    return PagePublic.model_validate(page, from_attributes=True)

"""Reading the queues: open cases by priority then deadline, a page at a time.

Pages are keyset pages: the cursor is the sort key of the last case shown, so a case
opened while someone pages never shifts, repeats or hides another.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.casework.db import Case, Page
from services.casework.errors import InvalidCursor, PageNotFound
from services.casework.model import OPEN_STEPS as OPEN_STATUSES


@dataclass(frozen=True)
class QueuePosition:
    """Where a case sits in its queue's order."""

    priority: int
    respond_by: datetime
    opened_at: datetime
    case_id: uuid.UUID

    @classmethod
    def of(cls, row: Case) -> QueuePosition:
        """The position of `row`."""
        return cls(row.priority, row.respond_by, row.opened_at, row.case_id)

    def cursor(self) -> str:
        """An opaque cursor for the page after this position."""
        raw = json.dumps(
            [
                self.priority,
                self.respond_by.isoformat(),
                self.opened_at.isoformat(),
                str(self.case_id),
            ]
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def from_cursor(cls, cursor: str) -> QueuePosition:
        """The position a cursor names; InvalidCursor for anything casework did not issue."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            priority, respond_by, opened_at, case_id = json.loads(raw)
            position = cls(
                int(priority),
                datetime.fromisoformat(respond_by),
                datetime.fromisoformat(opened_at),
                uuid.UUID(case_id),
            )
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            raise InvalidCursor("malformed cursor") from None
        if position.respond_by.tzinfo is None or position.opened_at.tzinfo is None:
            raise InvalidCursor("malformed cursor")
        return position


def _after(position: QueuePosition) -> ColumnElement[bool]:
    """Rows strictly after `position` in (priority, respond_by, opened_at, case_id) order."""
    p, r, o, c = (col(Case.priority), col(Case.respond_by), col(Case.opened_at), col(Case.case_id))
    return or_(
        p > position.priority,
        and_(p == position.priority, r > position.respond_by),
        and_(p == position.priority, r == position.respond_by, o > position.opened_at),
        and_(
            p == position.priority,
            r == position.respond_by,
            o == position.opened_at,
            c > position.case_id,
        ),
    )


async def open_cases(
    session: AsyncSession, queue: str, *, limit: int, after: QueuePosition | None = None
) -> list[Case]:
    """Up to `limit` open cases of `queue`, most pressing first, after `after`."""
    query = (
        select(Case)
        .where(col(Case.queue) == queue, col(Case.status).in_(OPEN_STATUSES))
        .order_by(col(Case.priority), col(Case.respond_by), col(Case.opened_at), col(Case.case_id))
        .limit(limit)
    )
    if after is not None:
        query = query.where(_after(after))
    return list((await session.exec(query)).all())


@dataclass(frozen=True)
class QueueSummary:
    """A queue at a glance."""

    queue: str
    open: int
    overdue: int
    next_deadline: datetime | None


async def queue_summaries(session: AsyncSession, now: datetime) -> list[QueueSummary]:
    """Every queue holding open cases: how many, how many overdue, the next deadline."""
    overdue = func.sum(case((col(Case.respond_by) < now, 1), else_=0))
    query = (
        select(col(Case.queue), func.count(), overdue, func.min(col(Case.respond_by)))
        .where(col(Case.status).in_(OPEN_STATUSES))
        .group_by(col(Case.queue))
        .order_by(col(Case.queue))
    )
    rows = (await session.exec(query)).all()
    return [QueueSummary(q, int(n), int(late or 0), first) for q, n, late, first in rows]


async def get_case(session: AsyncSession, case_id: uuid.UUID) -> Case | None:
    """The case with `case_id`, if there is one."""
    return await session.get(Case, case_id)


async def case_for_complaint(session: AsyncSession, complaint_id: uuid.UUID) -> Case | None:
    """The case opened for `complaint_id`, if any."""
    query = select(Case).where(col(Case.complaint_id) == complaint_id)
    return (await session.exec(query)).first()


async def unacknowledged_pages(session: AsyncSession) -> list[Page]:
    """Pages nobody has taken yet, most pressing and oldest first."""
    query = (
        select(Page)
        .where(col(Page.acknowledged_at).is_(None))
        .order_by(col(Page.priority), col(Page.created_at))
        .limit(200)
    )
    return list((await session.exec(query)).all())


async def acknowledge(session: AsyncSession, page_id: uuid.UUID, who: str, now: datetime) -> Page:
    """Mark a page taken by `who` (the first acknowledgement stands)."""
    page = await session.get(Page, page_id)
    if page is None:
        raise PageNotFound(str(page_id))
    if page.acknowledged_at is None:
        page.acknowledged_at, page.acknowledged_by = now, who
        session.add(page)
    return page

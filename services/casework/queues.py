"""Reading the queues: open cases overdue first, then by priority, then by the nearest
running deadline, a page at a time.

A case is overdue when one of its running clocks (`casework_deadline`) has passed. Pages are
keyset pages: the cursor holds the sort key of the last case shown and the moment the first
page was read (`as_of`), so a case opened, or a clock passing, while someone pages never
shifts, repeats or hides another.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.casework.db import Case, Deadline, Page
from services.casework.errors import InvalidCursor, PageNotFound
from services.casework.model import OPEN_STEPS as OPEN_STATUSES
from shared.db.types import UTCDateTime

NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)  # sorts a case with no running clock last


@dataclass(frozen=True)
class QueuePosition:
    """Where a case sits in the queues' order, as seen at `as_of`."""

    as_of: datetime
    late: int  # 0 when overdue at `as_of`, else 1
    priority: int
    next_due: datetime
    opened_at: datetime
    case_id: uuid.UUID

    def cursor(self) -> str:
        """An opaque cursor for the page after this position."""
        raw = json.dumps(
            [
                self.as_of.isoformat(),
                self.late,
                self.priority,
                self.next_due.isoformat(),
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
            as_of, late, priority, next_due, opened_at, case_id = json.loads(raw)
            at, due, opened = (datetime.fromisoformat(t) for t in (as_of, next_due, opened_at))
            position = cls(at, int(late), int(priority), due, opened, uuid.UUID(case_id))
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            raise InvalidCursor("malformed cursor") from None
        times = (position.as_of, position.next_due, position.opened_at)
        if any(t.tzinfo is None for t in times) or position.late not in (0, 1):
            raise InvalidCursor("malformed cursor")
        return position


@dataclass(frozen=True)
class Ranked:
    """An open case with its nearest running deadline (None: no clock runs)."""

    case: Case
    next_due: datetime | None
    overdue: bool


def ranked(now: datetime) -> tuple[Any, ColumnElement[int], ColumnElement[datetime]]:
    """Open cases with their nearest running deadline, and the sort keys (`late`, `due`)
    that put the overdue at `now` first; order by `order(late, due)`."""
    nearest = func.min(col(Deadline.due_at))
    due = func.coalesce(nearest, literal(NO_DEADLINE, UTCDateTime())).label("next_due")
    late = case((nearest < now, 0), else_=1).label("late")
    running = and_(col(Deadline.case_id) == col(Case.case_id), col(Deadline.cleared_at).is_(None))
    query = (
        select(Case, late, due)
        .outerjoin(Deadline, running)
        .where(col(Case.status).in_(OPEN_STATUSES))
        .group_by(col(Case.case_id))
    )
    return query, late, due


def order(late: ColumnElement[int], due: ColumnElement[datetime]) -> list[Any]:
    """The queues' order: overdue first, then priority, nearest deadline, age, id."""
    return [late, col(Case.priority), due, col(Case.opened_at), col(Case.case_id)]


def _after(
    position: QueuePosition, late: ColumnElement[int], due: ColumnElement[datetime]
) -> ColumnElement[bool]:
    """Rows strictly after `position` in the queues' order."""
    keys = order(late, due)
    values = [
        position.late,
        position.priority,
        position.next_due,
        position.opened_at,
        position.case_id,
    ]
    return or_(
        *(
            and_(*(k == v for k, v in zip(keys[:n], values[:n], strict=True)), keys[n] > values[n])
            for n in range(len(keys))
        )
    )


def rows_of(found: Any, now: datetime) -> list[Ranked]:
    """Query results of `ranked` as cases with their nearest deadline."""
    shown = []
    for row, _late, due in found:
        next_due = None if due == NO_DEADLINE else due
        shown.append(Ranked(row, next_due, next_due is not None and next_due < now))
    return shown


async def open_cases(
    session: AsyncSession,
    queue: str,
    *,
    limit: int,
    now: datetime,
    after: QueuePosition | None = None,
) -> list[Ranked]:
    """Up to `limit` open cases of `queue`, most pressing at `now` first, after `after`
    (a later page passes its cursor's `as_of` as `now`)."""
    query, late, due = ranked(now)
    query = query.where(col(Case.queue) == queue).order_by(*order(late, due)).limit(limit)
    if after is not None:
        query = query.having(_after(after, late, due))
    return rows_of((await session.exec(query)).all(), now)


def position_of(row: Ranked, as_of: datetime) -> QueuePosition:
    """Where `row` sits in the order read at `as_of`."""
    late = 0 if row.next_due is not None and row.next_due < as_of else 1
    due = row.next_due or NO_DEADLINE
    return QueuePosition(as_of, late, row.case.priority, due, row.case.opened_at, row.case.case_id)


@dataclass(frozen=True)
class QueueSummary:
    """A queue at a glance."""

    queue: str
    open: int
    overdue: int
    next_deadline: datetime | None


async def queue_summaries(session: AsyncSession, now: datetime) -> list[QueueSummary]:
    """Every queue holding open cases: how many, how many overdue, the next deadline."""
    cases = ranked(now)[0].subquery()
    running = case((cases.c.next_due < literal(NO_DEADLINE, UTCDateTime()), cases.c.next_due))
    query = (
        select(
            cases.c.queue,
            func.count(),
            func.sum(case((cases.c.late == 0, 1), else_=0)),
            func.min(running),
        )
        .group_by(cases.c.queue)
        .order_by(cases.c.queue)
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

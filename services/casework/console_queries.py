"""What the console lists: open cases with their nearest running deadline, overdue first;
a supervisor's view of who holds how much."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.casework.db import (
    Approval,
    Case,
    ChildMessage,
    Measure,
    Recommendation,
    Referral,
)
from services.casework.queues import Ranked, order, ranked, rows_of
from shared.crypto.at_rest import FieldCipher


@dataclass(frozen=True)
class Filters:
    """The console's queue filters (None: any)."""

    queue: str | None = None
    priority: int | None = None
    holder: str | None = None  # a username, or "" for cases nobody holds


async def console_cases(
    session: AsyncSession, now: datetime, filters: Filters, limit: int = 200
) -> list[Ranked]:
    """Open cases matching `filters` in the queues' order (overdue first)."""
    query, late, due = ranked(now)
    if filters.queue:
        query = query.where(col(Case.queue) == filters.queue)
    if filters.priority:
        query = query.where(col(Case.priority) == filters.priority)
    if filters.holder is not None:
        held = (
            col(Case.assignee).is_(None)
            if filters.holder == ""
            else (col(Case.assignee) == filters.holder)
        )
        query = query.where(held)
    query = query.order_by(*order(late, due)).limit(limit)
    return rows_of((await session.exec(query)).all(), now)


@dataclass(frozen=True)
class Load:
    """One person's (or nobody's) share of the open cases."""

    holder: str | None
    open: int
    overdue: int
    p1: int


async def workload(session: AsyncSession, now: datetime) -> list[Load]:
    """Open and overdue cases per holder, the most loaded first."""
    rows = await console_cases(session, now, Filters(), limit=10_000)
    loads: dict[str | None, list[int]] = {}
    for row in rows:
        counts = loads.setdefault(row.case.assignee, [0, 0, 0])
        counts[0] += 1
        counts[1] += int(row.overdue)
        counts[2] += int(row.case.priority == 1)
    ordered = sorted(loads.items(), key=lambda item: (-item[1][1], -item[1][0]))
    return [Load(holder, *counts) for holder, counts in ordered]


@dataclass(frozen=True)
class Extras:
    """What a case page shows beside the summary, opened for someone who may act on it."""

    messages: list[tuple[datetime, str, str]]
    measures: list[tuple[datetime, str, str]]
    referrals: list[Referral]
    approvals: list[Approval]
    recommendations: list[tuple[Recommendation, str]]


async def extras(session: AsyncSession, fields: FieldCipher, case: Case) -> Extras:
    """Messages sent, measures, referrals, pending approvals and recommendations of `case`."""
    subject, opened = case.complaint_id, fields.open

    async def rows(model: Any, order: Any) -> list[Any]:
        query = select(model).where(col(model.case_id) == case.case_id).order_by(order)
        return list((await session.exec(query)).all())

    sent = [
        (m.sent_at, m.author, await opened(session, subject, "message_to_child", m.body) or "")
        for m in await rows(ChildMessage, col(ChildMessage.sent_at))
    ]
    taken = [
        (m.taken_at, m.taken_by, await opened(session, subject, "measure", m.what) or "")
        for m in await rows(Measure, col(Measure.taken_at))
    ]
    asked = [
        (r, await opened(session, subject, "recommendation", r.text) or "")
        for r in await rows(Recommendation, col(Recommendation.due_at))
    ]
    approvals = [
        a for a in await rows(Approval, col(Approval.requested_at)) if a.status == "requested"
    ]
    return Extras(sent, taken, await rows(Referral, col(Referral.updated_at)), approvals, asked)

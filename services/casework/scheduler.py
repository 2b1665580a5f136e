"""The legal clocks' scheduler: breached deadlines become events (once), pages go out and
come back until acknowledged.

State lives in the database only, so a restart loses no clock; a deadline is marked
breached by a conditional update in the same transaction as its event, so two schedulers
(or a restart mid-sweep) never fire one twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select

from services.casework.db import Case, Deadline, Page
from services.casework.milestones import reach
from services.casework.paging import Notifier, PageNotice
from services.casework.procedure import Tools, record
from services.casework.settings import CaseworkSettings
from shared.clock import utcnow
from shared.db.outages import DATABASE_UNAVAILABLE
from shared.db.uow import UnitOfWork
from shared.events.contracts import DeadlineBreached
from shared.ids import new_id
from shared.runtime import Runtime

log = logging.getLogger("heard.casework.scheduler")
BATCH = 100


def new_page(case: Case, reason: str, now: datetime) -> Page:
    """A page about `case`, due to go out now."""
    return Page(
        page_id=new_id(),
        case_id=case.case_id,
        reason=reason,
        priority=case.priority,
        created_at=now,
        next_send_at=now,
    )


async def _breach(uow: UnitOfWork, tools: Tools, deadline: Deadline, now: datetime) -> bool:
    marked = await uow.session.exec(
        update(Deadline)
        .where(
            col(Deadline.deadline_id) == deadline.deadline_id, col(Deadline.breached_at).is_(None)
        )
        .values(breached_at=now)
    )
    case = await uow.session.get(Case, deadline.case_id)
    if marked.rowcount != 1 or case is None:
        return False
    uow.emit(
        DeadlineBreached(
            case_id=case.case_id,
            complaint_id=case.complaint_id,
            deadline_id=deadline.deadline_id,
            kind=deadline.kind,
            due_at=deadline.due_at,
            breached_at=now,
        ),
        subject=str(case.complaint_id),
    )
    await record(uow, tools, case, "scheduler", "deadline_breached", deadline.kind, at=now)
    await reach(uow, case, "deadline_breached", deadline.kind, now)
    uow.session.add(new_page(case, f"{deadline.kind} deadline breached", now))
    return True


async def fire_breaches(runtime: Runtime, tools: Tools, now: datetime) -> int:
    """Mark every deadline due by `now` as breached (once each) and emit its event."""
    async with runtime.sessions() as session:
        query = (
            select(Deadline)
            .where(
                col(Deadline.cleared_at).is_(None),
                col(Deadline.breached_at).is_(None),
                col(Deadline.due_at) <= now,
            )
            .order_by(col(Deadline.due_at))
            .limit(BATCH)
        )
        due = list((await session.exec(query)).all())
    fired = 0
    for deadline in due:
        async with runtime.uow() as uow:
            if await _breach(uow, tools, deadline, now):
                fired += 1
            await uow.commit()
    return fired


async def send_pages(runtime: Runtime, notifier: Notifier, now: datetime, repage: timedelta) -> int:
    """Send every unacknowledged page that is due; schedule its next attempt."""
    async with runtime.sessions() as session:
        query = select(Page).where(
            col(Page.acknowledged_at).is_(None), col(Page.next_send_at) <= now
        )
        due = list((await session.exec(query.limit(BATCH))).all())
    sent = 0
    for page in due:
        notice = PageNotice(
            str(page.page_id), str(page.case_id), page.priority, page.reason, page.sent_count + 1
        )
        try:
            await notifier.send(notice)
        except (OSError, Exception) as error:
            log.warning("page %s not delivered: %s", page.page_id, type(error).__name__)
            continue
        async with runtime.sessions() as session:
            await session.exec(
                update(Page)
                .where(col(Page.page_id) == page.page_id)
                .values(sent_count=Page.sent_count + 1, next_send_at=now + repage)
            )
            await session.commit()
        sent += 1
    return sent


async def sweep(
    runtime: Runtime, tools: Tools, notifier: Notifier, settings: CaseworkSettings
) -> None:
    """One pass: breaches first (they create pages), then the pages."""
    now = utcnow()
    await fire_breaches(runtime, tools, now)
    await send_pages(runtime, notifier, now, timedelta(minutes=settings.repage_minutes))


async def run_scheduler(runtime: Runtime, settings: CaseworkSettings, stop: asyncio.Event) -> None:
    """Sweep every `scheduler_interval_seconds` until `stop` is set."""
    tools, notifier = Tools(runtime.fields, settings.clocks()), settings.notifier()
    while not stop.is_set():
        try:
            await sweep(runtime, tools, notifier, settings)
        except DATABASE_UNAVAILABLE as error:  # the database or the mail server is away
            log.warning("scheduler sweep failed (%s); retrying", type(error).__name__)
        try:
            await asyncio.wait_for(stop.wait(), settings.scheduler_interval_seconds)
        except TimeoutError:
            continue

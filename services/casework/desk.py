"""What staff do with one case: read it (child data under access logging), move it, claim it,
write to the child. Each function is one transaction; API routes and console pages call these.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.casework.db import (
    Case,
    ChildMessage,
    ChildWords,
    ComplaintRecord,
    Deadline,
    TimelineEntry,
)
from services.casework.errors import AlreadyAssigned, CaseNotFound
from services.casework.model import TRANSITIONS, allowed_actions
from services.casework.permissions import CaseFacts, check_move, check_read, may
from services.casework.procedure import Actor, Tools, bump, move, record
from shared.auth import StaffPrincipal
from shared.clock import utcnow
from shared.db.uow import UnitOfWork
from shared.events.contracts import CaseAccessed, CaseAssigned, MessageToChild
from shared.ids import new_id
from shared.runtime import Runtime

# Steps a case worker asks a supervisor to approve (approvals.py); a supervisor takes them.
APPROVED_STEPS = ("close", "declare_inadmissible")


@dataclass(frozen=True)
class CaseView:
    """A case as the caller may see it now: no child data, the actions open to them."""

    case: Case
    region: str | None
    language: str | None
    deadlines: list[Deadline]
    actions: list[str]
    may_read_words: bool
    may_act: bool
    approvable: list[str]
    on_behalf: bool = False  # sent by someone acting for the child (OPIC art. 3(2))


@dataclass(frozen=True)
class Said:
    """One thing the child said, opened for a reader whose access was logged."""

    kind: str
    at: datetime
    text: str


async def load(session: AsyncSession, case_id: uuid.UUID) -> tuple[Case, ComplaintRecord | None]:
    """The case and what the child submitted (if it arrived); 404 for an unknown case."""
    case = await session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(str(case_id))
    return case, await session.get(ComplaintRecord, case.complaint_id)


def facts_of(case: Case, child: ComplaintRecord | None) -> CaseFacts:
    """What the permission matrix needs to know about the case."""
    return CaseFacts(case.assignee, child.region if child else None)


async def view(runtime: Runtime, who: StaffPrincipal, case_id: uuid.UUID) -> CaseView:
    """The case's summary for `who` (403 unless their roles reach it)."""
    async with runtime.sessions() as session:
        case, child = await load(session, case_id)
        facts = facts_of(case, child)
        check_read(who, facts, "summary", None)
        query = select(Deadline).where(col(Deadline.case_id) == case_id)
        clocks = list((await session.exec(query.order_by(col(Deadline.due_at)))).all())
    acting = may(who, facts, "move")
    return CaseView(
        case,
        facts.region,
        child.language if child else None,
        [d for d in clocks if d.cleared_at is None],
        allowed_actions(case.status, who.roles) if acting else [],
        may(who, facts, "words"),
        acting,
        [a for a in APPROVED_STEPS if case.status in TRANSITIONS[a].sources] if acting else [],
        child is not None and child.submitted_by == "on_behalf",
    )


def _accessed(case: Case, who: StaffPrincipal, part: str, reason: str | None) -> CaseAccessed:
    return CaseAccessed(
        case_id=case.case_id,
        complaint_id=case.complaint_id,
        accessed_by=who.subject,
        roles=sorted(who.roles),
        part=part,
        accessed_at=utcnow(),
        reason=(reason or "").strip() or None,
    )


async def read_words(
    runtime: Runtime, who: StaffPrincipal, case_id: uuid.UUID, reason: str | None
) -> list[Said]:
    """What the child said, oldest first; the read is logged as `case accessed` (committed
    before anything is returned, so no read goes unrecorded)."""
    async with runtime.uow() as uow:
        case, child = await load(uow.session, case_id)
        check_read(who, facts_of(case, child), "words", reason)
        said = await _open_words(runtime, uow, case, child)
        uow.emit(_accessed(case, who, "words", reason), subject=str(case.complaint_id))
        await uow.commit()
    return said


async def _open_words(
    runtime: Runtime, uow: UnitOfWork, case: Case, child: ComplaintRecord | None
) -> list[Said]:
    opened, session, subject = runtime.fields.open, uow.session, case.complaint_id
    said: list[Said] = []
    if child is not None:
        text = await opened(session, subject, "narrative", child.narrative)
        said.append(Said("complaint", child.submitted_at, text or ""))
    query = select(ChildWords).where(col(ChildWords.complaint_id) == subject)
    for row in (await session.exec(query.order_by(col(ChildWords.at)))).all():
        said.append(
            Said(row.kind, row.at, await opened(session, subject, row.kind, row.body) or "")
        )
    return said


async def read_identity(
    runtime: Runtime, who: StaffPrincipal, case_id: uuid.UUID, reason: str | None
) -> dict[str, Any]:
    """Who the child is and who acts for them (if they said); the read is logged."""
    async with runtime.uow() as uow:
        case, child = await load(uow.session, case_id)
        check_read(who, facts_of(case, child), "identity", reason)
        sealed = child.identity if child else None
        text = await runtime.fields.open(uow.session, case.complaint_id, "identity", sealed)
        uow.emit(_accessed(case, who, "identity", reason), subject=str(case.complaint_id))
        await uow.commit()
    found: dict[str, Any] = json.loads(text) if text else {}
    return {"anonymous": child.anonymous if child else None, **found}


async def step(
    runtime: Runtime,
    tools: Tools,
    who: StaffPrincipal,
    case_id: uuid.UUID,
    *,
    action: str,
    reason: str | None,
    version: int,
) -> Case:
    """Take a procedure `action` on the case, if `who` may and nobody changed it since
    `version` (409 otherwise)."""
    async with runtime.uow() as uow:
        case, child = await load(uow.session, case_id)
        check_move(who, facts_of(case, child))
        actor = Actor(who.subject, who.roles)
        await move(
            uow, tools, case, action, actor, reason=reason, expected_version=version, now=utcnow()
        )
        await uow.commit()
    return case


async def assign(
    runtime: Runtime,
    tools: Tools,
    who: StaffPrincipal,
    case_id: uuid.UUID,
    *,
    version: int,
    to: str | None = None,
) -> Case:
    """Claim the case (a case worker, while nobody holds it) or give it to `to` (a supervisor)."""
    async with runtime.uow() as uow:
        case, child = await load(uow.session, case_id)
        facts = facts_of(case, child)
        assignee = to or who.subject
        supervising = who.has_any("supervisor") and may(who, facts, "move")
        if not supervising:
            check_read(who, facts, "summary", None)
            if (
                case.assignee is not None
                or assignee != who.subject
                or not who.has_any("caseworker")
            ):
                raise AlreadyAssigned(str(case_id))
        previous, now = case.assignee, utcnow()
        await bump(uow, case, version, assignee=assignee)
        await record(uow, tools, case, who.subject, "assign", f"to {assignee}", at=now)
        uow.emit(_assigned(case, previous, who, now), subject=str(case.complaint_id))
        await uow.commit()
    return case


def _assigned(case: Case, previous: str | None, who: StaffPrincipal, now: datetime) -> CaseAssigned:
    # Who holds it, who held it, who decided, when: for the audit log; no child data.
    assert case.assignee is not None  # noqa: S101 - just written by `assign`
    return CaseAssigned(
        case_id=case.case_id,
        complaint_id=case.complaint_id,
        assignee=case.assignee,
        previous_assignee=previous,
        assigned_by=who.subject,
        assigned_at=now,
    )


async def acting_on(uow: UnitOfWork, who: StaffPrincipal, case_id: uuid.UUID) -> Case:
    """The case, if `who` may act on it (404 / 403 otherwise)."""
    case, child = await load(uow.session, case_id)
    check_move(who, facts_of(case, child))
    return case


async def write_to_child(
    runtime: Runtime,
    tools: Tools,
    who: StaffPrincipal,
    case_id: uuid.UUID,
    *,
    body: str,
    asks_for_information: bool,
) -> uuid.UUID:
    """Send the child a message (shown on their follow-up page); kept sealed here."""
    async with runtime.uow() as uow:
        case, child = await load(uow.session, case_id)
        check_move(who, facts_of(case, child))
        message_id, now = new_id(), utcnow()
        sealed = await tools.fields.seal(uow.session, case.complaint_id, "message_to_child", body)
        assert sealed is not None  # noqa: S101 - body is required
        uow.session.add(
            ChildMessage(
                message_id=message_id, case_id=case_id, sent_at=now, author=who.subject, body=sealed
            )
        )
        await record(uow, tools, case, who.subject, "message", None, at=now)
        uow.emit(
            MessageToChild(
                case_id=case_id,
                complaint_id=case.complaint_id,
                message_id=message_id,
                sent_at=now,
                body=body,
                asks_for_information=asks_for_information,
            ),
            subject=str(case.complaint_id),
        )
        await uow.commit()
    return message_id


@dataclass(frozen=True)
class Entry:
    """A timeline entry with its reason opened (for those who may act on the case)."""

    at: datetime
    actor: str
    action: str
    from_step: str | None
    to_step: str | None
    reason: str | None


async def timeline(runtime: Runtime, who: StaffPrincipal, case_id: uuid.UUID) -> list[Entry]:
    """The case's history, oldest first; reasons only for those who may act on the case."""
    async with runtime.sessions() as session:
        case, child = await load(session, case_id)
        facts = facts_of(case, child)
        check_read(who, facts, "summary", None)
        reasons = may(who, facts, "move")
        query = select(TimelineEntry).where(col(TimelineEntry.case_id) == case_id)
        rows = (await session.exec(query.order_by(col(TimelineEntry.at)))).all()
        opened = runtime.fields.open
        return [
            Entry(
                r.at,
                r.actor,
                r.action,
                r.from_step,
                r.to_step,
                await opened(session, case.complaint_id, "reason", r.reason) if reasons else None,
            )
            for r in rows
        ]

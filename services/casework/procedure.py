"""Moving a case through the procedure: the model's plan applied in the caller's transaction.

One function per kind of change; each checks, writes the case, its timeline and its clocks,
and emits the event, in the unit of work it is given (never committing: the caller does).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col

from services.casework.db import Case, ComplaintRecord, Deadline, TimelineEntry
from services.casework.errors import StaleVersion
from services.casework.explanations import explain
from services.casework.milestones import reach_step
from services.casework.model import Clocks, DeadlineKind, Plan, plan
from shared.crypto.at_rest import FieldCipher
from shared.db.uow import UnitOfWork
from shared.events.contracts import CaseStepChanged
from shared.ids import new_id


@dataclass(frozen=True)
class Tools:
    """What changing a case needs besides the transaction: the child-data cipher, the clocks."""

    fields: FieldCipher
    clocks: Clocks


@dataclass(frozen=True)
class Actor:
    """Who acts: a member of staff (their subject and roles), or the system for the child."""

    subject: str
    roles: frozenset[str]


async def record(
    uow: UnitOfWork,
    tools: Tools,
    case: Case,
    actor: str,
    action: str,
    reason: str | None,
    *,
    at: datetime,
    steps: tuple[str | None, str | None] = (None, None),
) -> None:
    """Add a timeline entry to `case` (its reason sealed under the complaint's key)."""
    sealed = await tools.fields.seal(uow.session, case.complaint_id, "reason", reason)
    uow.session.add(
        TimelineEntry(
            entry_id=new_id(),
            case_id=case.case_id,
            at=at,
            actor=actor,
            action=action,
            from_step=steps[0],
            to_step=steps[1],
            reason=sealed,
        )
    )


async def bump(uow: UnitOfWork, case: Case, expected_version: int, **values: object) -> None:
    """Write `values` to `case` only if nobody changed it since `expected_version`."""
    result = await uow.session.exec(
        update(Case)
        .where(col(Case.case_id) == case.case_id, col(Case.version) == expected_version)
        .values(version=expected_version + 1, **values)
    )
    if result.rowcount != 1:
        raise StaleVersion(str(case.case_id))
    await uow.session.refresh(case)


async def start_clock(
    uow: UnitOfWork, case: Case, kind: DeadlineKind, clocks: Clocks, now: datetime
) -> None:
    """Stop every running clock of `case` and start one of `kind`."""
    await stop_clocks(uow, case.case_id, now)
    add_clock(uow, case, kind, clocks, now)


def add_clock(
    uow: UnitOfWork, case: Case, kind: DeadlineKind, clocks: Clocks, now: datetime
) -> None:
    """Start a clock of `kind` on `case` (a new case's first: no other clock runs yet)."""
    due = clocks.due(kind, now, case.respond_by)
    uow.session.add(Deadline(deadline_id=new_id(), case_id=case.case_id, kind=kind, due_at=due))


async def stop_clocks(uow: UnitOfWork, case_id: uuid.UUID, now: datetime) -> None:
    """Stop every running clock of the case (its step was taken)."""
    await uow.session.exec(
        update(Deadline)
        .where(col(Deadline.case_id) == case_id, col(Deadline.cleared_at).is_(None))
        .values(cleared_at=now)
    )


async def _child(uow: UnitOfWork, complaint_id: uuid.UUID) -> ComplaintRecord | None:
    return await uow.session.get(ComplaintRecord, complaint_id)


async def move(
    uow: UnitOfWork,
    tools: Tools,
    case: Case,
    action: str,
    actor: Actor,
    *,
    reason: str | None,
    expected_version: int,
    now: datetime,
) -> Plan:
    """Take `action` on `case` for `actor`: check, write, time, record and tell the child."""
    step = plan(case.status, action, actor.roles, reason)
    await bump(uow, case, expected_version, status=step.target)
    if step.deadline is not None:
        await start_clock(uow, case, step.deadline, tools.clocks, now)
    else:
        await stop_clocks(uow, case.case_id, now)
    steps = (step.source, step.target)
    await record(uow, tools, case, actor.subject, action, reason, at=now, steps=steps)
    child = await _child(uow, case.complaint_id)
    language, band = (child.language, child.age_band) if child else (None, None)
    uow.emit(
        CaseStepChanged(
            case_id=case.case_id,
            complaint_id=case.complaint_id,
            step=step.target,
            previous_step=step.source,
            changed_at=now,
            explanation=explain(step.target, language, band),
        ),
        subject=str(case.complaint_id),
    )
    await reach_step(uow, case, step, now)
    return step
